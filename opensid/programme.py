"""The aid-programme ("program bantuan") file OpenSID imports: the village records a campaign in
OpenSID, with its enrolled members as participants, and OpenDK shows it from there.

The layout, from OpenSID's code (github.com/OpenSID/OpenSID): ``Program_bantuan::expor()`` and
``impor()`` (donjo-app/controllers/Program_bantuan.php) and ``App\\Imports\\BantuanImports``:

- sheet "Program", two columns (title, value), one row each: id (empty or unknown: a new
  programme), Nama Program, Sasaran Program (1 = Penduduk: each participant is a resident, named
  by NIK), Keterangan, Asal Dana (AsalDanaEnum's names), Rentang Waktu (Awal) and (Akhir) as
  Y-m-d text; "###" in the first column ends it.
- sheet "Peserta": the headings Peserta, No. Peserta, NIK, Nama, Tempat Lahir, Tanggal Lahir,
  Alamat, then one row per participant ("Peserta" holds the NIK for a programme for residents;
  an empty Tempat Lahir or Alamat is filled in by OpenSID from its own data; Tanggal Lahir as
  Y-m-d text); "###" in the first column ends it.

Never a phone number, never a KPJ number: "No. Peserta" stays empty (BPJS Ketenagakerjaan does
not hand KPJ numbers to villages, OpenSID issue #9745).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from sheets.writing import neutralize

PROGRAM_SHEET = "Program"
PARTICIPANT_SHEET = "Peserta"
PROGRAM_TITLES = [
    "id", "Nama Program", "Sasaran Program", "Keterangan", "Asal Dana", "Rentang Waktu (Awal)",
    "Rentang Waktu (Akhir)",
]  # fmt: skip
PARTICIPANT_HEADERS = [
    "Peserta", "No. Peserta", "NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat",
]  # fmt: skip
END_MARK = "###"
TARGET_RESIDENTS = 1  # SasaranEnum::PENDUDUK
# AsalDanaEnum
FUNDS_REGENCY = "Kab/Kota"
FUNDS_VILLAGE = "Dana Desa"
FUNDS_OTHER = "Lain-lain (Hibah)"


@dataclass(frozen=True)
class Programme:
    name: str
    description: str
    funds: str
    starts_on: datetime.date
    ends_on: datetime.date


@dataclass(frozen=True)
class Member:
    nik: str
    name: str
    birth_date: datetime.date | None
    address: str = ""
    birth_place: str = ""


def programme_workbook(programme: Programme, members: Iterable[Member]) -> bytes:
    """The .xlsx OpenSID's "Impor Program Bantuan" reads. Every cell is text, so that NIKs keep
    their 16 digits and dates stay Y-m-d whatever the spreadsheet program does."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(PROGRAM_SHEET)
    values = [
        "-",  # no OpenSID id yet: OpenSID adds a new programme
        programme.name,
        str(TARGET_RESIDENTS),
        programme.description,
        programme.funds,
        programme.starts_on.isoformat(),
        programme.ends_on.isoformat(),
    ]
    for title, value in zip(PROGRAM_TITLES, values, strict=True):
        sheet.append(_text_cells(sheet, [title, value]))
    sheet.append(_text_cells(sheet, [END_MARK, ""]))
    sheet = workbook.create_sheet(PARTICIPANT_SHEET)
    sheet.append(_text_cells(sheet, PARTICIPANT_HEADERS, bold=True))
    for member in members:
        sheet.append(
            _text_cells(
                sheet,
                [
                    member.nik,
                    "",
                    member.nik,
                    member.name,
                    member.birth_place,
                    member.birth_date.isoformat() if member.birth_date else "",
                    member.address,
                ],
            )
        )
    sheet.append(_text_cells(sheet, [END_MARK]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cells(sheet, values: list[str], *, bold: bool = False) -> list:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    cells = []
    for value in values:
        text = ILLEGAL_CHARACTERS_RE.sub("", value or "")
        if text != "-":  # OpenSID's "no id", not a formula
            text = neutralize(text)
        cell = WriteOnlyCell(sheet, value=text or None)
        if text:
            cell.data_type = "s"
            cell.number_format = "@"
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def read_programme(file: IO[bytes]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Read a programme file back the way OpenSID does: the Program sheet's (title, value) rows
    and the Peserta sheet's rows by heading, each up to the "###" row."""
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        programme = {}
        for row in workbook[PROGRAM_SHEET].iter_rows(values_only=True):
            title, value = (*row, None, None)[:2]
            if title == END_MARK:
                break
            programme[str(title)] = "" if value is None else str(value)
        rows = workbook[PARTICIPANT_SHEET].iter_rows(values_only=True)
        headers = [str(cell) for cell in next(rows)]
        participants = []
        for row in rows:
            if row and row[0] == END_MARK:
                break
            row = (*row, *[None] * (len(headers) - len(row)))
            participants.append(
                {h: "" if v is None else str(v) for h, v in zip(headers, row, strict=False)}
            )
    finally:
        workbook.close()
    return programme, participants
