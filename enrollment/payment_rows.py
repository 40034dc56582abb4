"""Reading files of contributions paid, as BPJS's own systems export them or as typed into the
portal's template: their headings, and each row's cells turned into a payment line.

An adapter over sheets.reading (format sniffing, size limits, CSV encoding and separator,
streaming XLSX reader, cell parsers), with this file's own headings. No database access.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from portal.translated import in_every_language
from sheets.cells import cell_text, date_text, header_key, nik_text
from sheets.messages import file_size, with_params

from . import importing
from .nik import parse_nik
from .premiums import parse_rupiah

# The template's headings, in its order: a data format, so always Indonesian.
HEADERS = {
    "kpj": "No. KPJ",
    "month": "Bulan Iuran",
    "amount": "Jumlah Iuran",
    "paid_on": "Tanggal Bayar",
    "nik": "NIK",
}
REQUIRED = ["kpj", "month", "amount", "paid_on"]

# After header_key(): lower case, letters and digits only, parentheses dropped.
SYNONYMS = {
    "kpj": ["kpj", "nokpj", "nomorkpj", "nopeserta", "nomorpeserta", "nokartu", "kpjnumber"],
    "month": [
        "bulan", "bulaniuran", "periode", "periodeiuran", "bulanbayar", "masaiuran", "blniuran",
        "month", "monthpaid",
    ],
    "amount": [
        "jumlah", "jumlahiuran", "iuran", "nominal", "nominaliuran", "totaliuran", "jumlahbayar",
        "amount", "amountpaid",
    ],
    "paid_on": [
        "tanggalbayar", "tglbayar", "tanggalpembayaran", "tglpembayaran", "tanggal", "tgl",
        "paidon", "paymentdate",
    ],
    "nik": ["nik", "noktp", "nomorktp", "nonik", "nomornik"],
}  # fmt: skip

_FIELDS = {synonym: name for name, synonyms in SYNONYMS.items() for synonym in synonyms}
_KPJ = re.compile(r"[0-9]{11}")
_MONTH_YEAR = re.compile(r"([0-9]{1,2})\s*[-/.]\s*([0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})\s*[-/.]\s*([0-9]{1,2})")
_MONTH_NAMES = {
    **dict.fromkeys(["jan", "januari", "january"], 1),
    **dict.fromkeys(["feb", "februari", "pebruari", "february"], 2),
    **dict.fromkeys(["mar", "maret", "march"], 3),
    **dict.fromkeys(["apr", "april"], 4),
    **dict.fromkeys(["mei", "may"], 5),
    **dict.fromkeys(["jun", "juni", "june"], 6),
    **dict.fromkeys(["jul", "juli", "july"], 7),
    **dict.fromkeys(["agu", "agt", "agus", "agustus", "aug", "august"], 8),
    **dict.fromkeys(["sep", "sept", "september"], 9),
    **dict.fromkeys(["okt", "oktober", "oct", "october"], 10),
    **dict.fromkeys(["nov", "nop", "november", "nopember"], 11),
    **dict.fromkeys(["des", "desember", "dec", "december"], 12),
}
_NAMED_MONTH = re.compile(r"([a-z]+)\s*[-/. ]\s*([0-9]{4})")


@dataclass(frozen=True)
class PaymentLine:
    """One row of a payments file, read."""

    number: int
    kpj: str
    month: datetime.date  # the first day of the month paid for
    amount: int
    paid_on: datetime.date
    nik: str  # "" when the file has none


def match_columns(cells) -> dict[str, importing.Column]:
    columns: dict[str, importing.Column] = {}
    for index, cell in enumerate(cells):
        header = cell_text(cell)
        name = _FIELDS.get(header_key(header))
        if name and name not in columns:
            columns[name] = importing.Column(index, header)
    return columns


def inspect(file, *, name: str, size: int) -> importing.Layout:
    """The file's format, heading row and columns, through the shared reader. Raises
    importing.ImportRefused for a file that cannot be read or lacks a required column."""
    if size > importing.max_bytes():
        raise importing.ImportRefused(
            with_params(
                gettext_lazy("The file is %(size)s; the largest allowed is %(limit)s."),
                size=file_size(size),
                limit=file_size(importing.max_bytes()),
            ),
            code="too_large",
        )
    row_limit = settings.PAYMENT_IMPORT_MAX_ROWS
    if importing.sniff_format(file, name) == "xlsx":
        layout = importing.inspect_xlsx(file, row_limit=row_limit)
    else:
        layout = importing.inspect_csv(file, row_limit=row_limit)
    layout.row_limit = row_limit
    layout.header_row = 0  # the heading row is found here, by this file's headings
    best: tuple[importing.SheetRow, dict] | None = None
    for row in importing.read_rows(file, layout):
        if row.number > importing.HEADER_SEARCH_ROWS:
            break
        columns = match_columns(row.cells)
        if best is None or len(columns) > len(best[1]):
            best = (row, columns)
        if all(name in columns for name in REQUIRED):
            break
    if best is None:
        raise importing.ImportRefused(gettext_lazy("The file is empty."), code="empty")
    row, columns = best
    missing = [HEADERS[name] for name in REQUIRED if name not in columns]
    if missing:
        raise importing.ImportRefused(
            with_params(
                gettext_lazy(
                    "Columns missing: %(columns)s. Download the template to see the expected "
                    "columns."
                ),
                columns=", ".join(missing),
            ),
            code="missing_columns",
        )
    layout.header_row = row.number
    layout.headers = [cell_text(cell) for cell in row.cells]
    layout.columns = columns
    layout.ignored = [
        h for h in layout.headers if h and h not in {c.header for c in columns.values()}
    ]
    return layout


def rows(file, layout: importing.Layout) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, values by field name) for each non-blank row below the headings."""
    layout.row_limit = settings.PAYMENT_IMPORT_MAX_ROWS  # a layout read back from JSON lacks it
    for row in importing.read_rows(file, layout):
        yield row.number, layout.values(row.cells)


