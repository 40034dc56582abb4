"""Files of contributions paid, written as branch offices produce them, for the tests."""

import io

from openpyxl import Workbook

HEADER = ["No. KPJ", "Bulan Iuran", "Jumlah Iuran", "Tanggal Bayar", "NIK"]


def payments_csv(rows, header=HEADER, delimiter=";") -> bytes:
    lines = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def payments_xlsx(rows, header=HEADER, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row(registration, month, amount="Rp16.800", paid_on="10-%s", nik=""):
    """A row for `registration` (its KPJ) paying `month` ("MM/YYYY" or "YYYY-MM")."""
    if "%s" in paid_on:
        mm, yyyy = month.split("/") if "/" in month else reversed(month.split("-"))
        paid_on = paid_on % f"{mm}-{yyyy}"
    return [registration.kpj, month, amount, paid_on, nik]
