"""The OpenSID pages' forms: the upload, the candidates' filters, and the choices made once for a
batch of ticked residents (each resident is then checked by enrollment's RegistrationForm)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enrollment import eligibility
from enrollment.forms import RupiahField
from enrollment.models import FundingSource, WorkerCategory
from sheets.cells import village_code
from villages.models import Village

from . import residents


class UploadForm(forms.Form):
    field_order = ["village", "file"]

    file = forms.FileField(
        label=_("OpenSID resident export (.xlsx)"),
        allow_empty_file=True,  # refused by the reader, with its own message
        error_messages={"required": _("Choose the file to upload.")},
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
    )
    village = forms.CharField(
        label=_("Village code"),
        max_length=20,
        help_text=_("Kemendagri code, such as 35.23.12.2002."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.is_village_operator:
            del self.fields["village"]

    def clean_village(self) -> Village:
        code = village_code(self.cleaned_data["village"])
        village = Village.objects.for_user(self.user).filter(pk=code).first()
        if village is None:
            # The same answer for a code that does not exist and one outside the user's area.
            raise ValidationError(
                _("%(code)s is not the code of a village in your area."),
                code="village",
                params={"code": code},
            )
        return village

    def village_for_upload(self) -> Village:
        if self.user.is_village_operator:
            return Village.objects.get(pk=self.user.village_id)
        return self.cleaned_data["village"]


class CandidateFilterForm(forms.Form):
    """Filters over one upload's residents; the choices are the values the file holds."""

    SHOW_OFFERED = "offered"
    SHOW_ALL = "all"

    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (SHOW_OFFERED, _("Can be registered")),
            (SHOW_ALL, _("Everyone listed, with the reason")),
        ],
    )
    dusun = forms.ChoiceField(label=_("Dusun"), required=False)
    rw = forms.ChoiceField(label=_("RW"), required=False)
    rt = forms.ChoiceField(label=_("RT"), required=False)
    occupation = forms.TypedChoiceField(
        label=_("Occupation"), required=False, coerce=int, empty_value=None
    )
    age_min = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=150)
    age_max = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=150)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        dusun, rw, rt, codes = set(), set(), set(), set()
        for row in candidates.order_by().values_list("dusun", "rw", "rt", "occupation_code"):
            dusun.add(row[0])
            rw.add(row[1])
            rt.add(row[2])
            codes.add(row[3])
        every = [("", _("All"))]
        self.fields["dusun"].choices = every + [(d, d.title()) for d in sorted(dusun) if d]
        self.fields["rw"].choices = every + [(v, v) for v in sorted(rw) if v]
        self.fields["rt"].choices = every + [(v, v) for v in sorted(rt) if v]
        known = residents.occupations()
        self.fields["occupation"].choices = every + [
            (code, known[code].name.title()) for code in sorted(c for c in codes if c in known)
        ]
        for name in ("age_min", "age_max"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("age_min"), cleaned.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The upper age must not be below the lower one."))
        return cleaned


class BatchForm(forms.Form):
    """What is chosen once for every ticked resident. Only read here: every rule (income range,
    the CSR company, the category) is RegistrationForm's, applied to each resident's row."""

    category = forms.ChoiceField(
        label=_("Worker category"),
        required=False,
        choices=[("", _("As suggested from each occupation"))] + WorkerCategory.choices,
        help_text=_("Residents without a suggestion need a category chosen here."),
    )
    jht = forms.BooleanField(
        label=_("Add JHT (old-age savings)"),
        required=False,
        help_text=_("JKK and JKM are always included."),
    )
    declared_income = RupiahField(
        label=_("Declared monthly income (Rp)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    funding_source = forms.ChoiceField(label=_("Premium paid by"), choices=FundingSource.choices)
    funding_company = forms.CharField(label=_("Company (for CSR)"), required=False, max_length=150)

    def __init__(self, *args, village: Village, **kwargs):
        super().__init__(*args, **kwargs)
        # A kelurahan receives no Dana Desa or ADD: not offered (the rows' check refuses them).
        self.fields["funding_source"].widget.choices = eligibility.payer_choices(village)

    @staticmethod
    def initial_for(village: Village) -> dict:
        village_funded = not village.is_kelurahan
        return {
            "funding_source": FundingSource.DANA_DESA
            if village_funded
            else FundingSource.PARTICIPANT
        }
