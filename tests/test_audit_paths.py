"""Issue 21, point 4: one audit mechanism. Every way a registration is entered or changed (the
form, the spreadsheet import, OpenSID, the admin, the decisions) lands in its history
(RegistrationEvent) and in the one audit log (portal.AuditEvent, written only by
portal.audit.audit_record), with who, the object and the client's address; an export is
audited exactly once."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment.models import ExportRecord, FundedPeriod, ImportBatch, PaymentUpload, Registration
from opensid import services as opensid_services
from portal.models import AuditEvent

from .enrollment.factories import RegistrationFactory
from .enrollment.payments_files import payments_csv, row
from .enrollment.registering import checked, form_post, register
from .enrollment.test_import_views import as_csv, resident
from .opensid.exports import minimal
from .opensid.test_registering import BATCH, COLUMNS, ROWS, pks

ADDRESS = "203.0.113.7"


def audited(action: str) -> list[tuple]:
    return [
        (event.user, event.object_type, event.object_id, event.village_id, event.ip_address)
        for event in AuditEvent.objects.filter(action=action).order_by("pk")
    ]


def test_a_registration_through_the_form_is_in_its_history_and_the_audit_log(
    client, operator, world
):
    client.force_login(operator)
    url = reverse("registration_create")
    post = checked(client, url, form_post(world.socorejo, full_name="Siti Aminah"))
    assert client.post(url, post, REMOTE_ADDR=ADDRESS).status_code == 302
    registration = Registration.objects.get()
    assert [(e.action, e.by) for e in registration.events.all()] == [("created", operator)]
    assert audited("registration") == [
        (operator, "enrollment.Registration", str(registration.pk), "35.23.12.2002", ADDRESS)
    ]
    assert AuditEvent.objects.get(action="registration").detail == {"history": "created"}


def test_an_edit_through_the_form_and_a_verification_are_audited_with_their_history(
    client, operator, branch_staff, world
):
    registration = register(world.socorejo, operator, full_name="Sutrisno")
    assert not AuditEvent.objects.exists()  # a service called outside a request: history only
    client.force_login(operator)
    url = reverse("registration_edit", args=[registration.pk])
    post = checked(
        client, url, form_post(world.socorejo, nik=registration.participant.nik, full_name="Adi")
    )
    client.post(url, post, REMOTE_ADDR=ADDRESS)
    client.force_login(branch_staff)
    client.post(
        reverse("registration_verify", args=[registration.pk]),
        {"kpj": "19000000001"},
        REMOTE_ADDR=ADDRESS,
    )
    history = [(e.action, e.by) for e in registration.events.all()]
    assert history == [("created", operator), ("edited", operator), ("verified", branch_staff)]
    events = AuditEvent.objects.filter(action="registration").order_by("pk")
    assert [(e.user, e.detail["history"], e.ip_address) for e in events] == [
        (operator, "edited", ADDRESS),
        (branch_staff, "verified", ADDRESS),
    ]
    assert {e.object_id for e in events} == {str(registration.pk)}


def test_a_spreadsheet_import_is_audited_once_and_each_row_has_its_history(client, operator, world):
    client.force_login(operator)
    content = as_csv([resident(world.socorejo), resident(world.socorejo)])
    client.post(
        reverse("registration_import"),
        {"file": SimpleUploadedFile("daftar.csv", content)},
        REMOTE_ADDR=ADDRESS,
    )
    batch = ImportBatch.objects.get()
    client.post(reverse("registration_import_confirm", args=[batch.pk]), REMOTE_ADDR=ADDRESS)
    assert Registration.objects.count() == 2
    for registration in Registration.objects.all():
        [event] = registration.events.all()
        assert (event.action, event.by, event.note) == (
            "created",
            operator,
            "Diimpor dari daftar.csv",
        )
    assert audited("save_import") == [
        (operator, "enrollment.ImportBatch", str(batch.pk), "35.23.12.2002", ADDRESS)
    ]
    assert AuditEvent.objects.get(action="save_import").detail == {"file": "daftar.csv", "rows": 2}
    assert AuditEvent.objects.filter(action="check_niks").count() == 1


def test_residents_registered_from_opensid_are_audited_with_their_history(client, world, operator):
    content = minimal(ROWS, COLUMNS)
    upload = opensid_services.resident_upload_create(
        file=io.BytesIO(content), name="penduduk.xlsx", size=len(content), village=world.socorejo,
        by=operator,
    )  # fmt: skip
    client.force_login(operator)
    client.post(
        reverse("opensid_register", args=[upload.pk]),
        {**BATCH, "candidate": pks(upload, "SRI RAHAYU", "BAMBANG")},
        REMOTE_ADDR=ADDRESS,
    )
    batch = ImportBatch.objects.get()
    assert batch.created_count == 2
    for registration in Registration.objects.all():
        assert [(e.action, e.by) for e in registration.events.all()] == [("created", operator)]
    assert audited("save_import") == [
        (operator, "enrollment.ImportBatch", str(batch.pk), "35.23.12.2002", ADDRESS)
    ]
    assert AuditEvent.objects.get(action="save_import").detail == {
        "file": "OpenSID: penduduk.xlsx",
        "rows": 2,
    }


def _admin_post(client, registration, **changes):
    """The registration's admin form as the browser posts it, with `changes`."""
    page = client.get(reverse("admin:enrollment_registration_change", args=[registration.pk]))
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            value = management.initial.get(name, field.initial)
            data[f"{management.prefix}-{name}"] = "" if value is None else value
    data.update(changes)
    return client.post(
        reverse("admin:enrollment_registration_change", args=[registration.pk]),
        data,
        REMOTE_ADDR=ADDRESS,
    )


