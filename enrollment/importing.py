"""Reading the registration lists villages keep in spreadsheets: XLSX and CSV files as Indonesian
offices produce them, their column headings, and their cells turned into what RegistrationForm
expects. Writing rows back out (templates, error files, exports) lives here too.

No database access: the rows are checked by RegistrationForm (services.import_batch_check).
Files are read streaming (openpyxl read-only mode, the csv reader), so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import IO, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from portal.translated import file_size, with_params

from . import sheet_guard
from .models import FundingSource, OccupationGroup, Participant, WorkerCategory
from .sheet_guard import ImportRefused

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# The heading row is looked for among the first rows: offices often put a title above it.
HEADER_SEARCH_ROWS = 10
# The template's example row starts its name with this; it is never imported.
EXAMPLE_MARK = "contoh:"

# The column headings of the template, in its order: a data format, so always Indonesian.
HEADERS = {
    "nik": "NIK",
    "full_name": "Nama Lengkap",
    "birth_date": "Tanggal Lahir",
    "sex": "Jenis Kelamin",
    "phone": "No. HP",
    "address": "Alamat",
    "rt": "RT",
    "rw": "RW",
    "occupation": "Pekerjaan",
    "category": "Kategori",
    "jht": "JHT",
    "declared_income": "Penghasilan",
    "funding_source": "Sumber Dana",
    "funding_company": "Perusahaan CSR",
    "village": "Kode Desa",
    # Optional, added by issue 18 after the others so that older files keep their columns.
    "occupation_group": "Kelompok Pekerjaan",
    "employer_name": "Pemberi Kerja",
}
REQUIRED = ["nik", "full_name", "category", "declared_income", "funding_source"]
ERROR_HEADER = "Kesalahan"

# Headings seen in village spreadsheets, after header_key(): lower case, letters and digits only,
# anything in parentheses dropped ("No. HP" -> "nohp", "Penghasilan (Rp)" -> "penghasilan").
SYNONYMS = {
    "nik": [
        "nik", "noktp", "nomorktp", "nonik", "nomornik", "niksesuaiktp", "niknoktp", "noktpnik",
        "nomorindukkependudukan", "noinduk",
    ],
    "full_name": [
        "nama", "namalengkap", "namapeserta", "namasesuaiktp", "namapekerja", "namatenagakerja",
        "namawarga", "fullname", "name",
    ],
    "birth_date": [
        "tgllahir", "tanggallahir", "tgllhr", "tanggallhr", "tanggalkelahiran", "lahir",
        "birthdate", "dateofbirth",
    ],
    "sex": ["jeniskelamin", "jnskelamin", "jeniskel", "kelamin", "jk", "lp", "sex", "gender"],
    "phone": [
        "nohp", "nomorhp", "hp", "nohpwa", "hpwa", "telepon", "telp", "notelp", "notelepon",
        "nomortelepon", "ponsel", "nomorponsel", "wa", "nowa", "nomorwa", "whatsapp", "phone",
        "phonewhatsapp",
    ],
    "address": ["alamat", "alamatlengkap", "address"],
    "rt": ["rt"],
    "rw": ["rw"],
    "occupation": ["pekerjaan", "jenispekerjaan", "profesi", "matapencaharian", "occupation"],
    "category": [
        "kategori", "kategoripekerja", "kategoripeserta", "jenispeserta", "segmen", "category",
        "workercategory",
    ],
    "jht": ["jht", "ikutjht", "programjht", "tambahjht", "addjht"],
    "declared_income": [
        "penghasilan", "penghasilanperbulan", "penghasilanbulanan", "upah", "upahperbulan",
        "upahbulanan", "pendapatan", "gaji", "income", "declaredincome", "declaredmonthlyincome",
    ],
    "funding_source": [
        "sumberdana", "sumberdanaiuran", "sumberiuran", "dibayaroleh", "pembayar",
        "pembayariuran", "fundingsource", "paidby", "premiumpaidby",
    ],
    "funding_company": [
        "perusahaancsr", "perusahaan", "namaperusahaan", "namaperusahaancsr", "company",
        "companycsr", "companyforcsr",
    ],
    "occupation_group": ["kelompokpekerjaan", "kelompok", "occupationgroup"],
    "employer_name": [
        "pemberikerja", "namapemberikerja", "tempatkerja", "employer", "employername",
    ],
    "village": [
        "kodedesa", "kodekelurahan", "kodedesakelurahan", "kodedesakel", "kodewilayah",
        "kodewilayahdesa", "villagecode",
    ],
}  # fmt: skip

_SEX = {
    **dict.fromkeys(["l", "lk", "laki", "lakilaki", "pria", "m", "male"], Participant.Sex.MALE),
    **dict.fromkeys(["p", "pr", "perempuan", "wanita", "w", "f", "female"], Participant.Sex.FEMALE),
}
_CATEGORY = {
    **dict.fromkeys(["penerimaupah", "pekerjapenerimaupah", "formal"], WorkerCategory.FORMAL),
    **dict.fromkeys(
        ["bukanpenerimaupah", "pekerjabukanpenerimaupah", "informal", "mandiri"],
        WorkerCategory.INFORMAL,
    ),
    **dict.fromkeys(["pekerjarentan", "rentan"], WorkerCategory.VULNERABLE),
    **dict.fromkeys(["perangkat", "perangkatdesa"], WorkerCategory.VILLAGE_OFFICIAL),
    **dict.fromkeys(["rtrw", "ketuartrw", "ketuart", "ketuarw"], WorkerCategory.RT_RW_HEAD),
    **dict.fromkeys(
        ["honorer", "tenagahonorer", "pegawaihonorer", "kontrak", "pekerjakontrak"],
        WorkerCategory.CONTRACT,
    ),
}
_FUNDING = {
    **dict.fromkeys(
        ["peserta", "pesertasendiri", "sendiri", "pribadi", "mandiri"], FundingSource.PARTICIPANT
    ),
    **dict.fromkeys(["dd", "danadesa"], FundingSource.DANA_DESA),
    **dict.fromkeys(["alokasidanadesa"], FundingSource.ADD),
    **dict.fromkeys(["csr", "csrperusahaan", "perusahaan"], FundingSource.CSR),
    **dict.fromkeys(["lain", "lainlain"], FundingSource.OTHER),
}
_OCCUPATION_GROUP = {
    **dict.fromkeys(
        ["transportasi", "ojek", "ojol", "sopir", "supir", "pengemudi", "kurir", "driver"],
        OccupationGroup.TRANSPORT,
    ),
    **dict.fromkeys(["lain", "lainlain", ""], OccupationGroup.OTHER),
}
_YES = {"ya", "y", "iya", "yes", "ikut", "v", "x", "1", "true", "benar"}
_NO = {"tidak", "tdk", "t", "n", "no", "0", "false", "", "salah"}
_CHECK_MARKS = {"✓", "✔", "√"}

_DATE_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"]
_TWO_DIGIT_YEAR = re.compile(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2}")
_VILLAGE_DIGITS = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{4})")

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.IMPORT_MAX_ROWS


@dataclass
class Column:
    index: int
    header: str


@dataclass
class Layout:
    """Where a file's data is: found once when the file is uploaded, stored on the batch."""

    file_format: str  # "xlsx" or "csv"
    header_row: int
    headers: list[str]
    columns: dict[str, Column]
    ignored: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    rows_estimated: int | None = None
    # Values for columns the file lacks, chosen on the upload form (the payer).
    defaults: dict[str, str] = field(default_factory=dict)
    # Whether any row follows the headings: seen while inspecting, so not stored.
    has_rows: bool = True
    # The rows this kind of import may hold (None: the registration import's): how far down
    # the reader goes. Set by the importer, so not stored.
    row_limit: int | None = None

    def as_json(self) -> dict:
        return {
            "file_format": self.file_format,
            "header_row": self.header_row,
            "headers": self.headers,
            "columns": {name: [c.index, c.header] for name, c in self.columns.items()},
            "ignored": self.ignored,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "rows_estimated": self.rows_estimated,
            "defaults": self.defaults,
        }

    @classmethod
    def from_json(cls, data: dict) -> Layout:
        columns = {name: Column(index, header) for name, (index, header) in data["columns"].items()}
        return cls(**{**data, "columns": columns})

    def header_for(self, name: str) -> str:
        """The column's heading as the file writes it, or the template's."""
        column = self.columns.get(name)
        return column.header if column else HEADERS.get(name, "")

    def values(self, cells: tuple) -> dict[str, Any]:
        return {
            **self.defaults,
            **{
                name: cells[column.index] if column.index < len(cells) else None
                for name, column in self.columns.items()
            },
        }


