"""Property-based tests over the pure parsers: whatever people type or upload, the NIK, phone and
Rupiah parsers raise only ValidationError and the import reader only ImportRefused; what the
portal writes into spreadsheets is never run as a formula. No database.

Deterministic (derandomize) and kept small, so the whole file runs in seconds in CI.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from enrollment import importing
from enrollment.nik import PROVINCE_CODES, mask_nik, parse_nik
from enrollment.premiums import RateTable, compute_premium, format_rupiah, parse_rupiah
from portal.phone import format_phone, normalize_phone, whatsapp_url
from sheets import guard as sheet_guard
from sheets.cells import header_key
from sheets.reading import ImportRefused
from sheets.writing import SheetWriter, neutralize

# The autouse settings fixture of tests/conftest.py is function scoped; it only swaps settings
# that these pure functions never read, so sharing it between examples is harmless.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(FUZZ, max_examples=40)

TODAY = datetime.date(2025, 6, 30)

# Text people paste: anything printable or not, plus the characters that matter to the parsers.
junk_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from("0123456789 .,-+()/;:'\"\t\r\n\x00=@Rp"),
    ),
    max_size=40,
)


# NIK -----------------------------------------------------------------------------------------


@FUZZ
@given(junk_text)
def test_parse_nik_refuses_only_with_validation_error(value):
    try:
        info = parse_nik(value, today=TODAY)
    except ValidationError:
        return
    assert re.fullmatch(r"[0-9]{16}", info.nik)
    masked = mask_nik(info.nik)
    assert masked[:6] == info.nik[:6] and masked[-4:] == info.nik[-4:]
    assert masked[6:12] == "******"
    assert parse_nik(info.nik, today=TODAY) == info


@FUZZ
@given(st.text(alphabet="0123456789 .-", min_size=10, max_size=24))
def test_parse_nik_digit_shaped_input(value):
    try:
        info = parse_nik(value, today=TODAY)
    except ValidationError:
        return
    assert info.nik == re.sub(r"[^0-9]", "", value)
    assert info.birth_date <= TODAY


@st.composite
def valid_niks(draw):
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    regency = draw(st.integers(1, 99))
    district = draw(st.integers(1, 99))
    # Within the last hundred years the two-digit year names one date only.
    birth = draw(st.dates(min_value=datetime.date(TODAY.year - 99, 7, 1), max_value=TODAY))
    sex = draw(st.sampled_from("MF"))
    serial = draw(st.integers(1, 9999))
    day = birth.day + (40 if sex == "F" else 0)
    nik = f"{province:02d}{regency:02d}{district:02d}{day:02d}{birth:%m%y}{serial:04d}"
    return nik, birth, sex


@FUZZ
@given(valid_niks(), st.sampled_from(["", " ", ".", "-", " - "]))
def test_nik_from_valid_parts_parses_back(generated, separator):
    nik, birth, sex = generated
    grouped = separator.join([nik[0:4], nik[4:8], nik[8:12], nik[12:16]])
    info = parse_nik(grouped, today=TODAY)
    assert (info.nik, info.birth_date, info.sex) == (nik, birth, sex)
    assert info.district_code == f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}"
    assert mask_nik(info.nik) == nik[:6] + "******" + nik[-4:]


# Phone ---------------------------------------------------------------------------------------

phone_shaped = st.text(alphabet="0123456789+62 ()-.", max_size=24)


@FUZZ
@given(st.one_of(junk_text, phone_shaped))
def test_normalize_phone_refuses_only_with_validation_error(value):
    try:
        normalized = normalize_phone(value)
    except ValidationError:
        return
    assert normalized.startswith("62") and normalized.isascii() and normalized.isdigit()
    assert normalize_phone(normalized) == normalized
    assert format_phone(normalized).startswith("0")


@FUZZ
@given(
    st.sampled_from(["08", "+62 8", "628", "+62 (0)8", "8"]),
    st.text(alphabet="0123456789", min_size=8, max_size=12),
    junk_text,
)
def test_mobile_numbers_format_and_link(prefix, rest, message):
    try:
        normalized = normalize_phone(prefix + rest)
    except ValidationError:
        return
    assert normalized.startswith("628")
    assert format_phone(normalized).startswith("08")
    url = whatsapp_url(normalized, message)
    assert url.startswith(f"https://wa.me/{normalized}")


# Rupiah and premiums -------------------------------------------------------------------------

amount_shaped = st.text(alphabet="0123456789.,- RpIDR", max_size=30)


@FUZZ
@given(st.one_of(junk_text, amount_shaped))
def test_parse_rupiah_refuses_only_with_validation_error(value):
    try:
        amount = parse_rupiah(value)
    except ValidationError:
        return
    assert isinstance(amount, int) and amount >= 0


@FEW
@given(st.integers(0, 9), st.integers(4200, 4400), st.sampled_from(["", ",00", ".00"]))
def test_parse_rupiah_refuses_an_absurdly_long_number(digit, length, cents):
    """int() refuses more than 4300 digits with a ValueError (found by the fuzzer)."""
    digits = str(digit) * length
    try:
        assert parse_rupiah(digits + cents) == int(digits)
    except ValidationError as error:
        assert error.code == "invalid_amount"
    with pytest.raises(ValidationError):
        parse_rupiah("9" * 5000)


@FUZZ
@given(st.integers(min_value=0, max_value=10**18), st.sampled_from(["", " ", "Rp ", "IDR "]))
def test_format_rupiah_round_trips(amount, prefix):
    text = format_rupiah(amount)
    assert parse_rupiah(text) == amount
    assert parse_rupiah(prefix + text.removeprefix("Rp")) == amount
    assert parse_rupiah(f"{amount:,}") == amount  # English separators
    assert parse_rupiah(str(amount)) == amount


percent = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def rate_tables(draw):
    low = draw(st.integers(0, 10_000_000))
    return RateTable(
        effective_from=datetime.date(2025, 1, 1),
        jkk_percent=draw(percent),
        jkm_flat=draw(st.integers(0, 1_000_000)),
        jht_percent=draw(percent),
        min_income=low,
        max_income=draw(st.integers(low, 10**12)),
    )


@FUZZ
@given(st.integers(), st.booleans(), rate_tables())
def test_compute_premium(income, include_jht, rates):
    """Issue 18: any income is priced, put within the table's floor and top (never refused)."""
    premium = compute_premium(income=income, include_jht=include_jht, rates=rates)
    base = min(max(income, rates.min_income), rates.max_income)
    assert premium.total == premium.jkk + premium.jkm + premium.jht + premium.jp
    assert min(premium.jkk, premium.jkm, premium.jht, premium.total) >= 0
    assert premium.jht == 0 or include_jht
    assert abs(premium.jkk - Decimal(base) * rates.jkk_percent / 100) <= Decimal("0.5")