def test_a_change_in_the_admin_is_in_the_registrations_history_and_the_audit_log(
    client, admin_user, operator, world
):
    registration = register(world.socorejo, operator, employer_name="")
    client.force_login(admin_user)
    response = _admin_post(
        client,
        registration,
        employer_name="UD Laut Biru",
        funding_source="csr",
        funding_company="PT Semen",
        **{
            "funded_periods-TOTAL_FORMS": "1",
            "funded_periods-0-funding_source": "dana_desa",
            "funded_periods-0-funding_company": "",
            "funded_periods-0-starts_on": "2026-01-01",
            "funded_periods-0-ends_on": "2026-06-30",
            "funded_periods-0-registration": str(registration.pk),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert FundedPeriod.objects.filter(registration=registration).count() == 1
    edited, funded = registration.events.exclude(action="created")
    assert (edited.action, edited.by, edited.note) == (
        "edited",
        admin_user,
        "Diubah di halaman administrasi",
    )
    assert edited.changes == {
        "employer_name": ["", "UD Laut Biru"],
        "funding_source": ["mandiri", "csr"],
        "funding_company": ["", "PT Semen"],
    }
    assert (funded.action, funded.by) == ("funded", admin_user)
    assert funded.note == "Dana Desa membayar mulai 01-01-2026 sampai 30-06-2026"
    events = AuditEvent.objects.filter(action="registration").order_by("pk")
    assert [(e.user, e.object_id, e.ip_address, e.detail) for e in events] == [
        (admin_user, str(registration.pk), ADDRESS, {"history": "edited", "via": "admin"}),
        (admin_user, str(registration.pk), ADDRESS, {"history": "funded", "via": "admin"}),
    ]


def test_a_participant_changed_in_the_admin_is_in_the_registrations_history(
    client, admin_user, operator, world
):
    registration = register(world.socorejo, operator, full_name="Sutrisno")
    participant = registration.participant
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:enrollment_participant_change", args=[participant.pk]),
        {
            "nik": participant.nik,
            "full_name": "Sutrisno Adi",
            "birth_date": participant.birth_date.isoformat(),
            "sex": participant.sex,
            "phone": "",
            "address": participant.address,
            "rt": participant.rt,
            "rw": participant.rw,
            "village": world.socorejo.pk,
            "occupation": participant.occupation,
            "occupation_group": participant.occupation_group,
            "category": participant.category,
        },
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    event = registration.events.get(action="edited")
    assert (event.by, event.changes) == (admin_user, {"full_name": ["Sutrisno", "Sutrisno Adi"]})
    assert audited("registration") == [
        (admin_user, "enrollment.Registration", str(registration.pk), "35.23.12.2002", ADDRESS)
    ]


def test_a_registration_deleted_in_the_admin_stays_in_the_audit_log(
    client, admin_user, operator, world
):
    registration = register(world.socorejo, operator)
    client.force_login(admin_user)
    client.post(
        reverse("admin:enrollment_registration_delete", args=[registration.pk]),
        {"post": "yes"},
        REMOTE_ADDR=ADDRESS,
    )
    assert not Registration.objects.exists()
    event = AuditEvent.objects.get(action="registration")
    assert (event.user, event.object_id, event.detail) == (
        admin_user,
        str(registration.pk),
        {"history": "deleted", "via": "admin"},
    )


def test_an_export_is_audited_exactly_once(client, branch_staff, operator, world):
    register(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(
        reverse("registration_export", args=["xlsx"]), {"q": ""}, REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200
    record = ExportRecord.objects.get()  # the export's own record: what the file held
    assert AuditEvent.objects.count() == 1  # and its one audit entry, pointing at it
    assert audited("export") == [
        (branch_staff, "enrollment.ExportRecord", str(record.pk), None, ADDRESS)
    ]


def test_a_payments_file_saved_is_one_audit_entry(client, branch_staff, world):
    """Issue 21: every import lands in the one audit log, the payments file too."""
    member = RegistrationFactory(village=world.socorejo, verified=True)
    client.force_login(branch_staff)
    content = payments_csv([row(member, "01/2026"), row(member, "02/2026")])
    client.post(reverse("payment_upload"), {"file": SimpleUploadedFile("iuran.csv", content)})
    assert not AuditEvent.objects.filter(action="save_payments").exists()  # not saved yet
    upload = PaymentUpload.objects.get()
    client.post(reverse("payment_upload_confirm", args=[upload.pk]), REMOTE_ADDR=ADDRESS)
    assert audited("save_payments") == [
        (branch_staff, "enrollment.PaymentUpload", str(upload.pk), None, ADDRESS)
    ]
    assert AuditEvent.objects.get(action="save_payments").detail == {"file": "iuran.csv", "rows": 2}
