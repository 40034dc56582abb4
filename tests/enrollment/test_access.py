"""Every URL of the enrollment app × every role: the exact answer, and no personal data across
a village or branch boundary."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse

from enrollment import import_services, payments, services
from enrollment import urls as enrollment_urls
from enrollment.models import Agent, Payment, Registration
from enrollment.payments import store_months_paid

from .registering import nik_for, register

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}


def expect(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


# url name: (method, {role: status}); Socorejo's registration and agent are the objects.
MATRIX = {
    "registration_list": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "registration_create": ("get", expect(302, 302, 403, 403, 403, 200, 200)),
    "registration_detail": ("get", expect(302, 302, 200, 200, 404, 200, 404)),
    "registration_edit": ("get", expect(302, 302, 200, 403, 403, 200, 404)),
    "registration_verify": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_reject": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_activate": ("post", expect(302, 302, 302, 302, 404, 403, 403)),
    "registration_withdraw": ("post", expect(302, 302, 302, 403, 403, 302, 404)),
    "funded_period_create": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    "verification_queue": ("get", expect(302, 302, 200, 200, 200, 403, 403)),
    "lapsing_list": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "agent_list": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "agent_detail": ("get", expect(302, 302, 200, 200, 404, 200, 404)),
    "registration_import": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "registration_import_template": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "registration_export": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    # An import batch (a whole file of personal data) is seen only by the operator who uploaded it.
    "registration_import_preview": ("get", expect(302, 302, 404, 404, 404, 200, 404)),
    "registration_import_errors": ("get", expect(302, 302, 404, 404, 404, 200, 404)),
    "registration_import_confirm": ("post", expect(302, 302, 404, 404, 404, 302, 404)),
    "arrears_list": ("get", expect(302, 302, 200, 200, 200, 200, 200)),
    "arrears_follow_up": ("post", expect(302, 302, 302, 302, 404, 302, 404)),
    # Payments are uploaded by branch staff; an upload is seen only by its uploader.
    "payment_upload": ("get", expect(302, 302, 200, 200, 200, 403, 403)),
    "payment_upload_template": ("get", expect(302, 302, 200, 200, 200, 403, 403)),
    "payment_upload_preview": ("get", expect(302, 302, 404, 200, 404, 403, 403)),
    "payment_upload_errors": ("get", expect(302, 302, 404, 200, 404, 403, 403)),
    "payment_upload_confirm": ("post", expect(302, 302, 404, 302, 404, 403, 403)),
}  # fmt: skip

POST_DATA = {
    "arrears_follow_up": {"channel": "visit"},
    "registration_verify": {"kpj": "19000000001"},
    "registration_reject": {"reason": "Data tidak lengkap"},
    "funded_period_create": {
        "funding_source": "dana_desa", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
    },
}  # fmt: skip


def test_the_matrix_covers_every_enrollment_url():
    """A new view cannot escape the matrix: every URL name of the app is listed."""
    names = {p.name for p in enrollment_urls.urlpatterns if isinstance(p, URLPattern)}
    assert names == set(MATRIX)


@pytest.fixture
def socorejo_objects(world, operator, branch_staff):
    registration = register(world.socorejo, operator, full_name="Rahasia Socorejo")
    member = register(world.socorejo, operator, full_name="Rahasia Socorejo Anggota")
    services.registration_verify(registration=member, kpj="19099990002", by=branch_staff)
    Payment.objects.create(
        registration=member, month=datetime.date(2025, 1, 1), amount=16_800,
        premium_due=16_800, paid_on=datetime.date(2025, 1, 10),
    )  # fmt: skip
    store_months_paid(Registration.objects.filter(pk=member.pk))
    payments_file = (
        b"No. KPJ;Bulan Iuran;Jumlah Iuran;Tanggal Bayar\n"
        b"19099990002;02/2025;16800;10-02-2025\n"
        b"1909999;02/2025;16800;10-02-2025\n"
    )
    upload = payments.payment_upload_create(
        upload=SimpleUploadedFile("iuran.csv", payments_file), by=branch_staff
    )
    agent = Agent.objects.create(name="Agen Socorejo", phone="6281200000000")
    agent.villages.add(world.socorejo)
    agent.recruits.add(registration)
    spreadsheet = (
        "NIK;Nama Lengkap;Kategori;Penghasilan;Sumber Dana\n"
        f"{nik_for(world.socorejo)};Rahasia Socorejo;Pekerja rentan;1000000;Dana Desa\n"
        "3.52312E+15;Rahasia Juga;Pekerja rentan;1000000;Dana Desa\n"
    ).encode()
    batch = import_services.import_batch_start(
        upload=SimpleUploadedFile("daftar.csv", spreadsheet), by=operator
    )
    import_services.import_batch_check(batch=batch)
    return {
        "registration": registration,
        "agent": agent,
        "batch": batch,
        "member": member,
        "upload": upload,
    }


WITHOUT_ARGUMENTS = {
    "registration_list", "registration_create", "verification_queue", "lapsing_list",
    "agent_list", "registration_import", "arrears_list", "payment_upload",
}  # fmt: skip
OBJECT_OF = {
    "agent_detail": "agent",
    "registration_import_preview": "batch",
    "registration_import_errors": "batch",
    "registration_import_confirm": "batch",
    "arrears_follow_up": "member",
    "payment_upload_preview": "upload",
    "payment_upload_errors": "upload",
    "payment_upload_confirm": "upload",
}


def url_for(name, objects):
    if name in WITHOUT_ARGUMENTS:
        return reverse(name)
    if name in {"registration_import_template", "registration_export", "payment_upload_template"}:
        return reverse(name, args=["csv"])
    return reverse(name, args=[objects[OBJECT_OF.get(name, "registration")].pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_each_role_gets_the_exact_answer(client, request, socorejo_objects, name, role):
    """Out of scope answers 404 (as if missing); the wrong role 403; anonymous and
    deactivated users are sent to log in."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    method, expected = MATRIX[name]
    url = url_for(name, socorejo_objects)
    response = getattr(client, method)(url, POST_DATA.get(name, {}))
    assert response.status_code == expected[role]
    if role in {"other_branch", "other_operator"}:
        assert "Rahasia Socorejo" not in response.text
        assert socorejo_objects["registration"].participant.nik[6:12] not in response.text


@pytest.mark.parametrize("name", [n for n, (method, _) in MATRIX.items() if method == "post"])
def test_actions_refuse_get(client, admin_user, socorejo_objects, name):
    """State-changing actions answer only POST."""
    client.force_login(admin_user)
    assert client.get(url_for(name, socorejo_objects)).status_code == 405


def test_out_of_scope_actions_change_nothing(client, other_branch_staff, socorejo_objects):
    """Another branch's POSTs leave the registration as it was."""
    client.force_login(other_branch_staff)
    registration = socorejo_objects["registration"]
    client.post(reverse("registration_verify", args=[registration.pk]), {"kpj": "19000000001"})
    client.post(reverse("registration_reject", args=[registration.pk]), {"reason": "x"})
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert registration.events.count() == 1
