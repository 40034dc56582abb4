"""Reading village spreadsheets (enrollment/importing.py): formats, headings, values and every
way a file is refused, with its exact message. No database."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from openpyxl import Workbook, load_workbook

from enrollment import importing
from enrollment.nik import parse_nik
from sheets.cells import village_code
from sheets.reading import ImportRefused
from sheets.writing import neutralize

HEADERS = ["NIK", "Nama Lengkap", "Kategori", "Penghasilan", "Sumber Dana"]
ROW = ["3523120801900001", "Sutrisno", "Pekerja rentan", "1.000.000", "Dana Desa"]


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", newline="\r\n") -> bytes:
    """A CSV as offices write it: every field quoted when it holds the separator or a quote."""

    def field(value):
        value = "" if value is None else str(value)
        if any(ch in value for ch in (delimiter, '"', "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = newline.join(delimiter.join(field(v) for v in row) for row in rows) + newline
    return text.encode(encoding)


def xlsx_bytes(rows, *, sheet="Peserta", extra_sheets=()) -> bytes:
    workbook = Workbook()
    for title in extra_sheets:
        workbook.create_sheet(title)
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def inspect(content: bytes, name="daftar.csv", *, village_column=False) -> importing.Layout:
    return importing.inspect_file(
        io.BytesIO(content), name=name, size=len(content), village_column=village_column
    )


def rows_of(content: bytes, name="daftar.csv") -> list[dict]:
    layout = inspect(content, name)
    file = io.BytesIO(content)
    return [layout.values(row.cells) for row in importing.read_rows(file, layout)]


def refusal(content: bytes, name="daftar.csv", **kwargs) -> str:
    """The refusal's message read in English (it is lazy: rendered in the language it is read
    in, so that a stored refusal can be kept in every language)."""
    with pytest.raises(ImportRefused) as caught:
        inspect(content, name, **kwargs)
    with translation.override("en"):
        return str(caught.value.message)


# Formats ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (",", "utf-8-sig"), (";", "cp1252")],
)
def test_csv_with_comma_or_semicolon_and_any_usual_encoding_is_read(delimiter, encoding):
    """Comma or semicolon (Excel in an Indonesian locale), UTF-8 with or without the BOM, or
    Windows-1252: the same rows come out, accents intact."""
    row = [*ROW[:1], "Ratna Dewi Anggraéni", *ROW[2:]]
    content = csv_bytes([HEADERS, row], delimiter=delimiter, encoding=encoding)
    layout = inspect(content)
    assert layout.delimiter == delimiter
    assert layout.encoding == ("cp1252" if encoding == "cp1252" else encoding)
    [values] = rows_of(content)
    assert values["full_name"] == "Ratna Dewi Anggraéni"
    assert values["nik"] == "3523120801900001"


def test_csv_quoted_fields_keep_separators_quotes_and_line_breaks():
    content = csv_bytes(
        [
            HEADERS + ["Alamat"],
            [*ROW, 'Dusun Krajan; RT 1, "Gang Mawar"\nDekat masjid'],
        ],
        delimiter=";",
    )
    [values] = rows_of(content)
    assert values["address"] == 'Dusun Krajan; RT 1, "Gang Mawar"\nDekat masjid'


def test_csv_blank_lines_and_trailing_spaces_are_ignored_and_rows_keep_their_numbers():
    """Blank lines are skipped but counted, so row numbers match what Excel shows."""
    content = (
        b"NIK ; Nama Lengkap ;Kategori;Penghasilan;Sumber Dana  \n"
        b"\n"
        b"3523120801900001  ;Sutrisno   ;rentan;1000000;mandiri \n"
        b" ; ; ; ; \n"
        b"\n"
        b"3523120801900002;Sri;bpu;1000000;mandiri\n"
    )
    layout = inspect(content)
    numbers = [row.number for row in importing.read_rows(io.BytesIO(content), layout)]
    assert numbers == [3, 6]
    values = layout.values(next(importing.read_rows(io.BytesIO(content), layout)).cells)
    assert importing.form_data(values)[0]["nik"] == "3523120801900001"
    assert importing.form_data(values)[0]["full_name"] == "Sutrisno"


def test_xlsx_is_read_streaming_with_title_rows_above_the_headings():
    """A title above the heading row is skipped; rows are numbered as Excel shows them."""
    content = xlsx_bytes(
        [["DAFTAR PESERTA DESA SOCOREJO"], [], HEADERS, ROW, [None] * 5, ROW[:1] + ["Sri"]]
    )
    layout = inspect(content, "daftar.xlsx")
    assert (layout.file_format, layout.header_row) == ("xlsx", 3)
    numbers = [row.number for row in importing.read_rows(io.BytesIO(content), layout)]
    assert numbers == [4, 6]


def test_xlsx_shared_strings_are_read_as_openpyxl_reads_them(tmp_path):
    """Excel keeps text in a shared-strings table, which the importer reads itself (faster):
    formatted runs joined, phonetic guides left out, Excel's escapes undone, as openpyxl does."""
    import xlsxwriter

    path = tmp_path / "daftar.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Peserta")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ROW)
    sheet.write_rich_string(2, 1, "Sri ", bold, "Wahyu", "ningsih")
    sheet.write_row(2, 2, ["  Pekerja rentan  ", "a_x005F_b", "Dana Désa 中"])
    sheet.write_string(2, 0, "3523120801900002")
    workbook.close()
    content = path.read_bytes()

    expected = load_workbook(io.BytesIO(content), read_only=True)["Peserta"]
    expected_rows = [dict(zip(HEADERS, row, strict=True)) for row in expected.values][1:]
    read = rows_of(content, "daftar.xlsx")
    assert [list(values.values()) for values in read] == [
        list(row.values()) for row in expected_rows
    ]
    assert read[1]["full_name"] == "Sri Wahyuningsih"


