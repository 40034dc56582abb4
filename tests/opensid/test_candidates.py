"""An uploaded OpenSID export becomes the village's candidates: offered ones, not eligible ones
with the reason, possible duplicates flagged (in the file and against registered participants);
uploads are scoped to who may see the village."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from enrollment.models import Registration
from opensid import demo, services
from opensid.models import ResidentCandidate, ResidentUpload
from opensid.residents import read_export
from portal.models import AuditEvent
from portal.translated import in_reader_language

from ..enrollment.registering import register
from .exports import minimal

COLUMNS = ["nama", "nik", "sex", "tempatlahir", "tanggallahir", "pekerjaan_id", "dusun", "rw",
           "rt", "nama_ibu", "status_dasar"]  # fmt: skip


def born(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


def nik(day: datetime.date, serial: int, female: bool = False) -> str:
    return f"352312{day.day + (40 if female else 0):02d}{day:%m%y}{serial:04d}"


def upload_rows(village, user, rows) -> ResidentUpload:
    content = minimal(rows, COLUMNS)
    return services.resident_upload_create(
        file=io.BytesIO(content), name="penduduk.xlsx", size=len(content), village=village, by=user
    )


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted on their English ids (the pages speak Indonesian by default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_upload_keeps_the_offered_and_the_not_eligible_and_counts_the_rest(world, operator):
    adult, child, old = born(30), born(10), born(70)
    upload = upload_rows(
        world.socorejo,
        operator,
        [
            ["NELAYAN", nik(adult, 1), 1, "TUBAN", adult, 11, "KRAJAN", "1", "2", "", 1],
            ["SEMENTARA", "0", 1, "TUBAN", adult, 19, "KRAJAN", "1", "2", "", 1],
            ["ALMARHUM", nik(adult, 2), 1, "TUBAN", adult, 9, "KRAJAN", "1", "2", "", 2],
            ["PINDAHAN", nik(adult, 3), 1, "TUBAN", adult, 9, "KRAJAN", "1", "2", "", "PINDAH"],
            ["ANAK", nik(child, 1), 1, "TUBAN", child, 3, "KRAJAN", "1", "2", "", 1],
            ["SEPUH", nik(old, 1), 2, "TUBAN", old, 1, "KRAJAN", "1", "2", "", 1],
            ["RUSAK", "35231208019", 1, "TUBAN", adult, 9, "KRAJAN", "1", "2", "", 1],
        ],
    )
    assert upload.rows_read == 7
    assert upload.left_out == {"not_living": 2, "age": 2}
    candidates = {c.full_name: c for c in upload.candidates.all()}
    assert set(candidates) == {"NELAYAN", "SEMENTARA", "RUSAK"}
    assert candidates["NELAYAN"].standing == "offered"
    assert candidates["NELAYAN"].suggested_category == "rentan"
    assert (candidates["NELAYAN"].rw, candidates["NELAYAN"].rt) == ("001", "002")
    assert candidates["SEMENTARA"].standing == "temporary_nik"
    assert candidates["RUSAK"].standing == "invalid_nik"
    assert "16 digits" in in_reader_language(candidates["RUSAK"].reason)
    assert [c.full_name for c in upload.candidates.offered()] == ["NELAYAN"]


def test_a_resident_without_a_name_is_shown_but_cannot_be_registered(world, operator, english):
    """A nameless row of the export is not registered under a placeholder name: the page says
    to record the name in OpenSID first."""
    adult = born(30)
    upload = upload_rows(
        world.socorejo,
        operator,
        [["", nik(adult, 1), 1, "TUBAN", adult, 11, "KRAJAN", "1", "2", "", 1]],
    )
    (candidate,) = upload.candidates.all()
    assert (candidate.full_name, candidate.standing) == ("", "no_name")
    assert not upload.candidates.offered().exists()
    english.force_login(operator)
    url = reverse("opensid_candidates", args=[upload.pk])
    page = english.get(url, {"show": "all"}).content.decode()
    assert "record the name in OpenSID first" in page
    assert f'value="{candidate.pk}"' not in page


def test_the_demo_export_never_offers_temporary_niks_dead_or_moved(world, operator):
    """The demo file's residents who died, moved or have a temporary NIK are not offered."""
    content = demo.resident_export()
    upload = services.resident_upload_create(
        file=io.BytesIO(content), name="demo.xlsx", size=len(content), village=world.socorejo,
        by=operator,
    )  # fmt: skip
    offered = list(upload.candidates.offered())
    assert len(offered) > 150
    assert all(len(c.nik) == 16 and not c.nik.startswith("0") for c in offered)
    assert upload.left_out["not_living"] >= 10
    assert upload.candidates.filter(standing="temporary_nik").exists()
    assert not upload.candidates.filter(standing="offered", nik__startswith="0").exists()
    assert upload.candidates.exclude(duplicate_note="").count() >= 4


