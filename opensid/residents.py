"""Reading OpenSID's resident export ("Data Penduduk") and telling who can be registered.

A pure module (no database): the rows of the file, each resident's standing (offered, or why
not), and the possible duplicates among them. services.py stores what it finds.

What OpenSID writes and reads, from its code (github.com/OpenSID/OpenSID):

- ``donjo-app/models/Import_model.php`` (the 24xx releases, ``impor_excel``): every sheet but one
  named "Kode Data" (code tables) is read; its first row names the columns, which are matched by
  name, not by position, against the list of known names; a row whose second cell is "###" ends
  the data; ``cek_kosong()``: "-" is empty; ``get_konversi_kode()``: a coded column holds either
  the code (digits) or its name, compared without case and spaces.
- ``app/Libraries/Import.php`` (later releases): ``DAFTAR_KOLOM``, the 43 names below (plus
  ``ket``), the sheet called "Data Penduduk"; NIK ``^(0|\\d{16})$``, "0" being a resident whose
  NIK is unknown, stored as ``Penduduk::nikSementara()`` (16 digits starting with 0); sex
  l/lk/laki-laki = 1, p/pr/perempuan = 2; status_dasar 1, 2, 3, 4, 6 or 9, "PINDAH DALAM NEGERI"
  and "PINDAH LUAR NEGERI" = 3; dates as spreadsheet dates or text (``Carbon::parse``); and the
  same person under a temporary NIK recognised by nama + tempatlahir + tanggallahir.
- ``app/Enums/PekerjaanEnum.php`` (the 89 occupations, kept in occupations.json),
  ``app/Enums/StatusDasarEnum.php``, ``app/Enums/SHDKEnum.php``.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.nik import is_placeholder_nik, mask_nik, parse_nik
from sheets import reading
from sheets.messages import file_size, joined, with_params
from sheets.reading import ImportRefused

# OpenSID's DAFTAR_KOLOM, in its order.
COLUMNS = (
    "alamat", "dusun", "rw", "rt", "nama", "no_kk", "nik", "sex", "tempatlahir", "tanggallahir",
    "agama_id", "pendidikan_kk_id", "pendidikan_sedang_id", "pekerjaan_id", "status_kawin",
    "kk_level", "warganegara_id", "ayah_nik", "nama_ayah", "ibu_nik", "nama_ibu",
    "golongan_darah_id", "akta_lahir", "dokumen_pasport", "tanggal_akhir_paspor",
    "dokumen_kitas", "akta_perkawinan", "tanggalperkawinan", "akta_perceraian",
    "tanggalperceraian", "cacat_id", "cara_kb_id", "hamil", "ktp_el", "status_rekam",
    "alamat_sekarang", "status_dasar", "suku", "tag_id_card", "id_asuransi", "no_asuransi",
    "lat", "lng",
)  # fmt: skip
REQUIRED = ("nama", "nik")
CODE_SHEET = "kode data"
DATA_SHEET = "data penduduk"
END_MARK = "###"
HEADER_SEARCH_ROWS = 10

# status_dasar (StatusDasarEnum)
LIVING, DEAD, MOVED, MISSING, GONE, INVALID = 1, 2, 3, 4, 6, 9
_STATUS = {
    "hidup": LIVING, "mati": DEAD, "pindah": MOVED, "hilang": MISSING, "pergi": GONE,
    "tidakvalid": INVALID, "pindahdalamnegeri": MOVED, "pindahluarnegeri": MOVED,
}  # fmt: skip
_SEX = {
    "1": "M", "l": "M", "lk": "M", "lakilaki": "M",
    "2": "F", "p": "F", "pr": "F", "perempuan": "F",
}  # fmt: skip
# kk_level (SHDKEnum)
_SHDK = {
    "kepalakeluarga": 1, "suami": 2, "istri": 3, "anak": 4, "menantu": 5, "cucu": 6,
    "orangtua": 7, "mertua": 8, "famililain": 9, "pembantu": 10, "lainnya": 11,
}  # fmt: skip
_DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%Y")


class Standing:
    """Where a resident stands: offered for registration, shown as not eligible (with the
    reason), or left out of the list altogether (counted only)."""

    OFFERED = "offered"
    TEMPORARY_NIK = "temporary_nik"
    INVALID_NIK = "invalid_nik"
    NO_NAME = "no_name"
    # Left out: not stored, only counted.
    NOT_LIVING = "not_living"
    AGE = "age"

    SHOWN = (OFFERED, TEMPORARY_NIK, INVALID_NIK, NO_NAME)


@dataclass(frozen=True)
class Occupation:
    code: int
    name: str
    category: str | None  # a WorkerCategory value suggested for it, or None


@cache
def occupations() -> dict[int, Occupation]:
    """OpenSID's 89 occupation codes with the worker category suggested for each."""
    data = json.loads((Path(__file__).with_name("occupations.json")).read_text("utf-8"))
    return {
        int(code): Occupation(int(code), entry["name"], entry["category"])
        for code, entry in data["occupations"].items()
    }