def template_layout() -> Layout:
    """The template's own layout: every column, under the template's headings."""
    return Layout(
        file_format="xlsx",
        header_row=1,
        headers=list(HEADERS.values()),
        columns={
            name: Column(index, header) for index, (name, header) in enumerate(HEADERS.items())
        },
    )


@dataclass
class SheetRow:
    number: int  # as the spreadsheet program shows it, counting from 1 with the heading row
    cells: tuple


def header_key(text: Any) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).lower()
    text = _without_parentheses(text)
    return re.sub(r"[^a-z0-9]", "", text)


def _without_parentheses(text: str) -> str:
    """re.sub(r"\\(.*?\\)", "", text) in linear time: the regex takes quadratic time (minutes)
    on a 100 kB cell of "(((...", and header_key reads every cell of the first rows."""
    parts = []
    position = 0
    end = -1  # the first ")" after the latest "(", reused while the next "(" comes before it
    while (start := text.find("(", position)) >= 0:
        if end < start:
            end = text.find(")", start + 1)
            if end < 0:
                break
        newline = text.find("\n", start + 1, end)  # "." does not match a newline
        if newline >= 0:
            parts.append(text[position : newline + 1])
            position = newline + 1
            continue
        parts.append(text[position:start])
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


@cache
def _heading_fields() -> dict[str, str]:
    return {synonym: name for name, synonyms in SYNONYMS.items() for synonym in synonyms}