def test_a_registered_nik_is_not_offered_again(world, operator):
    adult = born(30)
    register(world.socorejo, operator, nik=nik(adult, 1), full_name="Sudah Terdaftar")
    upload = upload_rows(
        world.socorejo,
        operator,
        [
            ["SUDAH TERDAFTAR", nik(adult, 1), 1, "TUBAN", adult, 11, "KRAJAN", "1", "2", "", 1],
            ["BELUM", nik(adult, 2), 1, "TUBAN", adult, 11, "KRAJAN", "1", "2", "", 1],
        ],
    )
    assert [c.full_name for c in upload.candidates.offered()] == ["BELUM"]
    flags = dict(upload.candidates.with_registered().values_list("full_name", "registered"))
    assert flags == {"SUDAH TERDAFTAR": True, "BELUM": False}


def test_a_registered_lookalike_under_another_nik_is_flagged(world, operator, other_operator):
    """Same name and birth date as a participant under another NIK: flagged; a participant of
    another village is only said to exist."""
    adult = born(40)
    register(world.socorejo, operator, nik=nik(adult, 1), full_name="Siti Aminah")
    register(world.karanglewas, other_operator, nik=nik(adult, 5), full_name="Joko Susilo")
    upload = upload_rows(
        world.socorejo,
        operator,
        [
            ["SITI AMINAH", nik(adult, 2), 2, "TUBAN", adult, 2, "KRAJAN", "1", "2", "", 1],
            ["JOKO  SUSILO", nik(adult, 3), 1, "TUBAN", adult, 19, "KRAJAN", "1", "2", "", 1],
            ["LAIN ORANG", nik(adult, 4), 1, "TUBAN", adult, 19, "KRAJAN", "1", "2", "", 1],
        ],
    )
    notes = {
        name: in_reader_language(note)
        for name, note in upload.candidates.values_list("full_name", "duplicate_note")
    }
    assert f"under NIK {nik(adult, 1)[:6]}******0001" in notes["SITI AMINAH"]
    assert "another village under another NIK" in notes["JOKO  SUSILO"]
    assert nik(adult, 5)[-4:] not in notes["JOKO  SUSILO"]
    assert notes["LAIN ORANG"] == ""


def test_uploads_are_seen_only_by_who_may_see_the_village(
    world, operator, other_operator, branch_staff, other_branch_staff, admin_user
):
    upload = upload_rows(
        world.socorejo,
        operator,
        [["A", nik(born(30), 1), 1, "", born(30), 9, "K", "1", "1", "", 1]],
    )
    for user in (operator, branch_staff, admin_user):
        assert list(ResidentUpload.objects.for_user(user)) == [upload]
        assert ResidentCandidate.objects.for_user(user).count() == 1
    for user in (other_operator, other_branch_staff):
        assert not ResidentUpload.objects.for_user(user).exists()
        assert not ResidentCandidate.objects.for_user(user).exists()


def test_operator_uploads_the_export_through_the_page(client, world, operator):
    client.force_login(operator)
    content = demo.resident_export()
    response = client.post(
        reverse("opensid_upload"), {"file": SimpleUploadedFile("Penduduk Socorejo.xlsx", content)}
    )
    upload = ResidentUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("opensid_candidates", args=[upload.pk])
    assert (upload.village, upload.created_by) == (world.socorejo, operator)
    event = AuditEvent.objects.get(action="import")
    assert (event.village, event.detail["source"]) == (world.socorejo, "opensid")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["summary"]["offered"] == upload.candidates.offered().count()


