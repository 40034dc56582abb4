"""Hand-made OpenSID resident exports for the tests: any columns, any sheets, in memory."""

import io

from openpyxl import Workbook

MINIMAL_COLUMNS = ["nama", "nik", "sex", "tanggallahir", "pekerjaan_id", "dusun", "rw", "rt"]


def export_bytes(rows: list[list], *, sheets: dict[str, list[list]] | None = None) -> bytes:
    """A workbook whose first sheet holds `rows` (the column names first), with more sheets
    before it when `sheets` names them ({title: rows}, in order, "Data" standing for `rows`)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, content in (sheets or {"Data": rows}).items():
        sheet = workbook.create_sheet(title)
        for row in rows if content is None else content:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def minimal(rows: list[list], columns: list[str] = MINIMAL_COLUMNS) -> bytes:
    """Only the columns the issue calls minimal: nama, nik, sex, tanggallahir, pekerjaan_id,
    dusun, rw, rt (or the `columns` given)."""
    return export_bytes([columns, *rows])
