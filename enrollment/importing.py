"""Reading the registration lists villages keep in spreadsheets: their column headings (the
template's and the other names offices give them), and their cells turned into what
RegistrationForm expects; the template to fill in and the error file to fix. The files
themselves are read and written by the neutral spreadsheet library, sheets.

No database access: the rows are checked by RegistrationForm (import_services.import_batch_check).
Files are read streaming (openpyxl read-only mode, the csv reader), so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from functools import cache
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from sheets import reading
from sheets.cells import CHECK_MARKS, NO, YES, cell_text, date_text, header_key, nik_text
from sheets.cells import value_key as _value_key
from sheets.messages import file_size, with_params
from sheets.reading import (
    HEADER_SEARCH_ROWS,
    Column,
    ImportRefused,
    SheetRow,
    max_bytes,
    max_rows,
    read_rows,
    sniff_format,
    too_many_rows,
)
from sheets.writing import SheetWriter

from .models import FundingSource, OccupationGroup, Participant, WorkerCategory

__all__ = [
    "HEADER_SEARCH_ROWS",
    "ImportRefused",
    "SheetRow",
    "max_bytes",
    "max_rows",
    "read_rows",
    "sniff_format",
    "too_many_rows",
]

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


class Layout(reading.Layout):
    """A registration list's layout: stored on the batch."""

    def header_for(self, name: str) -> str:
        """The column's heading as the file writes it, or the template's."""
        column = self.columns.get(name)
        return column.header if column else HEADERS.get(name, "")


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
        raise reading.no_rows()
    if layout.file_format == "csv" and layout.rows_estimated > max_rows():
        raise too_many_rows()
    return layout


def inspect_xlsx(file: IO[bytes], *, row_limit: int | None = None) -> Layout:
    """The first sheet with a NIK column (a template may carry a sheet of instructions), else
    the first sheet with anything in it. `row_limit`: the rows the import may hold."""
    return reading.inspect_xlsx(
        file, match_headers=match_headers, key="nik", row_limit=row_limit, layout=Layout
    )


def inspect_csv(file: IO[bytes], *, row_limit: int | None = None) -> Layout:
    return reading.inspect_csv(
        file, match_headers=match_headers, key="nik", row_limit=row_limit, layout=Layout
    )


# From cells to the form's data ---------------------------------------------------------------


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
    data["nik"] = nik_text(values.get("nik"))
    data["declared_income"] = cell_text(values.get("declared_income"))
    data["birth_date"], problem = date_text(values.get("birth_date"))
    if problem:
        problems["birth_date"] = problem
    for name in _CHOICES:
        data[name] = _choice(name, values.get(name))
    jht = values.get("jht")
    jht_text = cell_text(jht)
    if jht is True or jht_text in CHECK_MARKS or _value_key(jht_text) in YES:
        data["jht"] = "on"
    elif _value_key(jht_text) not in NO:
        problems["jht"] = _("Write Ya or Tidak.")
    return data, problems


# Writing files -------------------------------------------------------------------------------


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