def test_branch_staff_upload_for_a_village_of_their_area_only(english, world, branch_staff):
    english.force_login(branch_staff)
    content = minimal([["A", nik(born(30), 1), 1, "", born(30), 9, "K", "1", "1", "", 1]],
                      COLUMNS)  # fmt: skip
    outside = english.post(
        reverse("opensid_upload"),
        {"file": SimpleUploadedFile("p.xlsx", content), "village": "33.02.03.2003"},
    )
    assert outside.status_code == 200
    assert "33.02.03.2003 is not the code of a village in your area." in outside.content.decode()
    inside = english.post(
        reverse("opensid_upload"),
        {"file": SimpleUploadedFile("p.xlsx", content), "village": "3523122002"},
    )
    assert inside.status_code == 302
    assert ResidentUpload.objects.get().village == world.socorejo


def test_a_file_that_is_not_an_export_gets_a_clear_message(english, world, operator):
    english.force_login(operator)
    response = english.post(
        reverse("opensid_upload"),
        {"file": SimpleUploadedFile("daftar.csv", b"nama;nik\nA;3523120801900001\n")},
    )
    assert response.status_code == 200
    assert "Upload the resident export as OpenSID saves it" in response.content.decode()
    assert not ResidentUpload.objects.exists()


def test_filters_by_area_occupation_and_age(client, world, operator):
    young, middle = born(20), born(45)
    upload = upload_rows(
        world.socorejo,
        operator,
        [
            ["A", nik(young, 1), 1, "", young, 11, "KRAJAN", "1", "2", "", 1],
            ["B", nik(middle, 1), 1, "", middle, 11, "KRAJAN", "1", "3", "", 1],
            ["C", nik(middle, 2), 1, "", middle, 9, "SOCOREJO", "3", "2", "", 1],
            ["D", nik(young, 2), 1, "", young, 9, "SOCOREJO", "3", "1", "", 1],
        ],
    )
    client.force_login(operator)
    url = reverse("opensid_candidates", args=[upload.pk])

    def names(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [c.full_name for c in response.context["page"].object_list]

    assert names() == ["A", "B", "C", "D"]
    assert names(rt="002") == ["A", "C"]
    assert names(dusun="SOCOREJO") == ["C", "D"]
    assert names(rw="001", rt="003") == ["B"]
    assert names(occupation="9") == ["C", "D"]
    assert names(age_min="40") == ["B", "C"]
    assert names(age_max="39") == ["A", "D"]
    assert names(age_min="18", age_max="21", occupation="11") == ["A"]
    assert names(age_min="50", age_max="40") == []  # refused, with the message
    assert names(rt="999") == []  # not a value of the file: refused


def test_deleting_an_upload_forgets_its_residents_not_the_registrations(client, world, operator):
    adult = born(30)
    upload = upload_rows(
        world.socorejo, operator, [["A", nik(adult, 1), 1, "", adult, 9, "K", "1", "1", "", 1]]
    )
    register(world.socorejo, operator)
    client.force_login(operator)
    response = client.post(reverse("opensid_upload_delete", args=[upload.pk]))
    assert response.status_code == 302
    assert not ResidentCandidate.objects.exists()
    assert Registration.objects.count() == 1


def test_the_demo_export_is_offered_in_demo_mode_only(client, settings, world, operator):
    client.force_login(operator)
    settings.DEBUG = False
    assert client.get(reverse("opensid_demo_export")).status_code == 404
    assert (
        b"opensid/contoh-ekspor-penduduk.xlsx" not in client.get(reverse("opensid_upload")).content
    )
    settings.DEBUG = True
    assert b"opensid/contoh-ekspor-penduduk.xlsx" in client.get(reverse("opensid_upload")).content
    response = client.get(reverse("opensid_demo_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('"contoh-ekspor-opensid-socorejo.xlsx"')
    export = read_export(io.BytesIO(response.content), name="demo.xlsx", size=len(response.content))
    assert len(export.residents) >= 400


def test_the_demo_command_writes_the_export(tmp_path):
    output = tmp_path / "socorejo.xlsx"
    call_command("opensid_demo_export", str(output), "--residents", "50", stdout=io.StringIO())
    content = output.read_bytes()
    export = read_export(io.BytesIO(content), name="socorejo.xlsx", size=len(content))
    assert 50 <= len(export.residents) < 70