# Reading imports -----------------------------------------------------------------------------

HEADINGS = ["NIK", "Nama Lengkap", "Kategori", "Penghasilan", "Sumber Dana", "Kode Desa", "JHT"]
FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "@SUM(1)",
    "-1+1",
    "=1;2,3",
    '"=cmd"',
    "\t=1",
    "\r=1",
]
HUGE = 100_000
huge_cells = st.builds(
    lambda piece: piece * (HUGE // len(piece)),
    st.sampled_from(["a", "(", "(a", ")(", '"', '""', ";", ",", "\x00", "é", "=", "9", "\n"]),
)
cells = st.one_of(
    st.text(max_size=20),
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=5),  # control characters
    st.sampled_from(HEADINGS + FORMULAS + ["3523120801900001", "1.000.000", "Dana Desa", ""]),
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "shift_jis", "koi8-r", "big5"]


@st.composite
def csv_files(draw, *, huge=False):
    """Rows of cells joined by a mix of separators, with or without quotes, in some encoding."""
    heading = draw(st.lists(st.sampled_from(HEADINGS + FORMULAS), max_size=7))
    rows = [heading] + draw(st.lists(st.lists(cells, max_size=8), max_size=6))
    if huge:
        row = draw(st.integers(0, len(rows) - 1))
        rows[row] = rows[row] + [draw(huge_cells)]
    lines = []
    for row in rows:
        separator = draw(st.sampled_from([";", ",", "\t", ";,"]))
        quote = draw(st.booleans())
        lines.append(
            separator.join(f'"{c.replace(chr(34), chr(34) * 2)}"' if quote else c for c in row)
        )
    newline = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return newline.join(lines).encode(encoding, errors="replace")


def read_everything(data: bytes, name: str = "data.csv", *, village_column: bool = False):
    """What an upload goes through: inspection, every row, its form data and the error file."""
    file = io.BytesIO(data)
    layout = importing.inspect_file(file, name=name, size=len(data), village_column=village_column)
    numbers = []
    for row in importing.read_rows(file, layout):
        importing.form_data(layout.values(row.cells))
        numbers.append(row.number)
    importing.error_file(file, layout, dict.fromkeys(numbers, "Salah"))
    return layout


def reads_or_refuses(data: bytes, name: str = "data.csv", **kwargs) -> None:
    try:
        read_everything(data, name, **kwargs)
    except ImportRefused as refused:
        assert refused.message and refused.code


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["data.csv", "data.xlsx", "data.xls", "x"]))
def test_random_bytes_are_read_or_refused(data, name):
    reads_or_refuses(data, name)


@FUZZ
@given(st.text(max_size=300), st.sampled_from(ENCODINGS))
def test_random_text_in_any_encoding_is_read_or_refused(text, encoding):
    reads_or_refuses(text.encode(encoding, errors="replace"))


@FUZZ
@given(csv_files(), st.booleans())
def test_csv_like_files_are_read_or_refused(data, village_column):
    reads_or_refuses(data, village_column=village_column)