def parse_kpj(value: Any) -> str:
    text = re.sub(r"[\s.-]", "", cell_text(value))
    if not _KPJ.fullmatch(text):
        raise ValidationError(gettext_lazy("A KPJ number has 11 digits."), code="kpj")
    return text


def parse_month(value: Any) -> datetime.date:
    """The month paid for: "03/2025", "3-2025", "2025-03", "Maret 2025", or a date cell."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = cell_text(value).strip().lower()
    year = month = None
    if match := _MONTH_YEAR.fullmatch(text):
        month, year = int(match[1]), int(match[2])
    elif match := _YEAR_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
    elif (match := _NAMED_MONTH.fullmatch(text)) and match[1] in _MONTH_NAMES:
        month, year = _MONTH_NAMES[match[1]], int(match[2])
    elif (iso := _iso_day(text)) is not None:
        return iso.replace(day=1)
    if month is None or not 1 <= month <= 12 or not 1900 <= year <= 2999:
        raise ValidationError(
            gettext_lazy(
                "The month cannot be read: write it as MM/YYYY or YYYY-MM, such as 03/2025."
            ),
            code="month",
        )
    return datetime.date(year, month, 1)


def _iso_day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def parse_amount(value: Any) -> int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0 or value != int(value):
            raise ValidationError(
                gettext_lazy("Write the amount paid in whole Rupiah; for a refund write 0."),
                code="amount",
            )
        return int(value)
    text = cell_text(value)
    if not text:
        raise ValidationError(gettext_lazy("Enter the amount paid."), code="amount")
    if text.lstrip().startswith("-"):
        raise ValidationError(
            gettext_lazy("Write the amount paid in whole Rupiah; for a refund write 0."),
            code="amount",
        )
    return parse_rupiah(text)


def parse_paid_on(value: Any) -> datetime.date:
    text, problem = date_text(value)
    if problem:
        raise ValidationError(problem, code="date")
    day = _iso_day(text) if text else None
    if day is None:
        raise ValidationError(
            gettext_lazy("Enter the payment date as DD-MM-YYYY, such as 15-03-2025."), code="date"
        )
    return day


def parse_optional_nik(value: Any) -> str:
    text = nik_text(value)
    if not text:
        return ""
    return parse_nik(text).nik


def read_line(
    number: int, values: dict[str, Any], header_for
) -> tuple[PaymentLine | None, list[list[str]]]:
    """A row's payment line, or the problems found, as [column heading, message] pairs."""
    parsed: dict[str, Any] = {}
    errors = []
    parsers = {
        "kpj": parse_kpj,
        "month": parse_month,
        "amount": parse_amount,
        "paid_on": parse_paid_on,
        "nik": parse_optional_nik,
    }
    for name, parser in parsers.items():
        try:
            parsed[name] = parser(values.get(name))
        except ValidationError as error:
            errors.extend(
                [header_for(name), in_every_language(message)] for message in error.error_list
            )
    if errors:
        return None, errors
    return PaymentLine(number=number, **parsed), []


def month_text(month: datetime.date | None) -> str:
    """A month as the export and the files write it: "2025-03"."""
    return f"{month:%Y-%m}" if month else ""