def test_xlsx_sheet_with_the_nik_column_is_found_after_an_instructions_sheet():
    workbook = Workbook()
    workbook.active.title = "Petunjuk"
    workbook.active.append(["Isi daftar pada lembar Peserta"])
    data = workbook.create_sheet("Peserta")
    data.append(HEADERS)
    data.append(ROW)
    buffer = io.BytesIO()
    workbook.save(buffer)
    layout = inspect(buffer.getvalue(), "daftar.xlsx")
    assert layout.sheet == "Peserta"


def test_a_resumed_read_carries_on_after_the_given_row():
    content = csv_bytes([HEADERS, ROW, ROW, ROW])
    layout = inspect(content)
    assert [r.number for r in importing.read_rows(io.BytesIO(content), layout, after=3)] == [4]


# Headings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("Nama Lengkap", "full_name"), ("NAMA", "full_name"),
        ("nama lengkap (sesuai KTP)", "full_name"),
        ("No. HP", "phone"), ("Telepon", "phone"), ("No HP", "phone"), ("WA", "phone"),
        ("No. HP/WA", "phone"), ("Tgl Lahir", "birth_date"), ("Tanggal Lahir", "birth_date"),
        ("Tgl. Lahir (dd-mm-yyyy)", "birth_date"), ("Jenis Kelamin", "sex"), ("JK", "sex"),
        ("L/P", "sex"), ("Kategori", "category"), ("Penghasilan", "declared_income"),
        ("Upah", "declared_income"), ("Penghasilan (Rp)", "declared_income"),
        ("Sumber Dana", "funding_source"), ("Dibayar oleh", "funding_source"), ("JHT", "jht"),
        ("Kode Desa", "village"), ("kode desa/kelurahan", "village"), ("NIK*", "nik"),
        ("No. KTP", "nik"), ("Perusahaan CSR", "funding_company"), ("  rt ", "rt"),
    ],
)  # fmt: skip
def test_headings_are_matched_whatever_their_case_spaces_punctuation_or_synonym(heading, field):
    columns, ignored = importing.match_headers(["No", heading])
    assert columns[field].header == heading.strip()
    assert ignored == ["No"]


def test_two_columns_for_the_same_field_are_refused():
    with pytest.raises(ImportRefused) as caught:
        importing.match_headers(["Nama", "Nama Lengkap"])
    with translation.override("en"):
        assert caught.value.message == (
            "Two columns mean the same thing: Nama and Nama Lengkap. Keep one of them."
        )


# Values ---------------------------------------------------------------------------------------


def data_for(**cells):
    return importing.form_data(cells)


@pytest.mark.parametrize(
    ("cell", "code"),
    [("Laki-laki", "M"), ("L", "M"), ("l", "M"), ("Pria", "M"), ("Perempuan", "F"), ("P", "F"),
     ("wanita", "F"), ("", ""), ("X", "X")],
)  # fmt: skip
def test_sex_is_read_in_indonesian(cell, code):
    assert data_for(sex=cell)[0]["sex"] == code


@pytest.mark.parametrize(
    ("cell", "code"),
    [("Pekerja rentan", "rentan"), ("rentan", "rentan"), ("RENTAN", "rentan"),
     ("Perangkat desa", "perangkat"), ("Ketua RT/RW", "rt_rw"), ("BPU", "bpu"),
     ("Pekerja bukan penerima upah / mandiri (BPU)", "bpu"), ("Honorer", "honorer"),
     ("Vulnerable worker (pekerja rentan)", "rentan"), ("petani", "petani")],
)  # fmt: skip
def test_worker_category_is_read_by_indonesian_or_english_name_or_code(cell, code):
    assert data_for(category=cell)[0]["category"] == code


