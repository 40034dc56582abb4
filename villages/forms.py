"""Forms for the villages' population counts: filtering the list, editing one village, and
uploading a file of counts (read with the registration import's readers)."""

from __future__ import annotations

from typing import IO, Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment import importing
from portal.translated import file_size, with_params

from .models import District, Village

# Headings of a counts file, after importing.header_key (lower case, letters and digits only,
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
        name = _HEADING_FIELDS.get(importing.header_key(importing.cell_text(cell)))
        if name is not None and name not in columns:
            columns[name] = index
    return columns


def _cell(value: Any) -> Any:
    """A cell as JSON can keep it (the rows wait in the session until confirmed)."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return importing.cell_text(value)


def read_counts_file(file: IO[bytes], *, name: str, size: int) -> list[dict]:
    """The rows of a counts file: dicts with "number" (the row as the spreadsheet shows it),
    "code" (as the villages table writes it) and the counts as found in the cells.

    An adapter over enrollment.importing: its format sniffing, CSV encoding and separator
    detection and streaming XLSX reader, with this file's own headings. Raises
    importing.ImportRefused when the file as a whole cannot be read."""
    if size > importing.max_bytes():
        raise importing.ImportRefused(
            with_params(
                gettext_lazy("The file is %(size)s; the largest allowed is %(limit)s."),
                size=file_size(size),
                limit=file_size(importing.max_bytes()),
            ),
            code="too_large",
        )
    if importing.sniff_format(file, name) == "xlsx":
        layout = importing.inspect_xlsx(file)
    else:
        layout = importing.inspect_csv(file)
    layout.header_row = 0  # the heading row is found here, by this file's headings
    columns: dict[str, int] | None = None
    rows = []
    for row in importing.read_rows(file, layout):
        if columns is None:
            if row.number > importing.HEADER_SEARCH_ROWS:
                break
            found = _counts_columns(row.cells)
            if "code" in found and len(found) >= 2:
                columns = found
            continue
        if len(rows) >= importing.max_rows():
            raise importing.too_many_rows()
        values = {
            name: _cell(row.cells[index]) if index < len(row.cells) else None
            for name, index in columns.items()
        }
        values["code"] = importing.village_code(values["code"])
        rows.append({"number": row.number, **values})
    if columns is None:
        raise importing.ImportRefused(
            gettext_lazy(
                "The file needs a Kode Desa column and at least one of the columns Jumlah "
                "Penduduk, Penduduk Usia Kerja and Jumlah Perangkat Desa."
            ),
            code="missing_columns",
        )
    if not rows:
        raise importing.ImportRefused(
            gettext_lazy("The file has column headings but no rows of villages."), code="no_rows"
        )
    return rows


class VillageCountsForm(forms.ModelForm):
    """The three counts of one village; the model's constraint refuses a working-age count
    above the population."""

    class Meta:
        model = Village
        fields = ["population", "working_age_population", "official_count"]

    def clean(self):
        data = super().clean()
        population, working_age = data.get("population"), data.get("working_age_population")
        if population is not None and working_age is not None and working_age > population:
            self.add_error(
                "working_age_population",
                _("The working-age population cannot exceed the population."),
            )
        return data

    def _post_clean(self):
        # The constraint is checked in clean() with a message on the field; skip the repeat.
        self._validate_constraints = False
        super()._post_clean()


class VillageCountsImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.rows = read_counts_file(upload, name=upload.name, size=upload.size)
        except importing.ImportRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from refused
        return upload


class VillageFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or code"), required=False, max_length=100)
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none(), required=False
    )
    missing = forms.BooleanField(
        label=gettext_lazy("Only villages with missing counts"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_admin:
            # Every district of Indonesia is too long a list: admins search by code instead.
            del self.fields["district"]
        else:
            self.fields["district"].queryset = (
                District.objects.filter(villages__in=Village.objects.for_user(user))
                .select_related("regency")
                .distinct()
                .order_by("regency__name", "name")
            )
            self.fields["district"].label_from_instance = lambda district: (
                f"{district.name} ({district.regency.name})"
            )
