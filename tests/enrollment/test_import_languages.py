"""Import messages follow the reader's language: an import checked by someone reading
Indonesian shows its errors and warnings in English to someone reading English, on the preview
and in the error file, and the other way round (portal/translated.py). So does the reason a
file was refused, on the preview and on the admin's payment upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from enrollment import payments
from enrollment.models import ImportBatch, ImportRow, PaymentUpload
from portal.translated import in_every_language

from .factories import RegistrationFactory
from .payments_files import payments_csv, row
from .registering import nik_for
from .test_import_views import as_csv, resident, upload, upload_ok

JHT_EN = "Write Ya or Tidak."
JHT_ID = "Tulis Ya atau Tidak."
DISTRICT_EN = "The NIK was issued in another district (35.23.08)"
DISTRICT_ID = "NIK ini diterbitkan di kecamatan lain (35.23.08)"
TWICE_EN = "This NIK is already on row 3 of this file."
TWICE_ID = "NIK ini sudah ada di baris 3 dalam berkas ini."


def read_in(client, language: str):
    client.cookies["django_language"] = language
    return client


def checked_import(client, operator, world, language: str) -> ImportBatch:
    """Socorejo's operator imports a row with an error, one with a warning and the latter's
    NIK again."""
    client.force_login(operator)
    read_in(client, language)
    elsewhere = nik_for(world.karanglo)
    rows = [
        resident(world.socorejo, JHT="mungkin"),
        resident(world.socorejo, NIK=elsewhere),
        resident(world.socorejo, NIK=elsewhere),
    ]
    return upload_ok(client, as_csv(rows))


@pytest.mark.parametrize(
    ("checked_in", "read_in_language", "shown", "not_shown"),
    [
        ("id", "en", [JHT_EN, DISTRICT_EN, TWICE_EN], [JHT_ID, DISTRICT_ID, TWICE_ID]),
        ("en", "id", [JHT_ID, DISTRICT_ID, TWICE_ID], [JHT_EN, DISTRICT_EN, TWICE_EN]),
    ],
)
def test_the_preview_and_the_error_file_are_in_the_readers_language(
    client, operator, world, checked_in, read_in_language, shown, not_shown
):
    """Checked while reading one language, read (here by the same operator, having switched)
    in the other."""
    batch = checked_import(client, operator, world, checked_in)
    read_in(client, read_in_language)
    page = client.get(batch.get_absolute_url()).text
    error_file = client.get(reverse("registration_import_errors", args=[batch.pk]))
    error_text = error_file.content.decode("utf-8-sig")
    for text in shown:
        assert text in page
    for text in not_shown:
        assert text not in page
    assert shown[0] in error_text
    assert not_shown[0] not in error_text


def test_rows_stored_as_plain_text_before_still_show(client, operator, world):
    """Rows checked before messages were kept in every language show their text as stored."""
    batch = checked_import(client, operator, world, "id")
    ImportRow.objects.filter(batch=batch, status="error").update(
        errors=[["JHT", "Teks lama tersimpan."]]
    )
    ImportRow.objects.filter(batch=batch, status="new").update(warnings=["Peringatan lama."])
    read_in(client, "en")
    page = client.get(batch.get_absolute_url()).text
    assert "Teks lama tersimpan." in page
    assert "Peringatan lama." in page
    error_file = client.get(reverse("registration_import_errors", args=[batch.pk]))
    assert "JHT: Teks lama tersimpan." in error_file.content.decode("utf-8-sig")


def test_a_payments_preview_is_in_the_readers_language(client, branch_staff, world):
    """Contributions checked in Indonesian read in English, errors and warnings alike."""
    member = RegistrationFactory(village=world.socorejo, verified=True)
    client.force_login(branch_staff)
    read_in(client, "id")
    unknown = ["19000000009", "01/2026", "Rp16.800", "10-01-2026", ""]
    client.post(
        reverse("payment_upload"),
        {"file": _file(payments_csv([row(member, "01/2026", amount="Rp99.000"), unknown]))},
    )
    upload = PaymentUpload.objects.get()
    read_in(client, "en")
    page = client.get(upload.get_absolute_url()).text
    assert "No member with KPJ 19000000009 in your area." in page
    assert "the premium due is" in page
    read_in(client, "id")
    page = client.get(upload.get_absolute_url()).text
    assert "Tidak ada peserta dengan KPJ 19000000009 di wilayah Anda." in page
    assert "the premium due is" not in page


def _file(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("iuran.csv", content)


OTHER_VILLAGE = {
    "en": "The file contains rows for another village (code 35.23.08.2016).",
    "id": "Berkas berisi baris untuk desa lain (kode 35.23.08.2016).",
}
REFUSED_IN = pytest.mark.parametrize(
    ("refused_in", "read_in_language"), [("id", "en"), ("en", "id")], ids=["id-en", "en-id"]
)


@REFUSED_IN
def test_a_refused_files_reason_is_in_the_readers_language(
    client, operator, world, refused_in, read_in_language
):
    """Refused while reading one language (told on the upload form in that language), its
    preview read later in the other."""
    client.force_login(operator)
    read_in(client, refused_in)
    rows = [resident(world.socorejo, **{"Kode Desa": "35.23.08.2016"})]
    response = upload(client, as_csv(rows))
    assert OTHER_VILLAGE[refused_in] in response.text
    batch = ImportBatch.objects.get()
    assert batch.status == "refused"
    assert set(batch.refusal) == {"id", "en"}
    read_in(client, read_in_language)
    page = client.get(batch.get_absolute_url()).text
    assert OTHER_VILLAGE[read_in_language] in page
    assert OTHER_VILLAGE[refused_in] not in page


def test_a_refusal_stored_as_plain_text_before_still_shows(client, operator, world):
    client.force_login(operator)
    rows = [resident(world.socorejo, **{"Kode Desa": "35.23.08.2016"})]
    upload(client, as_csv(rows))
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(refusal="Alasan lama tersimpan.")
    read_in(client, "en")
    page = client.get(batch.get_absolute_url()).text
    assert "Alasan lama tersimpan." in page


@REFUSED_IN
def test_a_payment_uploads_refusal_is_in_the_readers_language_on_the_admin(
    client, admin_user, refused_in, read_in_language, settings
):
    settings.PAYMENT_IMPORT_MAX_ROWS = 5000
    texts = {
        "en": "The file has more than 5.000 rows.",
        "id": "Berkas berisi lebih dari 5.000 baris.",
    }
    with translation.override(refused_in):
        refused = PaymentUpload.objects.create(
            original_name="iuran.csv",
            file_format="csv",
            status=PaymentUpload.Status.REFUSED,
            refusal=in_every_language(payments.too_many_rows().message),
        )
    client.force_login(admin_user)
    read_in(client, read_in_language)
    page = client.get(reverse("admin:enrollment_paymentupload_change", args=[refused.pk])).text
    assert texts[read_in_language] in page
    assert texts[refused_in] not in page
    assert '"id":' not in page


def test_a_payment_uploads_plain_text_refusal_shows_on_the_admin(client, admin_user):
    refused = PaymentUpload.objects.create(
        original_name="iuran.csv", file_format="csv", status="refused", refusal="Alasan lama."
    )
    client.force_login(admin_user)
    read_in(client, "en")
    page = client.get(reverse("admin:enrollment_paymentupload_change", args=[refused.pk])).text
    assert "Alasan lama." in page