def match_headers(cells: Iterable[Any]) -> tuple[dict[str, Column], list[str]]:
    """Map a heading row to field names; return the columns found and the headings ignored.
    Raises ImportRefused when two columns mean the same field."""
    fields = _heading_fields()
    columns: dict[str, Column] = {}
    ignored = []
    for index, cell in enumerate(cells):
        header = cell_text(cell)
        if not header:
            continue
        name = fields.get(header_key(header))
        if name is None:
            ignored.append(header)
        elif name in columns:
            raise ImportRefused(
                with_params(
                    _(
                        "Two columns mean the same thing: %(first)s and %(second)s. Keep one of "
                        "them."
                    ),
                    first=columns[name].header,
                    second=header,
                ),
                code="duplicate_column",
            )
        else:
            columns[name] = Column(index, header)
    return columns, ignored


# Reading files -------------------------------------------------------------------------------


def inspect_file(
    file: IO[bytes],
    *,
    name: str,
    size: int,
    village_column: bool,
    default_funding_source: str = "",
) -> Layout:
    """Check that an uploaded file can be imported and find its heading row and columns.

    `village_column`: the file must have a village-code column (branch staff and admins name
    each row's village). `default_funding_source`: who pays when the file has no Sumber Dana
    column (chosen on the upload form); without it the column is required. Raises ImportRefused
    with a message for each way of being unusable: too large, wrong type, an old .xls, a
    password, damaged, empty, no data rows, missing columns, too many rows (counted here for
    CSV, while checking for XLSX).
    """
    limit = max_bytes()
    if size > limit:
        raise ImportRefused(
            with_params(
                _("The file is %(size)s; the largest allowed is %(limit)s."),
                size=file_size(size),
                limit=file_size(limit),
            ),
            code="too_large",
        )
    file_format = sniff_format(file, name)
    layout = inspect_xlsx(file) if file_format == "xlsx" else inspect_csv(file)
    required = REQUIRED + ["village"] if village_column else REQUIRED
    if default_funding_source and "funding_source" not in layout.columns:
        layout.defaults["funding_source"] = default_funding_source
        required = [name for name in required if name != "funding_source"]
    missing = [HEADERS[name] for name in required if name not in layout.columns]
    if missing:
        raise ImportRefused(
            with_params(
                _(
                    "Columns missing: %(columns)s. Download the template to see the expected "
                    "columns."
                ),
                columns=", ".join(missing),
            ),
            code="missing_columns",
        )
    if not layout.has_rows:
        raise _no_rows()
    if layout.file_format == "csv" and layout.rows_estimated > max_rows():
        raise too_many_rows()
    return layout


