"""Each imported row's NIK is looked up portal-wide ("registered elsewhere"): the rows a user
uploads within 24 hours are bounded (IMPORT_DAILY_ROWS, admins excepted) and every upload is
in the audit log with its row count."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enrollment.models import ImportBatch
from portal.models import AuditEvent

from .test_import_views import as_csv, resident


def upload(client, rows):
    file = SimpleUploadedFile("daftar.csv", as_csv(rows))
    return client.post(reverse("registration_import"), {"file": file})


def test_uploads_beyond_the_days_rows_are_refused(client, operator, world, settings):
    settings.IMPORT_DAILY_ROWS = 3
    client.cookies["django_language"] = "en"
    client.force_login(operator)
    assert (
        upload(
            client, [resident(world.socorejo, NIK=f"352312080190{n:04d}") for n in range(2)]
        ).status_code
        == 302
    )
    response = upload(
        client, [resident(world.socorejo, NIK=f"352312080191{n:04d}") for n in range(2)]
    )
    assert response.status_code == 200
    message = " ".join(response.context["form"].errors["file"])
    assert (
        "You have uploaded 2 rows in the last 24 hours; at most 3 are checked per day." in message
    )
    assert ImportBatch.objects.count() == 1
    # A day later the rows count no more.
    ImportBatch.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))
    assert upload(client, [resident(world.socorejo, NIK="3523120801920001")]).status_code == 302


def test_admins_are_not_limited(client, admin_user, world, settings):
    settings.IMPORT_DAILY_ROWS = 1
    client.force_login(admin_user)
    rows = [
        resident(world.socorejo, NIK=f"352312080190{n:04d}", **{"Kode Desa": world.socorejo.code})
        for n in range(2)
    ]
    assert upload(client, rows).status_code == 302


def test_every_upload_is_audited_with_its_rows(client, operator, world):
    client.force_login(operator)
    upload(client, [resident(world.socorejo, NIK=f"352312080190{n:04d}") for n in range(3)])
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHECK_NIKS)
    assert (event.user, event.village, event.detail) == (operator, world.socorejo, {"rows": 3})
    assert event.object_id == str(ImportBatch.objects.get().pk)
