"""One rule decides who may see a KPJ membership number (User.may_see_kpj): admins and branch
staff, never village operators. Pages and exports asked it already; notifications and their
e-mails ask it too."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from enrollment import notices as registration_notices
from enrollment import services
from portal.models import Notification, User

from ..enrollment.registering import register
from ..factories import UserFactory


def test_only_admins_and_branch_staff_may_see_a_kpj(admin_user, branch_staff, operator, world):
    superuser = UserFactory(username="super", role=User.Role.VILLAGE_OPERATOR, is_superuser=True,
                            village=world.socorejo)  # fmt: skip
    assert admin_user.may_see_kpj
    assert superuser.may_see_kpj
    assert branch_staff.may_see_kpj
    assert not operator.may_see_kpj


def test_a_verification_told_to_branch_staff_carries_the_kpj(branch_staff, operator):
    with translation.override("en"):
        assert (
            registration_notices.verified_text(user=branch_staff, name="Sri", kpj="19012345678")
            == "The registration of Sri was verified: KPJ 19012345678."
        )
        assert (
            registration_notices.verified_text(user=operator, name="Sri", kpj="19012345678")
            == "The registration of Sri was verified."
        )


def test_the_daily_job_never_mails_an_operator_a_kpj(world, branch_staff, operator):
    operator.email, operator.language = "op@example.org", "id"
    operator.save(update_fields=["email", "language"])
    registration = register(world.socorejo, operator, full_name="Sri Rahayu")
    services.registration_verify(registration=registration, kpj="26000003964", by=branch_staff)
    registration_notices.reminders_run()
    [notice] = Notification.objects.filter(user=operator)
    assert notice.text == "Pendaftaran Sri Rahayu sudah diverifikasi."
    from django.core import mail

    assert mail.outbox and all("26000003964" not in message.body for message in mail.outbox)


@pytest.mark.django_db
def test_notices_operators_hold_already_lose_their_kpj(world, operator, branch_staff):
    kept = "Pendaftaran Sri sudah diverifikasi: KPJ 26000003964."
    mine = Notification.objects.create(user=operator, kind="verified", key="a", text=kept)
    staff = Notification.objects.create(user=branch_staff, kind="verified", key="a", text=kept)
    migration = importlib.import_module(
        "portal.migrations.0006_kpj_free_notices_nik_check_audit_session_generation"
    )
    migration.drop_kpj_from_operators_notices(django_apps, None)
    mine.refresh_from_db()
    staff.refresh_from_db()
    assert mine.text == "Pendaftaran Sri sudah diverifikasi."
    assert staff.text == kept
