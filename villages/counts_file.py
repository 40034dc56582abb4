"""Reading a file of village counts (population, working age, officials) as branch offices keep
them: an XLSX or CSV file with a Kode Desa column, read with the spreadsheet library, sheets."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from sheets import reading
from sheets.cells import cell_text, header_key, village_code
from sheets.messages import file_size, with_params
from sheets.reading import ImportRefused

# Headings of a counts file, after sheets.cells.header_key (lower case, letters and digits only,
# anything in parentheses dropped): "Jumlah Penduduk (jiwa)" -> "jumlahpenduduk".
COUNT_HEADINGS = {
    "code": [
        "kodedesa", "kodekelurahan", "kodedesakelurahan", "kodedesakel", "kodewilayah",
        "kodewilayahdesa", "kodekemendagri", "kode", "villagecode", "code",
    ],
    "population": [
        "jumlahpenduduk", "jmlpenduduk", "penduduk", "totalpenduduk", "jumlahjiwa", "jiwa",
        "populasi", "population",
    ],
    "working_age_population": [
        "pendudukusiakerja", "jumlahpendudukusiakerja", "jmlpendudukusiakerja", "usiakerja",
        "pendudukusiaproduktif", "usiaproduktif", "jumlahusiakerja", "workingagepopulation",
        "workingage",
    ],
    "official_count": [
        "jumlahperangkatdesa", "jmlperangkatdesa", "perangkatdesa", "jumlahperangkat",
        "perangkat", "jumlahaparatdesa", "aparatdesa", "officialcount", "villageofficials",
        "officials",
    ],
}  # fmt: skip
_HEADING_FIELDS = {
    synonym: name for name, synonyms in COUNT_HEADINGS.items() for synonym in synonyms
}


def _counts_columns(cells: tuple) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADING_FIELDS.get(header_key(cell_text(cell)))
        if name is not None and name not in columns:
            columns[name] = index
    return columns


def _cell(value: Any) -> Any:
    """A cell as JSON can keep it (the rows wait in the session until confirmed)."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return cell_text(value)


def read_counts_file(file: IO[bytes], *, name: str, size: int) -> list[dict]:
    """The rows of a counts file: dicts with "number" (the row as the spreadsheet shows it),
    "code" (as the villages table writes it) and the counts as found in the cells.

    An adapter over sheets.reading: its format sniffing, CSV encoding and separator
    detection and streaming XLSX reader, with this file's own headings. Raises
    ImportRefused when the file as a whole cannot be read."""
    if size > reading.max_bytes():
        raise ImportRefused(
            with_params(
                _("The file is %(size)s; the largest allowed is %(limit)s."),
                size=file_size(size),
                limit=file_size(reading.max_bytes()),
            ),
            code="too_large",
        )
    if reading.sniff_format(file, name) == "xlsx":
        layout = reading.inspect_xlsx(file)
    else:
        layout = reading.inspect_csv(file)
    layout.header_row = 0  # the heading row is found here, by this file's headings
    columns: dict[str, int] | None = None
    rows = []
    for row in reading.read_rows(file, layout):
        if columns is None:
            if row.number > reading.HEADER_SEARCH_ROWS:
                break
            found = _counts_columns(row.cells)
            if "code" in found and len(found) >= 2:
                columns = found
            continue
        if len(rows) >= reading.max_rows():
            raise reading.too_many_rows()
        values = {
            name: _cell(row.cells[index]) if index < len(row.cells) else None
            for name, index in columns.items()
        }
        values["code"] = village_code(values["code"])
        rows.append({"number": row.number, **values})
    if columns is None:
        raise ImportRefused(
            _(
                "The file needs a Kode Desa column and at least one of the columns Jumlah "
                "Penduduk, Penduduk Usia Kerja and Jumlah Perangkat Desa."
            ),
            code="missing_columns",
        )
    if not rows:
        raise ImportRefused(
            _("The file has column headings but no rows of villages."), code="no_rows"
        )
    return rows
