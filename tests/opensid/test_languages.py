"""An OpenSID upload follows its reader's language, not its uploader's: why a resident cannot be
registered and why they may be a duplicate are kept in every language when the file is read and
shown in the reader's, on the residents' page and on a batch's (portal.translated)."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from enrollment.models import ImportBatch
from opensid import services
from opensid.models import ResidentCandidate, ResidentUpload
from portal.translated import in_reader_language

from ..enrollment.registering import register
from .exports import minimal
from .test_registering import ADULT, BATCH, COLUMNS, ROWS, nik

TEMPORARY = {
    "en": "OpenSID gave this resident a temporary NIK (the real one is not known)",
    "id": "OpenSID memberi warga ini NIK sementara (NIK aslinya belum diketahui)",
}
INVALID = {
    "en": "A NIK has 16 digits; 11 digits were given.",
    "id": "NIK terdiri atas 16 digit; yang diisi 11 digit.",
}
SAME_PERSON = {
    "en": "same name and birth date, and the same birthplace.",
    "id": "nama dan tanggal lahir sama, dan tempat lahir juga sama.",
}
SAME_NIK = {"en": "The same NIK as row 9.", "id": "NIK sama dengan baris 9."}
REGISTERED = {
    "en": "A participant with the same name and birth date is registered under NIK",
    "id": "Peserta dengan nama dan tanggal lahir yang sama sudah terdaftar dengan NIK",
}
LANGUAGES = pytest.mark.parametrize(
    ("uploaded_in", "read_in"), [("id", "en"), ("en", "id")], ids=["id-read-in-en", "en-read-in-id"]
)
EXTRA_ROWS = [
    ["RUSAK", "35231208019", 1, "TUBAN", ADULT, 11, "", "KRAJAN", "1", "2", "G"],
    ["KEMBAR", nik(ADULT, 7), 1, "GRESIK", ADULT, 11, "", "KRAJAN", "1", "2", "H"],
    ["KEMBAR LAIN", nik(ADULT, 7), 1, "BLORA", ADULT, 11, "", "KRAJAN", "1", "2", "I"],
    ["SUDAH ADA", nik(ADULT, 8), 1, "TUBAN", ADULT, 11, "", "KRAJAN", "1", "2", "J"],
]


def upload_while_reading(language: str, world, operator) -> ResidentUpload:
    """The operator's upload, read while the portal speaks `language`. A participant named SUDAH
    ADA is registered under another NIK, born the same day."""
    register(world.socorejo, operator, nik=nik(ADULT, 5), full_name="Sudah Ada")
    content = minimal(ROWS + EXTRA_ROWS, COLUMNS)
    with translation.override(language):
        return services.resident_upload_create(
            file=io.BytesIO(content),
            name="penduduk.xlsx",
            size=len(content),
            village=world.socorejo,
            by=operator,
        )


def read_page(client, language: str, url: str) -> str:
    client.cookies["django_language"] = language
    return client.get(url).content.decode()


@LANGUAGES
def test_the_residents_page_reads_in_the_readers_language(
    client, world, operator, uploaded_in, read_in
):
    """Not eligible (a temporary NIK, an invalid one) and possible duplicates (the same person,
    the same NIK, a registered participant under another NIK), uploaded in one language and read
    in the other."""
    upload = upload_while_reading(uploaded_in, world, operator)
    client.force_login(operator)
    url = reverse("opensid_candidates", args=[upload.pk]) + "?show=all"
    page = read_page(client, read_in, url)
    for texts in (TEMPORARY, INVALID, SAME_PERSON, SAME_NIK, REGISTERED):
        assert texts[read_in] in page
        assert texts[uploaded_in] not in page


@LANGUAGES
def test_the_duplicates_of_a_batch_read_in_the_readers_language(
    client, world, operator, uploaded_in, read_in
):
    """A ticked possible duplicate stops the batch before saving; its page shows why in the
    reader's language."""
    upload = upload_while_reading(uploaded_in, world, operator)
    client.force_login(operator)
    client.cookies["django_language"] = uploaded_in
    sutrisno = upload.candidates.get(row=2)
    response = client.post(
        reverse("opensid_register", args=[upload.pk]), {**BATCH, "candidate": [sutrisno.pk]}
    )
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("opensid_batch", args=[upload.pk, batch.pk])
    page = read_page(client, read_in, response["Location"])
    assert SAME_PERSON[read_in] in page
    assert SAME_PERSON[uploaded_in] not in page


def test_reasons_and_notes_are_kept_in_every_language_and_empty_when_there_is_none(world, operator):
    upload = upload_while_reading("id", world, operator)
    candidates = {candidate.full_name: candidate for candidate in upload.candidates.all()}
    assert set(candidates["RUSAK"].reason) == {"id", "en"}
    assert candidates["RUSAK"].reason["en"] == INVALID["en"]
    assert set(candidates["KEMBAR"].duplicate_note) == {"id", "en"}
    assert candidates["KEMBAR"].possible_duplicate
    assert (candidates["BAMBANG"].reason, candidates["BAMBANG"].duplicate_note) == ("", "")
    assert not candidates["BAMBANG"].possible_duplicate
    assert set(
        upload.candidates.exclude(duplicate_note="").values_list("full_name", flat=True)
    ) == {
        "SUTRISNO",
        "KEMBAR",
        "KEMBAR LAIN",
        "SUDAH ADA",
    }


def test_reasons_and_notes_stored_as_plain_text_before_still_show(client, world, operator):
    """Stored before they were kept in every language: shown as they are, in any language."""
    upload = upload_while_reading("id", world, operator)
    ResidentCandidate.objects.filter(upload=upload, full_name="RUSAK").update(
        reason="NIK lama tidak sah.", duplicate_note="Catatan lama.\nBaris kedua."
    )
    client.force_login(operator)
    url = reverse("opensid_candidates", args=[upload.pk]) + "?show=all"
    page = read_page(client, "en", url)
    assert "NIK lama tidak sah." in page
    assert "Catatan lama.<br>Baris kedua." in page
    rusak = upload.candidates.get(full_name="RUSAK")
    assert rusak.possible_duplicate
    with translation.override("en"):
        assert in_reader_language(rusak.reason) == "NIK lama tidak sah."
