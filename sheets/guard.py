"""Bounds on what an uploaded spreadsheet may unpack to, so that no upload can exhaust memory.

An .xlsx is a zip of XML parts: a 300 kB file can hold one shared string that unpacks to 300 MB
(deflate reaches about 1000:1 on repeated text), and parsing it took 1 GB. So before anything
is parsed the zip's directory is checked (total unpacked size, each part's unpacked size and
ratio); while rows are read, each row is checked (cells, columns, how far down the sheet goes).
Python's zipfile stops a part at the size its directory declares (and then fails its CRC), so a
directory that lies about sizes cannot unpack more than what was checked.

The reader in sheets.reading calls these checks; every upload that reads a spreadsheet
through it (registrations, OpenSID exports, village data, the error files) is bounded by them.
No database access.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sheets.messages import file_size, with_params

MB = 1024 * 1024
# Zip parts smaller than this are not held to the ratio: a small part of blank rows may well
# compress 200:1 and costs nothing to read.
RATIO_FROM_BYTES = 1 * MB
# Parts openpyxl reads whole into a tree (workbook, styles, relations, theme), unlike the
# worksheets it streams: a legitimate one is a few hundred kB.
MAX_TREE_PART_BYTES = 8 * MB
TREE_PART_EXEMPT = ("xl/worksheets/", "xl/media/", "xl/sharedStrings.xml")
# Excel's own limit for the text of one cell.
MAX_CELL_CHARS = 32_767
# Far more columns than any list the portal reads (an OpenSID export has 43).
MAX_COLUMNS = 500
# A CSV line longer than this is refused before the csv module splits it into cells.
MAX_LINE_CHARS = 256 * 1024


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why and what to do.
    (Defined here, the lowest module; sheets.reading re-exports it.)

    The message is lazy (gettext_lazy, sheets.messages.with_params): a refusal may be stored
    in every language and read later by someone reading another language."""

    def __init__(self, message: str | Promise, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def max_unpacked_bytes() -> int:
    return settings.IMPORT_MAX_UNPACKED_MB * MB


def max_part_ratio() -> int:
    return settings.IMPORT_MAX_PART_RATIO


def max_shared_strings_bytes() -> int:
    return settings.IMPORT_MAX_SHARED_STRINGS_MB * MB


def max_sheet_rows(row_limit: int | None = None) -> int:
    """How far down a sheet (or a CSV file) is read, blank rows included: twice the rows an
    import may hold (`row_limit`, the registration import's by default), so blank rows between
    the data are fine and a million are not."""
    return 2 * (row_limit or settings.IMPORT_MAX_ROWS) + 100


def check_xlsx_archive(file: IO[bytes]) -> None:
    """Raise ImportRefused when the workbook's parts would unpack to more than allowed. Reads
    only the zip's directory (a few kB of memory whatever the file); leaves the file at 0."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip: the reader refuses it as damaged
    finally:
        file.seek(0)
    total = 0
    for part in parts:
        total += part.file_size
        name = part.filename
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > RATIO_FROM_BYTES and ratio > max_part_ratio():
            raise _bomb()
        if name == "xl/sharedStrings.xml" and part.file_size > max_shared_strings_bytes():
            raise _unpacks_to(part.file_size, max_shared_strings_bytes())
        if not name.startswith(TREE_PART_EXEMPT) and part.file_size > MAX_TREE_PART_BYTES:
            raise _unpacks_to(part.file_size, MAX_TREE_PART_BYTES)
    if total > max_unpacked_bytes():
        raise _unpacks_to(total, max_unpacked_bytes())


def check_cell_text(text: str) -> None:
    if len(text) > MAX_CELL_CHARS:
        raise cell_too_long()


def bounded_row(
    number: int, cells: Iterable[Any], *, trim: bool, row_limit: int | None = None
) -> tuple:
    """A row's cells, after checking that the sheet does not go on too far, that the row has
    no more columns than allowed and no cell longer than allowed. `trim`: empty cells at the end
    do not count (an .xlsx row may carry formatted empty cells; a CSV row's separators count)."""
    if number > max_sheet_rows(row_limit):
        raise ImportRefused(
            with_params(
                _(
                    "The sheet goes on beyond row %(limit)s (blank rows included). Delete the "
                    "empty rows below the list, save the file and upload it again."
                ),
                limit=f"{max_sheet_rows(row_limit):,}".replace(",", "."),
            ),
            code="too_many_sheet_rows",
        )
    cells = tuple(cells)
    if trim:
        end = len(cells)
        while end and (cells[end - 1] is None or cells[end - 1] == ""):
            end -= 1
        cells = cells[:end]
    if len(cells) > MAX_COLUMNS:
        raise ImportRefused(
            with_params(
                _("Row %(row)s has more than %(limit)s columns. Keep only the list's columns."),
                row=number,
                limit=MAX_COLUMNS,
            ),
            code="too_many_columns",
        )
    for cell in cells:
        if isinstance(cell, str):
            check_cell_text(cell)
    return cells


def check_line(line: str, size_hint: int) -> None:
    """A CSV line read with readline(size_hint): refused when it was cut off at the limit."""
    if len(line) >= size_hint and not line.endswith(("\n", "\r")):
        raise ImportRefused(
            with_params(
                _(
                    "A line of the file is longer than %(limit)s characters: the file is not a "
                    "list of residents, or its columns are not separated by commas or semicolons."
                ),
                limit=f"{size_hint:,}".replace(",", "."),
            ),
            code="line_too_long",
        )


def cell_too_long() -> ImportRefused:
    return ImportRefused(
        with_params(
            _("A cell holds more than %(limit)s characters; Excel itself allows no more."),
            limit=f"{MAX_CELL_CHARS:,}".replace(",", "."),
        ),
        code="cell_too_long",
    )


def _bomb() -> ImportRefused:
    return ImportRefused(
        with_params(
            _(
                "The workbook unpacks to far more than its size (more than %(ratio)s times): it "
                "is not a list as Excel saves it. Open it in Excel, save it again and upload it "
                "again."
            ),
            ratio=max_part_ratio(),
        ),
        code="unpacks_too_much",
    )


def _unpacks_to(size: int, limit: int) -> ImportRefused:
    return ImportRefused(
        with_params(
            _(
                "The workbook unpacks to %(size)s; the most the portal reads is %(limit)s. Split "
                "the list into smaller files, or remove other sheets and pictures."
            ),
            size=file_size(size),
            limit=file_size(limit),
        ),
        code="unpacks_too_much",
    )