@FEW
@given(csv_files(huge=True))
def test_huge_cells_are_read_or_refused_quickly(data):
    reads_or_refuses(data)


@pytest.mark.parametrize("piece", ["(", "(a", "((a)", "a"])
def test_huge_heading_is_handled_in_linear_time(piece):
    """As long as a cell may be (Excel's 32,767 characters; longer ones are refused)."""
    heading = piece * (sheet_guard.MAX_CELL_CHARS // len(piece))
    data = f"NIK;Nama Lengkap;Kategori;Penghasilan;Sumber Dana;{heading}\n".encode()
    data += b"3523120801900001;Siti;Pekerja rentan;1.000.000;Dana Desa;x\n"
    layout = read_everything(data)
    assert set(importing.REQUIRED) <= set(layout.columns)


@FUZZ
@given(st.text(alphabet="()ab \n.", max_size=30))
def test_header_key_drops_parentheses_like_the_regex(text):
    import unicodedata

    expected = unicodedata.normalize("NFKD", text).lower()
    expected = re.sub(r"[^a-z0-9]", "", re.sub(r"\(.*?\)", "", expected))
    assert header_key(text) == expected


def zip_like(body: bytes) -> bytes:
    return b"PK\x03\x04" + body


@FUZZ
@given(st.binary(max_size=2000).map(zip_like))
def test_corrupt_xlsx_is_refused(data):
    reads_or_refuses(data, "data.xlsx")


@FEW
@given(st.data())
def test_damaged_real_xlsx_is_read_or_refused(data):
    """A real workbook with some bytes changed or cut off."""
    writer = SheetWriter("xlsx")
    writer.header(HEADINGS)
    writer.row(["3523120801900001", "Siti", "Pekerja rentan", "1.000.000", "Dana Desa", "", "Ya"])
    content = bytearray(writer.close())
    # Drawn independently of the file's length, which varies with the zip's timestamps.
    for _ in range(data.draw(st.integers(1, 8))):
        content[data.draw(st.integers(0, 10**6)) % len(content)] = data.draw(st.integers(0, 255))
    cut = max(8, len(content) - data.draw(st.integers(0, 10**6)) % len(content))
    reads_or_refuses(bytes(content[:cut]), "data.xlsx")


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(list(importing.HEADERS)),
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=True, allow_infinity=True),
            st.datetimes(),
            st.dates(),
            cells,
        ),
    )
)
def test_form_data_never_raises(values):
    data, problems = importing.form_data(values)
    assert all(isinstance(value, str) for value in data.values())


# Writing spreadsheets ------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
written_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(FORMULAS),
    st.tuples(st.sampled_from(FORMULA_START), st.text(max_size=10)).map("".join),
)


def assert_neutralized(written, read_back):
    read_back = list(read_back) + [None] * (len(written) - len(read_back))  # trailing blanks
    for value, cell in zip(written, read_back, strict=True):
        if value.startswith(FORMULA_START):
            assert isinstance(cell, str) and cell.startswith("'"), (value, cell)


@settings(FUZZ, max_examples=100)
@given(st.lists(written_text, min_size=1, max_size=6), st.lists(written_text, max_size=6))
def test_xlsx_written_cells_are_never_formulas(row, headers):
    writer = SheetWriter("xlsx", text_columns=[0])
    writer.header(headers)
    writer.row(row)
    workbook = load_workbook(io.BytesIO(writer.close()))
    sheet = workbook.worksheets[0]
    read = [[cell.value for cell in line] for line in sheet.iter_rows()]
    for line in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in line)
    if headers:
        assert_neutralized(headers, read[0][: len(headers)])
    assert_neutralized(row, read[-1][: len(row)])


@FUZZ
@given(
    st.lists(written_text, min_size=1, max_size=6),
    st.lists(written_text, min_size=1, max_size=6),
    st.sampled_from([";", ","]),
    st.sampled_from(["utf-8-sig", "cp1252"]),
)
def test_csv_written_cells_are_neutralized(row, headers, delimiter, encoding):
    writer = SheetWriter("csv", encoding=encoding, delimiter=delimiter)
    writer.header(headers)
    writer.row(row)
    text = writer.close().decode(encoding)
    read = list(
        csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    )
    assert_neutralized(headers, read[0])
    assert_neutralized(row, read[1])


@FUZZ
@given(st.one_of(written_text, st.integers(), st.none(), st.dates()))
def test_neutralize(value):
    """A leading formula character gets an apostrophe, and so does one after any separator or
    line break (the file may be opened with another separator); nothing else changes."""
    result = neutralize(value)
    if not isinstance(value, str):
        assert result == value
        return
    assert result.replace("'", "") == value.replace("'", "")
    assert not result.startswith(FORMULA_START)
    assert not re.search(r"[,;|\t\r\n][=+\-@\t\r]", result)
    if not re.search(r"[,;|\t\r\n][=+\-@\t\r]", value):  # the first character only
        assert result == ("'" + value if value.startswith(FORMULA_START) else value)