@pytest.mark.parametrize(
    ("cell", "code"),
    [("Dana Desa", "dana_desa"), ("DD", "dana_desa"), ("ADD", "add"),
     ("Alokasi Dana Desa", "add"), ("Mandiri", "mandiri"), ("Peserta sendiri (mandiri)", "mandiri"),
     ("CSR", "csr"), ("CSR perusahaan", "csr"), ("Bank sampah", "bank_sampah"),
     ("jimpitan", "jimpitan"), ("APBD", "apbd"), ("Lainnya", "lainnya")],
)  # fmt: skip
def test_funding_source_is_read_by_indonesian_name_or_code(cell, code):
    assert data_for(funding_source=cell)[0]["funding_source"] == code


@pytest.mark.parametrize(
    ("cell", "checked"),
    [("Ya", True), ("ya", True), ("Y", True), ("1", True), (1, True), (True, True), ("✓", True),
     ("Tidak", False), ("tidak", False), ("T", False), ("", False), (None, False), (0, False),
     (False, False), ("-", False)],
)  # fmt: skip
def test_jht_is_read_as_ya_or_tidak(cell, checked):
    data, problems = data_for(jht=cell)
    assert ("jht" in data) is checked
    assert problems == {}


def test_a_jht_cell_that_is_neither_ya_nor_tidak_is_a_problem():
    with translation.override("en"):
        data, problems = data_for(jht="mungkin")
        assert problems == {"jht": "Write Ya or Tidak."}


@pytest.mark.parametrize(
    ("cell", "iso"),
    [("08-01-1990", "1990-01-08"), ("8/1/1990", "1990-01-08"), ("1990-01-08", "1990-01-08"),
     ("08.01.1990", "1990-01-08"), (datetime.datetime(1990, 1, 8), "1990-01-08"),
     (datetime.date(1990, 1, 8), "1990-01-08"), (32881, "1990-01-08"), ("", ""),
     ("kemarin", "kemarin")],
)  # fmt: skip
def test_dates_are_read_as_excel_dates_or_day_month_year_text(cell, iso):
    data, problems = data_for(birth_date=cell)
    assert data["birth_date"] == iso
    assert problems == {}


def test_a_two_digit_year_is_a_problem():
    with translation.override("en"):
        _data, problems = data_for(birth_date="08-01-90")
        assert problems == {"birth_date": "Write the year with four digits, such as 08-01-1990."}


def test_numbers_lose_the_spurious_decimal_and_text_its_protective_apostrophe():
    data, _problems = data_for(
        declared_income=1500000.0, phone=81234567890, rt=1, nik="'3523120801900001"
    )
    assert data["declared_income"] == "1500000"
    assert data["phone"] == "81234567890"
    assert data["rt"] == "1"
    assert data["nik"] == "3523120801900001"


@pytest.mark.parametrize("cell", [3523120801900001, 3523120801900000.0, 3.52312e15])
def test_a_nik_stored_as_a_number_is_refused_by_the_nik_rules_with_the_fix(cell):
    """Never repaired: the value is shown the way the spreadsheet shows it, and nik.py says what
    happened and how to fix it."""
    nik = data_for(nik=cell)[0]["nik"]
    assert nik == "3.52312E+15"
    with pytest.raises(ValidationError) as caught:
        parse_nik(nik)
    with translation.override("id"):
        assert caught.value.messages == [
            "Lembar kerja menyimpan NIK sebagai angka dan menyingkatnya menjadi 3.52312E+15. "
            "Ubah format kolom NIK menjadi Teks, lalu ketik ulang NIK."
        ]


@pytest.mark.parametrize(
    ("cell", "code"),
    [("35.23.12.2002", "35.23.12.2002"), ("3523122002", "35.23.12.2002"),
     (3523122002, "35.23.12.2002"), (" 35.23.12.2002 ", "35.23.12.2002"), ("", "")],
)  # fmt: skip
def test_village_codes_are_read_with_or_without_dots(cell, code):
    assert village_code(cell) == code


def test_the_template_example_row_is_recognised():
    assert importing.is_example_row({"full_name": "Contoh: Siti Aminah (hapus baris ini)"})
    assert not importing.is_example_row({"full_name": "Siti Contoh"})


# Refusals, each with its message ------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = csv_bytes([HEADERS] + [ROW] * 40)
    assert refusal(content) == "The file is 2.5\xa0KB; the largest allowed is 1.0\xa0KB."


