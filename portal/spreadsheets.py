"""Spreadsheet downloads: the HTTP side of sheets.writing.SheetWriter's files."""

from collections.abc import Iterable

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from sheets.writing import CONTENT_TYPES, SheetWriter


def attachment(content: bytes, file_format: str, filename: str) -> HttpResponse:
    """A file download ("xlsx" or "csv")."""
    return HttpResponse(
        content,
        content_type=CONTENT_TYPES[file_format],
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def table_download(
    rows: Iterable[list], *, file_format: str, name: str, percent_columns: Iterable[int] = ()
) -> HttpResponse:
    """Rows (the first one the header) as an XLSX or CSV download, formulas neutralised;
    numbers stay numbers, shares in `percent_columns` are shown as percentages."""
    rows = iter(rows)
    writer = SheetWriter(file_format, percent_columns=percent_columns)
    writer.header(list(next(rows)))
    for row in rows:
        writer.row(list(row))
    return attachment(writer.close(), file_format, f"{name}.{file_format}")