def sniff_format(file: IO[bytes], name: str) -> str:
    """Tell "xlsx" from "csv" by the file's content; the name must end in .xlsx or .csv."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("xlsx", "csv", "xls"):
        raise _wrong_type()
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head:
        raise _empty()
    ole2 = head.startswith(_OLE2)
    if ole2 and _is_encrypted_ooxml(file):
        raise ImportRefused(
            _(
                "The workbook is protected with a password. Remove the password in Excel "
                "(File > Info > Protect Workbook), save it and upload it again."
            ),
            code="password",
        )
    if extension == "xls" or (ole2 and extension == "xlsx"):
        raise ImportRefused(
            _(
                "Old Excel files (.xls) cannot be read. In Excel choose Save As and pick "
                "Excel Workbook (.xlsx), then upload that file."
            ),
            code="xls",
        )
    if head.startswith(_ZIP):
        return "xlsx"
    if extension == "xlsx":
        raise _damaged()
    chunk = file.read(64 * 1024)
    file.seek(0)
    if b"\x00" in chunk:
        raise _wrong_type()
    return "csv"


def _is_encrypted_ooxml(file: IO[bytes]) -> bool:
    """A password-protected .xlsx is an OLE2 container holding an "EncryptedPackage" stream."""
    file.seek(0)
    tail = b""
    found = False
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        if _ENCRYPTED_PACKAGE in tail + chunk:
            found = True
            break
        tail = chunk[-64:]
    file.seek(0)
    return found


def _wrong_type() -> ImportRefused:
    return ImportRefused(
        _("Upload the list as an Excel workbook (.xlsx) or a CSV file (.csv)."), code="wrong_type"
    )


def _damaged() -> ImportRefused:
    return ImportRefused(
        _(
            "The Excel file is damaged and cannot be read. Open it in Excel, save it again as "
            ".xlsx and upload it again."
        ),
        code="damaged",
    )


def _empty() -> ImportRefused:
    return ImportRefused(_("The file is empty."), code="empty")


def _no_rows() -> ImportRefused:
    return ImportRefused(
        _("The file has column headings but no rows of residents."), code="no_rows"
    )


def too_many_rows() -> ImportRefused:
    limit = max_rows()
    return ImportRefused(
        with_params(
            _(
                "The file has more than %(limit)s rows. Split it into files of at most "
                "%(limit)s rows."
            ),
            limit=f"{limit:,}".replace(",", "."),
        ),
        code="too_many_rows",
    )


def _find_header(rows: Iterator[SheetRow]) -> tuple[SheetRow, dict[str, Column], list[str]]:
    first = None
    for seen, row in enumerate(rows):
        if seen >= HEADER_SEARCH_ROWS:
            break
        columns, ignored = match_headers(row.cells)
        first = first or (row, columns, ignored)
        if "nik" in columns and len(columns) >= 3:
            return row, columns, ignored
    if first is None:
        raise _empty()
    return first


def open_workbook(file: IO[bytes], *, damaged: ImportRefused | None = None):
    """The workbook in openpyxl's read-only mode, once sheet_guard has checked what its parts
    unpack to; `damaged` is the refusal for a file openpyxl cannot read. Every upload reads
    workbooks through here and their rows through sheet_rows(), so each is bounded."""
    sheet_guard.check_xlsx_archive(file)
    file.seek(0)
    try:
        reader = _plain_text_reader()(file, read_only=True, data_only=True)
        reader.read()
        return reader.wb
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise (damaged or _damaged()) from error


_open_xlsx = open_workbook


@cache
def _plain_text_reader():
    """openpyxl's workbook reader with a leaner shared-strings table (where Excel keeps every
    text cell): openpyxl builds a rich-text object for each string before keeping its text, a
    tenth of a second per opening of a 10,000-row file. The text is the same: the plain part
    and the formatted runs, without phonetic guides, Excel's escape undone."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    ns = f"{{{SHEET_MAIN_NS}}}"
    string, plain, run_texts = f"{ns}si", f"{ns}t", f"{ns}r/{ns}t"

    class PlainTextReader(ExcelReader):
        def read_strings(self):
            part = self.package.find(SHARED_STRINGS)
            if part is None:
                return
            with self.archive.open(part.PartName[1:]) as source:
                for _event, node in iterparse(source):
                    if node.tag == string:
                        texts = [node.findtext(plain)] + [t.text for t in node.iterfind(run_texts)]
                        text = "".join(text for text in texts if text)
                        sheet_guard.check_cell_text(text)
                        self.shared_strings.append(text.replace("x005F_", ""))
                        node.clear()

    return PlainTextReader


def sheet_rows(worksheet, row_limit: int | None = None) -> Iterator[tuple[int, tuple]]:
    """Every row of a read-only worksheet, blank ones included, numbered from 1 and bounded by
    sheet_guard (how far down, how many columns, how long a cell); `row_limit` the rows the
    import may hold (the registration import's by default)."""
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield number, sheet_guard.bounded_row(number, cells, trim=True, row_limit=row_limit)


def _xlsx_rows(worksheet, row_limit: int | None = None) -> Iterator[SheetRow]:
    for number, cells in sheet_rows(worksheet, row_limit):
        if any(cell_text(cell) for cell in cells):
            yield SheetRow(number, cells)


