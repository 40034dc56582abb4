"""Writing spreadsheets: rows as XLSX (streaming) or CSV the way Indonesian Excel reads them, and
every cell kept from being run as a formula. No database access.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable
from typing import Any

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


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
