import datetime

import pytest
from django.urls import reverse

from enrollment.models import Participant

from ..conftest import client_for
from .factories import AgentFactory, FundedPeriodFactory, RegistrationFactory


@pytest.fixture
def admin_client_(client, admin_user):
    return client_for(client, admin_user)


@pytest.mark.parametrize(
    "model", ["participant", "registration", "agent", "contributionrate", "commissionrule"]
)
def test_changelists_load(admin_client_, world, model):
    """Each enrollment model's admin list opens, with rows in it."""
    registration = RegistrationFactory(village=world.socorejo, verified=True)
    agent = AgentFactory(villages=[world.socorejo])
    registration.agent = agent
    registration.save()

    response = admin_client_.get(reverse(f"admin:enrollment_{model}_changelist"))

    assert response.status_code == 200
    # Two seeded rate rows since issue 18: BPU and wage earners.
    assert response.context["cl"].result_count == (2 if model == "contributionrate" else 1)


@pytest.mark.parametrize("model", ["participant", "registration"])
def test_changelists_show_the_nik_masked(admin_client_, world, model):
    """Participant and registration lists show "352312******0001", never the whole NIK."""
    registration = RegistrationFactory(village=world.socorejo)
    nik = registration.participant.nik

    response = admin_client_.get(reverse(f"admin:enrollment_{model}_changelist"))

    assert nik[:6] + "******" + nik[-4:] in response.text
    assert nik not in response.text


def test_participants_are_found_by_the_exact_nik_only(admin_client_, world):
    """Searching the whole NIK finds the participant; a part of it finds nothing."""
    registration = RegistrationFactory(village=world.socorejo)
    nik = registration.participant.nik
    url = reverse("admin:enrollment_participant_changelist")

    assert admin_client_.get(url, {"q": nik}).context["cl"].result_count == 1
    assert admin_client_.get(url, {"q": nik[:12]}).context["cl"].result_count == 0


def test_registration_list_queries_do_not_grow_with_rows(
    admin_client_, world, django_assert_max_num_queries
):
    """Thirty registrations list in a bounded number of queries (participant and village
    joined, not fetched row by row)."""
    RegistrationFactory.create_batch(30, village=world.socorejo)
    # 8, plus 3 for the first request after logging in, which stamps the session.
    with django_assert_max_num_queries(8 + 3):
        response = admin_client_.get(reverse("admin:enrollment_registration_changelist"))
    assert response.context["cl"].result_count == 30


def test_registration_page_shows_history_and_funded_periods(admin_client_, world):
    """A registration's admin page opens with its funded periods; adding one there is refused,
    since registrations are created in the portal."""
    period = FundedPeriodFactory(
        registration=RegistrationFactory(village=world.socorejo, verified=True),
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 6, 30),
    )

    response = admin_client_.get(
        reverse("admin:enrollment_registration_change", args=[period.registration.pk])
    )

    assert response.status_code == 200
    assert "2026-06-30" in response.text
    assert "field-paid_until" in response.text and "field-paid_by" in response.text
    assert admin_client_.get(reverse("admin:enrollment_registration_add")).status_code == 403


def test_participant_admin_refuses_a_malformed_nik(admin_client_, world):
    """The admin applies the portal's NIK rule: a 31 February birth date is refused."""
    participant = RegistrationFactory(village=world.socorejo).participant
    url = reverse("admin:enrollment_participant_change", args=[participant.pk])
    data = {
        "nik": "3523127102900001",
        "full_name": participant.full_name,
        "birth_date": "1990-01-08",
        "sex": "M",
        "phone": "",
        "village": world.socorejo.pk,
        "category": participant.category,
    }

    response = admin_client_.post(url, data)

    assert response.status_code == 200
    assert "nik" in response.context["adminform"].form.errors
    assert Participant.objects.get(pk=participant.pk).nik == participant.nik


def test_permissions_read_in_indonesian_in_the_group_and_user_forms(
    admin_client_, admin_user, world
):
    """Django stores "Can add registration" in English; the admin's permission lists say it in
    the reader's language."""
    for url in (
        reverse("admin:auth_group_add"),
        reverse("admin:portal_user_change", args=[admin_user.pk]),
    ):
        page = admin_client_.get(url).text
        assert "Can add registration" not in page
        assert "Dapat menambah pendaftaran" in page