def inspect_xlsx(file: IO[bytes], *, row_limit: int | None = None) -> Layout:
    """The first sheet with a NIK column (a template may carry a sheet of instructions), else
    the first sheet with anything in it. `row_limit`: the rows the import may hold."""
    workbook = _open_xlsx(file)
    found = []
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):
                continue  # a chart sheet
            worksheet.reset_dimensions()
            rows = _xlsx_rows(worksheet, row_limit)
            try:
                row, columns, ignored = _find_header(rows)
            except ImportRefused as refusal:
                if refusal.code != "empty":
                    raise
                continue  # an empty sheet
            if "nik" in columns:
                # Filled rows, not the sheet's dimension: a template formats rows ahead (and
                # formatting whole columns stretches it to row 1,048,576). Counted up to the
                # row limit, past which the check refuses the file anyway.
                limit = row_limit or max_rows()
                estimated = sum(1 for _row in itertools.islice(rows, limit + 1))
                found.insert(0, (worksheet.title, estimated, row, columns, ignored, estimated > 0))
                break
            has_rows = next(rows, None) is not None
            found.append((worksheet.title, None, row, columns, ignored, has_rows))
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise _damaged() from error
    finally:
        workbook.close()
    if not found:
        raise _empty()
    title, rows_estimated, row, columns, ignored, has_rows = found[0]
    return Layout(
        file_format="xlsx",
        sheet=title,
        header_row=row.number,
        headers=[cell_text(cell) for cell in row.cells],
        columns=columns,
        ignored=ignored,
        rows_estimated=rows_estimated,
        has_rows=has_rows,
    )


# A character written as UTF-8 (two to four bytes): in a Windows-1252 file, text such as "Ã©".
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _detect_encoding(file: IO[bytes]) -> str:
    """UTF-8 (with or without the BOM Excel writes) when every byte decodes, else Windows-1252.
    A file that is UTF-8 in places and not in others (rows pasted from two programs) is
    refused: read either way, some of its names would come out garbled."""
    file.seek(0)
    bom = file.read(3) == codecs.BOM_UTF8
    file.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in iter(lambda: file.read(1024 * 1024), b""):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        if bom or _has_utf8_sequences(file):
            raise _mixed_encoding() from None
        return "cp1252"
    finally:
        file.seek(0)
    return "utf-8-sig" if bom else "utf-8"


def _has_utf8_sequences(file: IO[bytes]) -> bool:
    file.seek(0)
    tail = b""
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        if _UTF8_SEQUENCE.search(tail + chunk):
            return True
        tail = chunk[-3:]
    return False


def _mixed_encoding() -> ImportRefused:
    return ImportRefused(
        _(
            "The file mixes two character encodings (UTF-8 and another), so some names would be "
            "garbled. In Excel choose Save As and pick CSV UTF-8, then upload that file."
        ),
        code="mixed_encoding",
    )