@pytest.mark.parametrize("name", ["daftar.pdf", "daftar.docx", "daftar", "daftar.ods"])
def test_a_file_of_another_type_is_refused(name):
    assert refusal(b"%PDF-1.4 whatever", name) == (
        "Upload the list as an Excel workbook (.xlsx) or a CSV file (.csv)."
    )


def test_a_binary_file_named_csv_is_refused():
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "daftar.csv") == (
        "Upload the list as an Excel workbook (.xlsx) or a CSV file (.csv)."
    )


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLS_MESSAGE = (
    "Old Excel files (.xls) cannot be read. In Excel choose Save As and pick Excel Workbook "
    "(.xlsx), then upload that file."
)


@pytest.mark.parametrize("name", ["daftar.xls", "daftar.xlsx"])
def test_an_old_xls_workbook_is_refused(name):
    assert refusal(OLE2 + b"\x00" * 600 + "Workbook".encode("utf-16-le"), name) == XLS_MESSAGE


def test_a_password_protected_workbook_is_refused():
    """Excel saves a workbook with a password as an OLE2 file holding an EncryptedPackage."""
    content = OLE2 + b"\x00" * 2000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    assert refusal(content, "daftar.xlsx") == (
        "The workbook is protected with a password. Remove the password in Excel "
        "(File > Info > Protect Workbook), save it and upload it again."
    )


DAMAGED = (
    "The Excel file is damaged and cannot be read. Open it in Excel, save it again as .xlsx "
    "and upload it again."
)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(xlsx_bytes([HEADERS, ROW])[:900], id="truncated"),
        pytest.param(b"PK\x03\x04" + b"rubbish" * 50, id="bad zip"),
        pytest.param(b"NIK;Nama\n1;2\n", id="text named xlsx"),
    ],
)
def test_a_damaged_workbook_is_refused(content):
    assert refusal(content, "daftar.xlsx") == DAMAGED


def test_a_zip_that_is_not_a_workbook_is_refused_as_damaged():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert refusal(buffer.getvalue(), "daftar.xlsx") == DAMAGED


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"", "daftar.csv"), (b"", "daftar.xlsx"), (b"\r\n\r\n ; ; \r\n", "daftar.csv"),
     (b"\xef\xbb\xbf", "daftar.csv"), (xlsx_bytes([]), "daftar.xlsx")],
)  # fmt: skip
def test_an_empty_file_is_refused(content, name):
    assert refusal(content, name) == "The file is empty."


@pytest.mark.parametrize(
    ("content", "name"),
    [(csv_bytes([HEADERS]), "daftar.csv"), (xlsx_bytes([HEADERS, [], [None]]), "daftar.xlsx")],
)
def test_a_file_with_headings_but_no_rows_is_refused(content, name):
    assert refusal(content, name) == "The file has column headings but no rows of residents."


def test_missing_required_columns_are_named():
    content = csv_bytes([["NIK", "Nama", "Alamat"], ["3523120801900001", "Sutrisno", "Krajan"]])
    assert refusal(content) == (
        "Columns missing: Kategori, Penghasilan, Sumber Dana. Download the template to see the "
        "expected columns."
    )


def test_the_village_code_column_is_required_when_rows_name_their_village():
    assert refusal(csv_bytes([HEADERS, ROW]), village_column=True) == (
        "Columns missing: Kode Desa. Download the template to see the expected columns."
    )


def test_a_csv_with_too_many_rows_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    assert refusal(csv_bytes([HEADERS] + [ROW] * 4)) == (
        "The file has more than 3 rows. Split it into files of at most 3 rows."
    )


# Writing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+62812", "'+62812"),
     ("-1+1", "'-1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
     ("Sutrisno", "Sutrisno"), (1000, 1000), (None, None)],
)  # fmt: skip
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(value, written):
    assert neutralize(value) == written


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("village_column", [True, False])
def test_the_template_reads_back_with_every_column_and_its_example_row_skipped(
    file_format, village_column
):
    content = importing.template_file(
        file_format, example_village="35.23.12.2002", village_column=village_column
    )
    layout = inspect(content, f"templat.{file_format}", village_column=village_column)
    expected = set(importing.HEADERS) - (set() if village_column else {"village"})
    assert set(layout.columns) == expected
    [values] = [layout.values(r.cells) for r in importing.read_rows(io.BytesIO(content), layout)]
    assert importing.is_example_row(values)
    data, problems = importing.form_data(values)
    assert problems == {}
    assert data["nik"] == "3523124801900001"
    assert parse_nik(data["nik"]).sex == "F"


def test_the_xlsx_template_keeps_the_nik_column_as_text():
    content = importing.template_file("xlsx", example_village=None, village_column=False)
    sheet = load_workbook(io.BytesIO(content))["Peserta"]
    assert sheet["A2"].value == "3523124801900001"
    assert sheet["A500"].number_format == "@"
