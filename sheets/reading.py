"""Reading spreadsheets as Indonesian offices produce them: XLSX (streaming, openpyxl's read-only
mode, bounded by sheets.guard) and CSV (UTF-8 or Windows-1252, commas, semicolons or tabs), each
file's heading row found among its first rows by the caller's headings.

No database access and no knowledge of what the rows hold: the callers (the registration,
payment, OpenSID and village-count imports) bring their headings and read the cells with
sheets.cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import guard
from .cells import cell_text, header_key
from .guard import ImportRefused
from .messages import with_params

__all__ = ["ImportRefused", "header_key"]

# The heading row is looked for among the first rows: offices often put a title above it.
HEADER_SEARCH_ROWS = 10

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
    """Where a file's data is: found once when the file is uploaded, stored with the upload."""

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
    # The rows this kind of import may hold (None: settings.IMPORT_MAX_ROWS): how far down
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
        """The column's heading as the file writes it ("" for a column the file lacks)."""
        column = self.columns.get(name)
        return column.header if column else ""

    def values(self, cells: tuple) -> dict[str, Any]:
        return {
            **self.defaults,
            **{
                name: cells[column.index] if column.index < len(cells) else None
                for name, column in self.columns.items()
            },
        }


@dataclass
class SheetRow:
    number: int  # as the spreadsheet program shows it, counting from 1 with the heading row
    cells: tuple


# How a heading row is recognised: a function from a row's cells to the columns found and the
# headings ignored (it may raise ImportRefused), and the column whose presence (with two others)
# marks the heading row and the sheet to read. Without one, the first non-blank row is taken.
Headings = Callable[[Iterable[Any]], tuple[dict[str, Column], list[str]]]


def no_headings(cells: Iterable[Any]) -> tuple[dict[str, Column], list[str]]:
    return {}, []


# Reading files -------------------------------------------------------------------------------


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


def no_rows() -> ImportRefused:
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


def _find_header(
    rows: Iterator[SheetRow], match_headers: Headings, key: str | None
) -> tuple[SheetRow, dict[str, Column], list[str]]:
    first = None
    for seen, row in enumerate(rows):
        if seen >= HEADER_SEARCH_ROWS:
            break
        columns, ignored = match_headers(row.cells)
        first = first or (row, columns, ignored)
        if key in columns and len(columns) >= 3:
            return row, columns, ignored
    if first is None:
        raise _empty()
    return first


def open_workbook(file: IO[bytes], *, damaged: ImportRefused | None = None):
    """The workbook in openpyxl's read-only mode, once sheets.guard has checked what its parts
    unpack to; `damaged` is the refusal for a file openpyxl cannot read. Every upload reads
    workbooks through here and their rows through sheet_rows(), so each is bounded."""
    guard.check_xlsx_archive(file)
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


# Its figure: docs/performance.md, "The hand-written pieces and their figures".
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
                        guard.check_cell_text(text)
                        self.shared_strings.append(text.replace("x005F_", ""))
                        node.clear()

    return PlainTextReader


def sheet_rows(worksheet, row_limit: int | None = None) -> Iterator[tuple[int, tuple]]:
    """Every row of a read-only worksheet, blank ones included, numbered from 1 and bounded by
    sheets.guard (how far down, how many columns, how long a cell); `row_limit` the rows the
    import may hold (the registration import's by default)."""
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield number, guard.bounded_row(number, cells, trim=True, row_limit=row_limit)


def _xlsx_rows(worksheet, row_limit: int | None = None) -> Iterator[SheetRow]:
    for number, cells in sheet_rows(worksheet, row_limit):
        if any(cell_text(cell) for cell in cells):
            yield SheetRow(number, cells)


def inspect_xlsx(
    file: IO[bytes],
    *,
    match_headers: Headings = no_headings,
    key: str | None = None,
    row_limit: int | None = None,
    layout: type[Layout] = Layout,
) -> Layout:
    """The first sheet with the `key` column (a template may carry a sheet of instructions),
    else the first sheet with anything in it. `row_limit`: the rows the import may hold;
    `layout`: the class of Layout to return."""
    workbook = _open_xlsx(file)
    found = []
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "iter_rows"):
                continue  # a chart sheet
            worksheet.reset_dimensions()
            rows = _xlsx_rows(worksheet, row_limit)
            try:
                row, columns, ignored = _find_header(rows, match_headers, key)
            except ImportRefused as refusal:
                if refusal.code != "empty":
                    raise
                continue  # an empty sheet
            if key in columns:
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
    return layout(
        file_format="xlsx",
        sheet=title,
        header_row=row.number,
        headers=[cell_text(cell) for cell in row.cells],
        columns=columns,
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
    """The text's lines, each refused beyond guard.MAX_LINE_CHARS before the csv module
    splits it (a line of a million separators would be a million cells)."""
    limit = guard.MAX_LINE_CHARS
    while line := text.readline(limit):
        guard.check_line(line, limit)
        yield line


def _csv_rows(
    file: IO[bytes], encoding: str, delimiter: str, row_limit: int | None = None
) -> Iterator[SheetRow]:
    with _TextFile(file, encoding) as text:
        reader = csv.reader(_bounded_lines(text), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                cells = guard.bounded_row(number, cells, trim=False, row_limit=row_limit)
                if any(cell.strip() for cell in cells):
                    yield SheetRow(number, cells)
        except csv.Error as error:
            if "field larger than field limit" in str(error):  # the csv module's 128 kB
                raise guard.cell_too_long() from error
            raise _wrong_type() from error


def inspect_csv(
    file: IO[bytes],
    *,
    match_headers: Headings = no_headings,
    key: str | None = None,
    row_limit: int | None = None,
    layout: type[Layout] = Layout,
) -> Layout:
    encoding = _detect_encoding(file)
    with _TextFile(file, encoding) as text:
        first_line = next((line for line in _bounded_lines(text) if line.strip()), "")
    if not first_line:
        raise _empty()
    delimiter = _sniff_delimiter(first_line)
    try:
        row, columns, ignored = _find_header(
            _csv_rows(file, encoding, delimiter, row_limit), match_headers, key
        )
        rows = sum(
            1
            for other in _csv_rows(file, encoding, delimiter, row_limit)
            if other.number > row.number
        )
    except csv.Error as error:
        raise _wrong_type() from error
    return layout(
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
