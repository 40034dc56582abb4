"""Exporting the registrations list: exactly the filtered rows, in the list's order, as XLSX,
CSV or the BPJS layout; every export recorded."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.models import ExportRecord, ImportBatch
from portal.models import AuditEvent

from .registering import nik_for, register
from .test_import_views import confirm, upload_ok


@pytest.fixture
def registrations(world, operator, branch_staff):
    """Socorejo and Karanglo (Tuban), Karanglewas (Banyumas), registered a day apart."""
    other = [
        (world.socorejo, {"full_name": "Sutrisno", "category": "rentan"}),
        (world.socorejo, {"full_name": "Siti Aminah", "category": "perangkat", "jht": True,
                          "declared_income": 2_000_000, "funding_source": "dana_desa"}),
        (world.socorejo, {"full_name": "Budi Santoso", "category": "rentan",
                          "phone": "6281234567890"}),
        (world.karanglo, {"full_name": "Wahyuni", "category": "rentan"}),
        (world.karanglewas, {"full_name": "Rahasia Banyumas", "category": "rentan"}),
    ]  # fmt: skip
    created = []
    start = timezone.now() - datetime.timedelta(days=10)
    for day, (village, data) in enumerate(other):
        registration = register(village, operator, **data)
        registration.created_at = start + datetime.timedelta(days=day)
        registration.save(update_fields=["created_at"])
        created.append(registration)
    return created


def listed_niks(client, query: str) -> list[str]:
    """The NIKs the registrations list shows for a query (all on one page here)."""
    table = client.get(reverse("registration_list") + query).context["table"]
    return [row.record.participant.nik for row in table.paginated_rows]


def exported(client, fmt: str, query: str = "") -> list[list]:
    response = client.get(reverse("registration_export", args=[fmt]) + query)
    assert response.status_code == 200
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.values]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "bpjs"])
@pytest.mark.parametrize(
    "query",
    ["", "?category=rentan", "?q=Si", "?category=rentan&sort=name", "?program=jht",
     "?village=35.23.08.2016", "?sort=-nik&status=submitted", "?status=verified"],
)  # fmt: skip
def test_the_export_has_exactly_the_rows_the_filtered_list_shows(
    client, branch_staff, registrations, fmt, query
):
    client.force_login(branch_staff)
    rows = exported(client, fmt, query)
    assert [row[0] for row in rows[1:]] == listed_niks(client, query)


def test_an_operator_exports_only_their_village(client, operator, registrations):
    client.force_login(operator)
    rows = exported(client, "xlsx")
    assert {row[14] for row in rows[1:]} == {"35.23.12.2002"}
    assert len(rows) == 4


def test_an_invalid_filter_exports_nothing_as_the_list_shows_nothing(
    client, branch_staff, registrations
):
    client.force_login(branch_staff)
    assert listed_niks(client, "?status=nonsense") == []
    assert exported(client, "csv", "?status=nonsense") == [exported(client, "csv")[0]]


def test_the_list_layout_reads_like_the_import_template(client, operator, registrations):
    """The first columns are the import template's; a village operator's file has no KPJ."""
    client.force_login(operator)
    header, *rows = exported(client, "xlsx", "?q=Siti")
    assert header == [
        "NIK", "Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "No. HP", "Alamat", "RT", "RW",
        "Pekerjaan", "Kategori", "JHT", "Penghasilan", "Sumber Dana", "Perusahaan CSR",
        "Kode Desa", "Kelompok Pekerjaan", "Pemberi Kerja", "Iuran per Bulan", "Desa", "Kecamatan",
        "Status", "Tanggal Daftar", "Iuran terakhir",
    ]  # fmt: skip
    siti = registrations[1]
    # A village official: wage-earner rates of this month (issue 18), JKK 0.24 % + JKM 0.30 % +
    # JHT 5.7 % of Rp2,000,000 = Rp124,800 (was priced as BPU, Rp66,800).
    assert rows == [
        [siti.participant.nik, "Siti Aminah", datetime.datetime(1990, 1, 8), "L", None,
         "Dusun Krajan", "001", "002", "Nelayan", "Perangkat desa", "Ya", 2_000_000, "Dana Desa",
         None, "35.23.12.2002", "Lainnya", None, 124_800, "Socorejo", "Jenu", "Diajukan",
         datetime.datetime.combine(timezone.localtime(siti.created_at).date(), datetime.time()),
         None],
    ]  # fmt: skip


def test_the_csv_writes_dates_the_indonesian_way(client, operator, registrations):
    client.force_login(operator)
    header, *rows = exported(client, "csv", "?q=Budi")
    assert rows[0][2] == "08-01-1990"
    assert rows[0][4] == "0812-3456-7890"  # as on every page (issue #20)


def test_the_bpjs_layout_has_the_columns_branch_staff_type_in(client, branch_staff, registrations):
    client.force_login(branch_staff)
    header, *rows = exported(client, "bpjs", "?q=Siti")
    assert header == [
        "NIK", "Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "KPJ", "Program", "Penghasilan",
        "Iuran", "Sumber Dana", "Kode Desa",
    ]  # fmt: skip
    # Issue 18: this month's premium of a village official (wage-earner rates).
    assert rows == [
        [registrations[1].participant.nik, "Siti Aminah", datetime.datetime(1990, 1, 8), "L",
         None, "JKK, JKM, JHT", 2_000_000, 124_800, "Dana Desa", "35.23.12.2002"],
    ]  # fmt: skip


def test_every_export_is_recorded_with_who_when_what_filter_and_how_many_rows(
    client, branch_staff, registrations
):
    client.force_login(branch_staff)
    before = timezone.now()
    exported(client, "bpjs", "?category=rentan&q=&page=2")
    exported(client, "csv")
    first, second = ExportRecord.objects.order_by("at")
    assert (first.by, first.file_format, first.row_count) == (branch_staff, "bpjs", 3)
    assert first.filters == {"category": "rentan"}
    assert first.dataset == "registrations"
    assert first.at >= before
    assert (second.file_format, second.row_count, second.filters) == ("csv", 4, {})
    events = AuditEvent.objects.filter(action="export").order_by("at")
    assert [(e.user, e.detail["format"], e.detail["rows"]) for e in events] == [
        (branch_staff, "bpjs", 3),
        (branch_staff, "csv", 4),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_that_would_run_as_formulas_are_neutralised(client, operator, world, fmt):
    register(world.socorejo, operator, full_name='=HYPERLINK("http://x","klik")',
             occupation="+62 nelayan", address="@SUM(A1)")  # fmt: skip
    client.force_login(operator)
    _header, row = exported(client, fmt)
    assert row[1] == '\'=HYPERLINK("http://x","klik")'
    assert row[5] == "'@SUM(A1)"
    assert row[8] == "'+62 nelayan"


def test_an_unknown_format_is_not_found_and_not_recorded(client, operator):
    client.force_login(operator)
    assert client.get(reverse("registration_export", args=["pdf"])).status_code == 404
    assert not ExportRecord.objects.exists()


@pytest.mark.parametrize(
    ("role", "status", "villages"),
    [(None, 302, None), ("inactive_user", 302, None),
     ("admin_user", 200, {"35.23.12.2002", "35.23.08.2016", "33.02.03.2003"}),
     ("branch_staff", 200, {"35.23.12.2002", "35.23.08.2016"}),
     ("operator", 200, {"35.23.12.2002"}), ("other_operator", 200, {"33.02.03.2003"})],
)  # fmt: skip
def test_every_role_exports_only_the_rows_it_may_see(
    client, request, registrations, role, status, villages
):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("registration_export", args=["csv"]))
    assert response.status_code == status
    if villages:
        _header, *rows = exported(client, "csv")
        assert {row[14] for row in rows} == villages


def test_an_exported_file_imports_again_as_already_registered(
    client, branch_staff, registrations, world
):
    """The list layout starts with the template's columns: a round trip creates nothing."""
    client.force_login(branch_staff)
    content = client.get(reverse("registration_export", args=["xlsx"])).content
    batch = upload_ok(client, content, "ekspor.xlsx")
    assert (batch.new_count, batch.existing_count, batch.error_count) == (0, 4, 0)
    confirm(client, batch)
    assert ImportBatch.objects.get().created_count == 0


def test_a_new_resident_added_to_an_export_is_imported(client, branch_staff, registrations, world):
    client.force_login(branch_staff)
    content = client.get(reverse("registration_export", args=["csv"])).content.decode("utf-8-sig")
    nik = nik_for(world.karanglo, birth="010285")
    line = f"{nik};Warga Baru;;;;;;;;Pekerja rentan;Tidak;1000000;Mandiri;;35.23.08.2016\r\n"
    batch = upload_ok(client, (content + line).encode("utf-8-sig"), "ekspor.csv")
    assert (batch.new_count, batch.existing_count) == (1, 4)
