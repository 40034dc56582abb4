"""Forms of the village-data pages (campaigns.village_data_views): editing one village's counts
and uploading a file of counts (read by villages.counts_file); the list's filter is
campaigns.filters.VillageFilter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sheets.reading import ImportRefused
from villages.counts_file import read_counts_file
from villages.models import Village


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
        except ImportRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from refused
        return upload