@cache
def _occupation_names() -> dict[str, int]:
    return {_code_key(occupation.name): code for code, occupation in occupations().items()}


@dataclass
class Resident:
    """One row of the export, as far as the portal needs it."""

    row: int  # the row number the spreadsheet program shows
    nik: str  # 16 digits when valid; otherwise as written (for the reason shown)
    name: str = ""
    sex: str = ""  # "M", "F" or ""
    birth_place: str = ""
    birth_date: datetime.date | None = None
    address: str = ""
    dusun: str = ""
    rw: str = ""
    rt: str = ""
    occupation_code: int | None = None
    mother_name: str = ""
    status: int = LIVING
    # Why the NIK is not valid, when it is not: lazy, stored in every language by services.py.
    nik_problem: str | Promise = ""
    problems: list[str] = field(default_factory=list)  # cells that could not be read

    @property
    def temporary_nik(self) -> bool:
        return is_placeholder_nik(self.nik)

    @property
    def occupation(self) -> Occupation | None:
        return occupations().get(self.occupation_code) if self.occupation_code else None

    def age(self, today: datetime.date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass
class ResidentExport:
    """What a file holds: its residents (rows up to the "###" mark) and the columns not used."""

    sheet: str
    residents: list[Resident]
    ignored: list[str]


# Reading --------------------------------------------------------------------------------------


def read_export(file: IO[bytes], *, name: str, size: int) -> ResidentExport:
    """Read an OpenSID resident export (.xlsx), streaming (openpyxl read-only mode).

    Raises ImportRefused with a message for a file that cannot be read as one: too large, not
    an .xlsx, protected, damaged, without the nama and nik columns, too many rows, no rows."""
    if size > reading.max_bytes():
        raise ImportRefused(
            with_params(
                gettext_lazy("The file is %(size)s; the largest allowed is %(limit)s."),
                size=file_size(size),
                limit=file_size(reading.max_bytes()),
            ),
            code="too_large",
        )
    if reading.sniff_format(file, name) != "xlsx":
        raise ImportRefused(
            gettext_lazy(
                "Upload the resident export as OpenSID saves it: an Excel workbook (.xlsx)."
            ),
            code="wrong_type",
        )
    workbook = _open(file)
    try:
        worksheet = _data_sheet(workbook)
        rows = _sheet_rows(worksheet)
        header_row, columns, ignored = _header(rows)
        residents = []
        limit = reading.max_rows()
        for number, cells in rows:
            if len(cells) > 1 and _text(cells[1]) == END_MARK:
                break
            if not any(_text(cell) for cell in cells):
                continue
            if len(residents) >= limit:
                raise reading.too_many_rows()
            residents.append(_resident(number, cells, columns))
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl raises many kinds for a workbook damaged further down
        raise _damaged() from error
    finally:
        workbook.close()
    if not residents:
        raise ImportRefused(
            gettext_lazy("The file has column names but no residents."), code="no_rows"
        )
    return ResidentExport(sheet=worksheet.title, residents=residents, ignored=ignored)


def _damaged() -> ImportRefused:
    return ImportRefused(
        gettext_lazy(
            "The Excel file is damaged and cannot be read. Export the residents from OpenSID "
            "again and upload that file."
        ),
        code="damaged",
    )


def _open(file: IO[bytes]):
    """The shared reader: what the workbook unpacks to is bounded before it is parsed."""
    return reading.open_workbook(file, damaged=_damaged())


def _data_sheet(workbook):
    """The sheet "Data Penduduk" when there is one, else the first sheet that is not the code
    tables ("Kode Data")."""
    sheets = [sheet for sheet in workbook.worksheets if hasattr(sheet, "iter_rows")]
    for sheet in sheets:
        if sheet.title.strip().lower() == DATA_SHEET:
            return sheet
    for sheet in sheets:
        if sheet.title.strip().lower() != CODE_SHEET:
            return sheet
    raise ImportRefused(gettext_lazy("The workbook has no sheet of residents."), code="empty")


def _sheet_rows(worksheet) -> Iterator[tuple[int, tuple]]:
    worksheet.reset_dimensions()  # the stored dimension is often wrong; read what is there
    return reading.sheet_rows(worksheet)


def _header(rows: Iterator[tuple[int, tuple]]) -> tuple[int, dict[str, int], list[str]]:
    """The row naming the columns (OpenSID writes it first; a title above it is tolerated)."""
    for number, cells in rows:
        names = [_text(cell).lower() for cell in cells]
        if "nik" in names and "nama" in names:
            columns, ignored = {}, []
            for index, column in enumerate(names):
                if column in COLUMNS and column not in columns:
                    columns[column] = index
                elif column:
                    ignored.append(_text(cells[index]))
            return number, columns, ignored
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ImportRefused(
        gettext_lazy(
            "This is not an OpenSID resident export: no row names the columns nama and nik. "
            "In OpenSID open Kependudukan > Penduduk, choose Ekspor and upload that file."
        ),
        code="missing_columns",
    )


def _resident(number: int, cells: tuple, columns: dict[str, int]) -> Resident:
    def cell(name: str) -> Any:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    problems: list[str] = []
    nik, nik_problem = _nik(cell("nik"))
    resident = Resident(
        row=number,
        nik=nik,
        nik_problem=nik_problem,
        name=_text(cell("nama"))[:150],
        birth_place=_text(cell("tempatlahir"))[:100],
        address=_text(cell("alamat"))[:200],
        dusun=_dusun(cell("dusun"))[:50],
        rw=_area_number(cell("rw")),
        rt=_area_number(cell("rt")),
        mother_name=_text(cell("nama_ibu"))[:150],
        problems=problems,
    )
    resident.sex = _coded(cell("sex"), _SEX, _("sex"), problems, as_code=False) or ""
    resident.birth_date = _date(cell("tanggallahir"), problems)
    resident.occupation_code = _occupation(cell("pekerjaan_id"), problems)
    resident.status = _status(cell("status_dasar"), problems)
    return resident


# Cells ----------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text; "-" (OpenSID's empty) and a leading apostrophe dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'"):
        text = text[1:].strip()
    return "" if text == "-" else text


def _code_key(text: str) -> str:
    """How OpenSID compares a coded cell with a name: without case or spaces."""
    text = unicodedata.normalize("NFKD", text).lower()
    return re.sub(r"[\s\-_]", "", text)


def _coded(value, table: dict, label: str, problems: list[str], *, as_code: bool = True):
    text = _text(value)
    if not text:
        return None
    if as_code and text.isdigit():
        return int(text)
    found = table.get(_code_key(text))
    if found is None:
        problems.append(_("%(column)s: %(value)s is not known.") % {"column": label, "value": text})
    return found


def _status(value, problems: list[str]) -> int:
    """status_dasar; empty is living (OpenSID's default), an unknown one counts as "not valid"
    (9), so that nobody is offered whose status cannot be read."""
    text = _text(value)
    if not text:
        return LIVING
    status = _coded(text, _STATUS, "status_dasar", problems)
    if status in (LIVING, DEAD, MOVED, MISSING, GONE, INVALID):
        return status
    if status is not None:
        problems.append(_("status_dasar: %(value)s is not known.") % {"value": text})
    return INVALID


def _occupation(value, problems: list[str]) -> int | None:
    text = _text(value)
    if not text:
        return None
    code = int(text) if text.isdigit() else _occupation_names().get(_code_key(text))
    if code not in occupations():
        problems.append(
            _("pekerjaan_id: %(value)s is not an OpenSID occupation.") % {"value": text}
        )
        return None
    return code


def _nik(value: Any) -> tuple[str, str]:
    """The NIK and, when it is not a valid one, why (empty for OpenSID's temporary NIKs)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == 0:
            return "0", ""
        # A NIK stored as a number has lost its last digits: shown the way the spreadsheet
        # shows it, so that parse_nik says what happened.
        value = f"{float(value):.5E}" if abs(value) >= 1e11 else str(int(value))
    text = _text(value)
    if is_placeholder_nik(text):
        return text, ""
    try:
        return parse_nik(text).nik, ""
    except ValidationError as error:
        return text[:40], joined([error])


def _date(value: Any, problems: list[str]) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 100_000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date()
    text = _text(value)
    if not text:
        return None
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    problems.append(_("tanggallahir: %(value)s is not a date.") % {"value": text})
    return None


def _dusun(value: Any) -> str:
    """As OpenSID stores it: capitals, "_" as a space, without the word "DUSUN"."""
    text = _text(value).replace("_", " ").upper()
    return re.sub(r"^DUSUN\s+", "", text).strip()


def _area_number(value: Any) -> str:
    """RT and RW as three digits ("2" -> "002"), the way villages write them."""
    text = _text(value)
    if text.isdigit() and int(text) <= 999:
        return f"{int(text):03d}"
    return text[:3]


# Who can be registered ------------------------------------------------------------------------


def standing(
    resident: Resident, *, today: datetime.date, ages: tuple[int, int]
) -> tuple[str, str | Promise]:
    """(standing, reason): offered, shown as not eligible with the reason (temporary or invalid
    NIK; lazy, to be stored in every language), or left out (no longer living in the village,
    or outside the working ages)."""
    if resident.status != LIVING:
        return Standing.NOT_LIVING, ""
    age = resident.age(today)
    if age is None and not resident.temporary_nik and not resident.nik_problem:
        age = _age_from_nik(resident.nik, today)
    if age is not None and not ages[0] <= age <= ages[1]:
        return Standing.AGE, ""
    if resident.temporary_nik:
        return Standing.TEMPORARY_NIK, gettext_lazy(
            "OpenSID gave this resident a temporary NIK (the real one is not known): record "
            "the NIK from the KTP or family card in OpenSID first."
        )
    if resident.nik_problem:
        return Standing.INVALID_NIK, resident.nik_problem
    if not resident.name:
        return Standing.NO_NAME, gettext_lazy(
            "OpenSID has no name for this resident: record the name in OpenSID first."
        )
    return Standing.OFFERED, ""


def _age_from_nik(nik: str, today: datetime.date) -> int | None:
    try:
        born = parse_nik(nik, today=today).birth_date
    except ValidationError:  # born after `today`: read on another day than assessed
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def name_key(text: str) -> str:
    """A name compared loosely: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def possible_duplicates(residents: Iterable[Resident]) -> dict[int, list[Promise]]:
    """{row: messages} for residents who may be the same person as another row of the file: the
    same NIK twice, or the same name and birth date with the same birthplace or mother's name
    under another NIK (OpenSID issues #6998 and #9592: temporary NIKs and re-entered people).
    The messages are lazy, to be stored in every language."""
    groups: dict[tuple, list[Resident]] = defaultdict(list)
    for resident in residents:
        if resident.nik and not resident.temporary_nik:
            groups["nik", resident.nik].append(resident)
        if not resident.name or resident.birth_date is None:
            continue
        person = (name_key(resident.name), resident.birth_date)
        if resident.birth_place:
            groups["place", *person, name_key(resident.birth_place)].append(resident)
        if resident.mother_name:
            groups["mother", *person, name_key(resident.mother_name)].append(resident)
    found: dict[int, list[Promise]] = defaultdict(list)
    for key, members in groups.items():
        if len(members) < 2:
            continue
        for resident in members:
            for other in members:
                if other is resident:
                    continue
                if key[0] == "nik":
                    message = with_params(
                        gettext_lazy("The same NIK as row %(row)d."), row=other.row
                    )
                elif other.nik == resident.nik and not resident.temporary_nik:
                    continue  # already said as "the same NIK"
                else:
                    message = with_params(
                        gettext_lazy(
                            "Possibly the same person as row %(row)d (%(name)s, NIK %(nik)s): "
                            "same name and birth date, and the same %(what)s."
                        ),
                        row=other.row,
                        name=other.name,
                        nik=_shown_nik(other.nik),
                        what=(
                            gettext_lazy("birthplace")
                            if key[0] == "place"
                            else gettext_lazy("mother's name")
                        ),
                    )
                if message not in found[resident.row]:
                    found[resident.row].append(message)
    return dict(found)


def _shown_nik(nik: str) -> str | Promise:
    if is_placeholder_nik(nik):
        return gettext_lazy("temporary")
    return mask_nik(nik) if len(nik) == 16 else nik
