"""Export for OpenSID: the village's enrolled members in a campaign as OpenSID's aid-programme
import file (sheets Program and Peserta, OpenSID's exact headings, "###" at the end); never a
phone or KPJ number; recorded like every export of personal data."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enrollment import services as enrollment_services
from enrollment.models import ExportRecord
from opensid import programme
from portal.models import AuditEvent

from ..campaigns.factories import CampaignFactory
from ..enrollment.registering import nik_for, register


@pytest.fixture
def members(world, operator, other_operator, branch_staff):
    """Socorejo: two verified members (one active) and one submitted; Karanglo: one member."""
    campaign = CampaignFactory(
        name="Desa Sadar 2026", slug="desa-sadar-2026", branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglo],
    )  # fmt: skip
    verified = register(
        world.socorejo, operator, full_name="Sri Rahayu", nik=nik_for(world.socorejo,
        birth="120385", female=True), phone="6281234500001", address="Jl. Masjid 1",
        rt="002", rw="001", funding_source="dana_desa",
    )  # fmt: skip
    active = register(
        world.socorejo, operator, full_name="Bambang Irawan", phone="6281234500002",
        funding_source="add",
    )  # fmt: skip
    submitted = register(world.socorejo, operator, full_name="Belum Diverifikasi")
    elsewhere = register(world.karanglo, branch_staff, full_name="Warga Karanglo")
    enrollment_services.registration_verify(
        registration=verified, kpj="19000000001", by=branch_staff
    )
    enrollment_services.registration_verify(registration=active, kpj="19000000002", by=branch_staff)
    enrollment_services.registration_activate(registration=active, by=branch_staff)
    enrollment_services.registration_verify(
        registration=elsewhere, kpj="19000000003", by=branch_staff
    )
    return {"campaign": campaign, "listed": [verified, active], "other": [submitted, elsewhere]}


def url(campaign, village) -> str:
    return reverse("opensid_programme_export", args=[campaign.slug, village.code])


def cells(content: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_programme_file_has_opensids_two_sheets_and_headings(client, world, operator, members):
    client.force_login(operator)
    response = client.get(url(members["campaign"], world.socorejo))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        'filename="program-bantuan-desa-sadar-2026-35.23.12.2002.xlsx"'
    )
    sheets = cells(response.content)
    assert list(sheets) == ["Program", "Peserta"]
    program = sheets["Program"]
    assert [row[0] for row in program] == [
        "id", "Nama Program", "Sasaran Program", "Keterangan", "Asal Dana",
        "Rentang Waktu (Awal)", "Rentang Waktu (Akhir)", "###",
    ]  # fmt: skip
    values = dict(row[:2] for row in program[:-1])
    campaign = members["campaign"]
    assert values["id"] == "-"
    assert values["Nama Program"] == "BPJS Ketenagakerjaan - Desa Sadar 2026"
    assert values["Sasaran Program"] == "1"
    assert "Socorejo" in values["Keterangan"]
    assert values["Asal Dana"] == "Dana Desa"  # Dana Desa and ADD: the village's funds
    assert values["Rentang Waktu (Awal)"] == campaign.starts_on.isoformat()
    assert values["Rentang Waktu (Akhir)"] == campaign.ends_on.isoformat()
    peserta = sheets["Peserta"]
    assert list(peserta[0]) == [
        "Peserta", "No. Peserta", "NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat",
    ]  # fmt: skip
    assert peserta[-1][0] == "###"
    sri = next(row for row in peserta if row[3] == "Sri Rahayu")
    participant = members["listed"][0].participant
    assert sri == (
        participant.nik, None, participant.nik, "Sri Rahayu", None, "1985-03-12",
        "Jl. Masjid 1, RT 002 RW 001",
    )  # fmt: skip


def test_reading_it_back_gives_the_enrolled_members_niks(client, world, operator, members):
    """Verified and active members of the village counted by the campaign; not the submitted
    one, not another village's."""
    client.force_login(operator)
    response = client.get(url(members["campaign"], world.socorejo))
    program, participants = programme.read_programme(io.BytesIO(response.content))
    expected = sorted(r.participant.nik for r in members["listed"])
    assert sorted(p["NIK"] for p in participants) == expected
    assert sorted(p["Peserta"] for p in participants) == expected
    assert all(len(p["NIK"]) == 16 for p in participants)
    assert program["Sasaran Program"] == "1"


def test_never_a_phone_or_kpj_number(client, world, operator, branch_staff, admin_user, members):
    for user in (operator, branch_staff, admin_user):
        client.force_login(user)
        content = client.get(url(members["campaign"], world.socorejo)).content
        text = "\n".join(
            str(value) for rows in cells(content).values() for row in rows for value in row
        )
        for registration in members["listed"]:
            registration.refresh_from_db()
            assert registration.kpj and registration.kpj not in text
            assert registration.participant.phone not in text
            assert registration.participant.phone[2:] not in text  # as 0812...


def test_the_export_is_recorded(client, world, operator, members):
    client.force_login(operator)
    client.get(url(members["campaign"], world.socorejo))
    record = ExportRecord.objects.get()
    assert (record.by, record.dataset, record.file_format, record.row_count) == (
        operator, "opensid_programme", "xlsx", 2,
    )  # fmt: skip
    assert record.filters == {"campaign": "desa-sadar-2026", "village": "35.23.12.2002"}
    event = AuditEvent.objects.get(action="export")
    assert (event.user, event.village, event.object_id) == (
        operator,
        world.socorejo,
        str(record.pk),
    )


def test_only_villages_in_the_campaign_and_in_scope(
    client, world, operator, other_operator, other_branch_staff, branch_staff, members
):
    campaign = members["campaign"]
    client.force_login(other_operator)
    assert client.get(url(campaign, world.socorejo)).status_code == 404
    client.force_login(other_branch_staff)
    assert client.get(url(campaign, world.socorejo)).status_code == 404
    client.force_login(operator)
    assert client.get(url(campaign, world.karanglo)).status_code == 404
    client.force_login(branch_staff)
    assert client.get(url(campaign, world.karanglo)).status_code == 200
    assert client.get(url(campaign, world.karanglewas)).status_code == 404  # not in the campaign
    assert not ExportRecord.objects.filter(by__in=[other_operator, other_branch_staff]).exists()


def test_other_funds_are_lain_lain_and_no_cell_runs_as_a_formula():
    programme_file = programme.programme_workbook(
        programme.Programme(
            name="=HYPERLINK(\"x\")", description="", funds=programme.FUNDS_OTHER,
            starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31),
        ),
        [programme.Member(nik="3523125203850002", name="+Siti", birth_date=None)],
    )  # fmt: skip
    program, participants = programme.read_programme(io.BytesIO(programme_file))
    assert program["Asal Dana"] == "Lain-lain (Hibah)"
    assert program["Nama Program"].startswith("'=")  # never run as a formula
    assert participants == [
        {"Peserta": "3523125203850002", "No. Peserta": "", "NIK": "3523125203850002",
         "Nama": "'+Siti", "Tempat Lahir": "", "Tanggal Lahir": "", "Alamat": ""}
    ]  # fmt: skip
