"""What an uploaded spreadsheet may unpack to (sheets.guard): decompression bombs,
huge cells, sheets a million rows deep, a million CSV columns. Each refused with its message,
by the shared reader and so by every upload that reads a spreadsheet."""

import io
import tracemalloc

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from enrollment import importing
from opensid.residents import read_export
from sheets import guard as sheet_guard
from sheets.reading import ImportRefused
from tests import bombs
from tests.enrollment.test_importing import HEADERS, ROW, csv_bytes


def refusal(content: bytes, name="daftar.xlsx") -> ImportRefused:
    """The refusal, its (lazy) message read in English."""
    with pytest.raises(ImportRefused) as caught:
        layout = importing.inspect_file(
            io.BytesIO(content), name=name, size=len(content), village_column=False
        )
        list(importing.read_rows(io.BytesIO(content), layout))
    with translation.override("en"):
        return ImportRefused(str(caught.value.message), code=caught.value.code)


def sparse_xlsx(cells: dict[tuple[int, int], str]) -> bytes:
    workbook = Workbook()
    for (row, column), value in cells.items():
        workbook.active.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_headers(extra: dict[tuple[int, int], str]) -> bytes:
    cells = {(1, column + 1): header for column, header in enumerate(HEADERS)}
    cells |= {(2, column + 1): value for column, value in enumerate(ROW)}
    return sparse_xlsx(cells | extra)


def test_a_plain_workbook_with_shared_strings_is_still_read():
    content = bombs.xlsx_bomb(0)
    layout = importing.inspect_file(
        io.BytesIO(content), name="daftar.xlsx", size=len(content), village_column=False
    )
    assert [row.cells for row in importing.read_rows(io.BytesIO(content), layout)] == [tuple(ROW)]


def test_a_workbook_unpacking_a_thousandfold_is_refused_before_it_is_parsed():
    content = bombs.xlsx_bomb(20)  # 20 kB that unpack to 20 MB
    refused = refusal(content)
    assert refused.code == "unpacks_too_much"
    assert "more than 100 times" in refused.message


def test_the_check_of_a_300_mb_bomb_stays_within_a_few_megabytes_of_memory():
    """The issue's file: 300 kB unpacking to 300 MB (parsed, it peaked at 1 GB)."""
    content = bombs.xlsx_bomb(300)
    assert len(content) < 400 * 1024
    tracemalloc.start()
    try:
        refused = refusal(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.code == "unpacks_too_much"
    assert peak < 5 * sheet_guard.MB


def test_a_zip_directory_that_lies_about_sizes_unpacks_no_more_than_it_declares():
    content = bombs.xlsx_lying_sizes(50)
    tracemalloc.start()
    try:
        refused = refusal(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.code == "damaged"
    assert peak < 10 * sheet_guard.MB


def test_a_workbook_unpacking_to_more_than_the_setting_is_refused(settings):
    settings.IMPORT_MAX_UNPACKED_MB = 1
    rows = [HEADERS] + [
        [f"35231208019{n:05d}", f"Warga {n}", "Rentan", "1", "DD"] for n in range(6000)
    ]
    refused = refusal(bombs.xlsx_bomb(0, rows=rows))
    assert refused.code == "unpacks_too_much"
    assert "the most the portal reads is 1.0" in refused.message


def test_shared_strings_beyond_their_own_limit_are_refused(settings):
    settings.IMPORT_MAX_SHARED_STRINGS_MB = 1
    settings.IMPORT_MAX_PART_RATIO = 10_000
    assert refusal(bombs.xlsx_bomb(2)).code == "unpacks_too_much"


def test_a_cell_longer_than_excel_allows_is_refused_in_a_workbook():
    refused = refusal(bombs.xlsx_bomb(0, rows=[HEADERS, ROW, ["x" * 40_000]]))
    assert refused.code == "cell_too_long"
    assert "32.767" in refused.message


def test_a_cell_longer_than_excel_allows_is_refused_in_a_csv_file():
    refused = refusal(csv_bytes([HEADERS, ROW, [*ROW[:1], "x" * 40_000]]), "daftar.csv")
    assert refused.code == "cell_too_long"


def test_a_sheet_going_on_for_a_million_empty_rows_is_refused():
    refused = refusal(with_headers({(1_000_000, 1): "x"}))
    assert refused.code == "too_many_sheet_rows"
    assert "40.100" in refused.message


def test_a_csv_line_of_a_million_columns_is_refused():
    content = csv_bytes([HEADERS, ROW]) + b"," * 1_000_000 + b"\r\n"
    refused = refusal(content, "daftar.csv")
    assert refused.code == "line_too_long"


def test_a_csv_row_with_more_columns_than_allowed_is_refused():
    content = csv_bytes([HEADERS, ROW, ["1"] * 600])
    refused = refusal(content, "daftar.csv")
    assert refused.code == "too_many_columns"
    assert "Row 3 has more than 500 columns" in refused.message


def test_a_workbook_row_with_more_columns_than_allowed_is_refused():
    refused = refusal(with_headers({(3, 700): "x"}))
    assert refused.code == "too_many_columns"


def test_the_opensid_upload_refuses_a_bomb():
    content = bombs.xlsx_bomb(20)
    with translation.override("en"), pytest.raises(ImportRefused) as caught:
        read_export(io.BytesIO(content), name="penduduk.xlsx", size=len(content))
    assert caught.value.code == "unpacks_too_much"


def test_the_village_data_import_refuses_a_bomb(client, branch_staff):
    client.cookies["django_language"] = "en"
    client.force_login(branch_staff)
    file = SimpleUploadedFile("data.xlsx", bombs.xlsx_bomb(20))
    response = client.post(reverse("village_data_import"), {"file": file})
    assert response.status_code == 200
    assert "more than 100 times" in " ".join(response.context["form"].errors["file"])


def test_the_registration_import_refuses_a_bomb(client, operator):
    client.cookies["django_language"] = "en"
    client.force_login(operator)
    file = SimpleUploadedFile("daftar.xlsx", bombs.xlsx_bomb(20))
    response = client.post(reverse("registration_import"), {"file": file})
    assert response.status_code == 200
    assert "more than 100 times" in " ".join(response.context["form"].errors["file"])


def test_the_error_file_of_a_stored_bomb_is_refused_not_parsed(client, operator, world):
    from tests.enrollment.test_import_views import as_xlsx, resident, upload_ok

    client.cookies["django_language"] = "en"
    client.force_login(operator)
    rows = [resident(world.socorejo), resident(world.socorejo, Kategori="petani")]
    batch = upload_ok(client, as_xlsx(rows), "daftar.xlsx")
    assert batch.error_count == 1
    batch.file.save("bom.xlsx", ContentFile(bombs.xlsx_bomb(20)))  # stored before the guard
    response = client.get(reverse("registration_import_errors", args=[batch.pk]), follow=True)
    assert response.redirect_chain[0][0] == batch.get_absolute_url()
    assert "more than 100 times" in response.text