def _sniff_delimiter(line: str) -> str:
    """Excel in an Indonesian locale writes semicolons; elsewhere commas (tabs when pasted)."""
    outside_quotes = re.sub(r'"[^"]*"', "", line)
    counts = {delimiter: outside_quotes.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class _TextFile:
    """The binary file read as text for the csv module, without closing the file afterwards."""

    def __init__(self, file: IO[bytes], encoding: str):
        file.seek(0)
        self.wrapper = io.TextIOWrapper(
            io.BufferedReader(_Unclosable(file)), encoding=encoding, errors="replace", newline=""
        )

    def __enter__(self) -> io.TextIOWrapper:
        return self.wrapper

    def __exit__(self, *exc):
        self.wrapper.detach()


class _Unclosable(io.RawIOBase):
    """Lets TextIOWrapper read any file-like object (uploads, storage files) as raw bytes."""

    def __init__(self, file: IO[bytes]):
        self.file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[str]:
    """The text's lines, each refused beyond sheet_guard.MAX_LINE_CHARS before the csv module
    splits it (a line of a million separators would be a million cells)."""
    limit = sheet_guard.MAX_LINE_CHARS
    while line := text.readline(limit):
        sheet_guard.check_line(line, limit)
        yield line


def _csv_rows(
    file: IO[bytes], encoding: str, delimiter: str, row_limit: int | None = None
) -> Iterator[SheetRow]:
    with _TextFile(file, encoding) as text:
        reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                cells = sheet_guard.bounded_row(number, cells, trim=False, row_limit=row_limit)
                if any(cell.strip() for cell in cells):
                    yield SheetRow(number, cells)
        except csv.Error as error:
            if "field larger than field limit" in str(error):  # the csv module's 128 kB
                raise sheet_guard.cell_too_long() from error
            raise _wrong_type() from error


def inspect_csv(file: IO[bytes], *, row_limit: int | None = None) -> Layout:
    encoding = _detect_encoding(file)
    with _TextFile(file, encoding) as text:
        first_line = next((line for line in _bounded_lines(text) if line.strip()), "")
    if not first_line:
        raise _empty()
    delimiter = _sniff_delimiter(first_line)
    try:
        row, columns, ignored = _find_header(_csv_rows(file, encoding, delimiter, row_limit))
        rows = sum(
            1
            for other in _csv_rows(file, encoding, delimiter, row_limit)
            if other.number > row.number
        )
    except csv.Error as error:
        raise _wrong_type() from error
    return Layout(
        file_format="csv",
        header_row=row.number,
        headers=[cell_text(cell) for cell in row.cells],
        columns=columns,
        ignored=ignored,
        encoding=encoding,
        delimiter=delimiter,
        rows_estimated=rows,
        has_rows=rows > 0,
    )


def read_rows(file: IO[bytes], layout: Layout, *, after: int = 0) -> Iterator[SheetRow]:
    """The file's non-blank rows below the heading row, streaming; `after` skips the rows up to
    that row number (to carry on where an earlier request stopped). Raises ImportRefused when
    the workbook turns out to be damaged further down."""
    after = max(after, layout.header_row)
    if layout.file_format == "csv":
        for row in _csv_rows(file, layout.encoding, layout.delimiter, layout.row_limit):
            if row.number > after:
                yield row
        return
    workbook = _open_xlsx(file)
    try:
        worksheet = workbook[layout.sheet]
        worksheet.reset_dimensions()
        try:
            for row in _xlsx_rows(worksheet, layout.row_limit):
                if row.number > after:
                    yield row
        except ImportRefused:
            raise
        except Exception as error:  # damaged further down than the heading
            raise _damaged() from error
    finally:
        workbook.close()


# From cells to the form's data ---------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: trailing spaces dropped, numbers without a spurious ".0", and without the
    apostrophe people type to keep Excel from turning a number into one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[1:].strip() if text.startswith("'") else text


def _nik_text(value: Any) -> str:
    """A NIK cell stored as a number is shown the way the spreadsheet shows it (3.52312E+15), so
    that parse_nik refuses it with the message that says what happened and how to fix it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 1e11:
            return f"{float(value):.5E}"
        return cell_text(value)
    return cell_text(value)


def _date_text(value: Any) -> tuple[str, Any]:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return (value.date() if isinstance(value, datetime.datetime) else value).isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 100_000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date().isoformat(), None
    text = cell_text(value)
    if not text:
        return "", None
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date().isoformat(), None
        except ValueError:
            continue
    if _TWO_DIGIT_YEAR.fullmatch(text):
        # Passed on empty: the problem is reported instead of the form's vaguer message.
        return "", _("Write the year with four digits, such as 08-01-1990.")
    return text, None  # the form says it is not a date


_CHOICES = {
    "sex": (Participant.Sex.choices, _SEX),
    "category": (WorkerCategory.choices, _CATEGORY),
    "funding_source": (FundingSource.choices, _FUNDING),
    "occupation_group": (OccupationGroup.choices, _OCCUPATION_GROUP),
}


@cache
def _choice_table(name: str) -> dict[str, str]:
    """Codes, their labels in Indonesian and English, and the usual other names."""
    choices, extra = _CHOICES[name]
    table = {}
    for code, label in choices:
        table[header_key(code)] = code
        for language in ("en", "id"):
            with translation.override(language):
                table.setdefault(header_key(str(label)), code)
    table.update(extra)
    return table


def _choice(name: str, value: Any) -> str:
    text = cell_text(value)
    return _choice_table(name).get(_value_key(text), text)


def _value_key(text: str) -> str:
    """header_key of a choice cell: the same few words on every row, so remembered."""
    return _short_value_key(text) if len(text) <= 40 else header_key(text)


_short_value_key = lru_cache(maxsize=512)(header_key)


def village_code(value: Any) -> str:
    """A village code as the villages table writes it: "3523122002" -> "35.23.12.2002"."""
    text = cell_text(value).replace(" ", "")
    match = _VILLAGE_DIGITS.fullmatch(text)
    return ".".join(match.groups()) if match else text


def is_example_row(values: dict[str, Any]) -> bool:
    return cell_text(values.get("full_name")).lower().startswith(EXAMPLE_MARK)


def form_data(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """Turn one row's cells into RegistrationForm's data, the way a browser would post it.

    Returns the data and the problems the form cannot see (a yes/no cell that is neither, a
    two-digit year), by field name. Anything else unrecognised is passed on as written, for the
    form to refuse with its own message.
    """
    problems: dict[str, Any] = {}  # lazy texts: stored in every language
    data = {
        name: cell_text(values.get(name))
        for name in (
            "full_name", "phone", "address", "rt", "rw", "occupation", "funding_company",
            "employer_name",
        )
    }  # fmt: skip
    data["nik"] = _nik_text(values.get("nik"))
    data["declared_income"] = cell_text(values.get("declared_income"))
    data["birth_date"], problem = _date_text(values.get("birth_date"))
    if problem:
        problems["birth_date"] = problem
    for name in _CHOICES:
        data[name] = _choice(name, values.get(name))
    jht = values.get("jht")
    jht_text = cell_text(jht)
    if jht is True or jht_text in _CHECK_MARKS or _value_key(jht_text) in _YES:
        data["jht"] = "on"
    elif _value_key(jht_text) not in _NO:
        problems["jht"] = _("Write Ya or Tidak.")
    return data, problems


# Writing files -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _xlsx_value(value: Any) -> Any:
    """Control characters a worksheet cannot hold (openpyxl raises IllegalCharacterError) are
    dropped, before neutralize() so that dropping them cannot uncover a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


# A separator or line break followed by a formula's first character: opened with another
# separator than the file's ("Budi,=1+1," read with commas), the part after it is a cell of its own.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n])(?=[=+\-@\t\r])")


def neutralize(value: Any) -> Any:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection): a cell that
    starts like a formula gets a leading apostrophe, and so does every part of it that would
    start a cell of its own after any separator."""
    if not isinstance(value, str):
        return value
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


class SheetWriter:
    """Rows written as XLSX (streaming, write-only) or CSV (UTF-8 with the BOM Excel needs,
    semicolons as an Indonesian Excel expects, unless told otherwise). Text columns are stored
    as text so that Excel keeps NIKs, phone numbers and codes intact."""

    def __init__(
        self,
        file_format: str,
        *,
        text_columns: Iterable[int] = (),
        date_columns: Iterable[int] = (),
        percent_columns: Iterable[int] = (),
        encoding: str = "utf-8-sig",
        delimiter: str = ";",
        title: str = "Peserta",
    ):
        self.file_format = file_format
        self.text_columns = set(text_columns)
        self.date_columns = set(date_columns)
        # Shares (0.45): a number shown as "45%" in XLSX, written "45%" in CSV.
        self.percent_columns = set(percent_columns)
        self.buffer = io.BytesIO()
        if file_format == "xlsx":
            from openpyxl import Workbook

            self.workbook = Workbook(write_only=True)
            self.sheet = self.workbook.create_sheet(title)
        else:
            self.text = io.TextIOWrapper(
                self.buffer, encoding=encoding, errors="replace", newline=""
            )
            self.writer = csv.writer(self.text, delimiter=delimiter)

    def header(self, headers: list[str], widths: Iterable[int] = ()) -> None:
        if self.file_format == "xlsx":
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font
            from openpyxl.utils import get_column_letter

            for index, width in enumerate(widths, start=1):
                self.sheet.column_dimensions[get_column_letter(index)].width = width
            bold = Font(bold=True)
            cells = []
            for header in headers:
                cell = WriteOnlyCell(self.sheet, value=neutralize(_xlsx_value(header)))
                cell.font = bold
                cells.append(cell)
            self.sheet.append(cells)
        else:
            self.writer.writerow([neutralize(header) for header in headers])

    def row(self, values: list[Any]) -> None:
        if self.file_format == "csv":
            self.writer.writerow(
                [
                    f"{round(value * 100)}%"
                    if index in self.percent_columns and isinstance(value, (int, float))
                    else _csv_value(neutralize(value))
                    for index, value in enumerate(values)
                ]
            )
            return
        values = [neutralize(_xlsx_value(value)) for value in values]
        from openpyxl.cell import WriteOnlyCell

        cells = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(self.sheet, value=None if value == "" else value)
            if index in self.text_columns and isinstance(value, str):
                cell.data_type = "s"
                cell.number_format = "@"
            elif index in self.date_columns and isinstance(value, datetime.date):
                cell.number_format = "DD-MM-YYYY"
            elif index in self.percent_columns and isinstance(value, (int, float)):
                cell.number_format = "0%"
            elif isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        self.sheet.append(cells)

    def close(self) -> bytes:
        if self.file_format == "xlsx":
            self.workbook.save(self.buffer)
        else:
            self.text.flush()
            self.text.detach()
        return self.buffer.getvalue()


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return "" if value is None else value


def error_file(file: IO[bytes], layout: Layout, errors: dict[int, str]) -> bytes:
    """The rows that have errors, as uploaded (same format, columns, CSV encoding and
    separator), each with the error column added: to fix and upload again."""
    text = [
        c.index
        for n, c in layout.columns.items()
        if n in ("nik", "kpj", "phone", "rt", "rw", "village")
    ]
    dates = [c.index for n, c in layout.columns.items() if n == "birth_date"]
    if layout.file_format == "csv":
        encoding = "cp1252" if layout.encoding == "cp1252" else "utf-8-sig"
        writer = SheetWriter("csv", encoding=encoding, delimiter=layout.delimiter)
    else:
        writer = SheetWriter("xlsx", text_columns=text, date_columns=dates)
    width = len(layout.headers)
    writer.header(layout.headers + [ERROR_HEADER])
    for row in read_rows(file, layout):
        if row.number in errors:
            cells = list(row.cells[:width]) + [None] * (width - len(row.cells))
            writer.row(cells + [errors[row.number]])
    return writer.close()


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def template_file(file_format: str, *, example_village: str | None, village_column: bool) -> bytes:
    """The empty list to fill in: the template's headings and one example row (never imported:
    its name starts with "Contoh:"). In XLSX the text columns are formatted as Text, so Excel
    keeps NIKs whole, and lists offer the usual values."""
    names = [name for name in HEADERS if village_column or name != "village"]
    district = (example_village or "35.23.12.2002").replace(".", "")[:6]
    example = {
        "nik": f"{district}4801900001",
        "full_name": "Contoh: Siti Aminah (hapus baris ini)",
        "birth_date": datetime.date(1990, 1, 8),
        "sex": "P",
        "phone": "0812-3456-7890",
        "address": "Dusun Krajan",
        "rt": "001",
        "rw": "002",
        "occupation": "Nelayan",
        "category": "Pekerja rentan",
        "jht": "Tidak",
        "declared_income": 1_000_000,
        "funding_source": "Dana Desa",
        "funding_company": "",
        "occupation_group": "Lainnya",
        "employer_name": "",
        "village": example_village or "",
    }
    text = [i for i, n in enumerate(names) if n in ("nik", "phone", "rt", "rw", "village")]
    dates = [names.index("birth_date")]
    if file_format == "csv":
        writer = SheetWriter("csv", text_columns=text, date_columns=dates)
        writer.header([HEADERS[name] for name in names])
        writer.row([example[name] for name in names])
        return writer.close()
    return _template_xlsx(names, example, text, dates)


def _template_xlsx(names, example, text_columns, date_columns) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Peserta"
    sheet.append([HEADERS[name] for name in names])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([example[name] for name in names])
    last_row = 1000
    for index, name in enumerate(names):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = 24 if name in ("full_name", "address") else 16
        for row in range(2, last_row + 1):
            if index in text_columns:
                sheet.cell(row=row, column=index + 1).number_format = "@"
            elif index in date_columns:
                sheet.cell(row=row, column=index + 1).number_format = "DD-MM-YYYY"
    with translation.override("id"):
        lists = {
            "sex": ["L", "P"],
            "jht": ["Ya", "Tidak"],
            "category": [str(label) for _code, label in WorkerCategory.choices],
            "funding_source": [str(label) for _code, label in FundingSource.choices],
            "occupation_group": [str(label) for _code, label in OccupationGroup.choices],
        }
    values = workbook.create_sheet("Pilihan")
    for index, (name, options) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        values.cell(row=1, column=index, value=HEADERS[name]).font = Font(bold=True)
        for row, option in enumerate(options, start=2):
            values.cell(row=row, column=index, value=option)
        if name in names:
            column = get_column_letter(names.index(name) + 1)
            validation = DataValidation(
                type="list",
                formula1=f"Pilihan!${letter}$2:${letter}${len(options) + 1}",
                allow_blank=True,
            )
            validation.add(f"{column}2:{column}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
