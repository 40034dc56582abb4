"""The registration form: the one place a registration's input is checked, whether typed on a
phone or read from a spreadsheet row."""

from __future__ import annotations

from collections.abc import Container

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.phone import normalize_phone
from sheets.messages import with_params

from . import eligibility, premiums
from .models import (
    AgeLimit,
    Agent,
    ContributionRate,
    FundingSource,
    OccupationGroup,
    Participant,
    Registration,
    WorkerCategory,
)
from .nik import parse_nik
from .premiums import format_rupiah, parse_rupiah


class RupiahField(forms.CharField):
    """An amount in Rupiah typed the Indonesian way: "Rp 1.500.000", "1500000"."""

    def to_python(self, value):
        value = super().to_python(value)
        return parse_rupiah(value) if value else None


class RegistrationForm(forms.Form):
    nik = forms.CharField(
        label=_("NIK"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits from the KTP or the family card (KK)."),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to take it from the NIK."),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("From the NIK"))] + Participant.Sex.choices,
    )
    confirm_differences = forms.BooleanField(
        label=_("The data is right although it differs from the NIK"),
        required=False,
        help_text=_("Tick only after checking the KTP or family card."),
    )
    phone = forms.CharField(
        label=_("Phone / WhatsApp"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=250)
    rt = forms.CharField(label=_("RT"), required=False, max_length=3)
    rw = forms.CharField(label=_("RW"), required=False, max_length=3)
    occupation = forms.CharField(label=_("Occupation"), required=False, max_length=100)
    occupation_group = forms.ChoiceField(
        label=_("Occupation group"),
        required=False,
        choices=OccupationGroup.choices,
        help_text=_("Transport workers (ojek, drivers, couriers) may get a discount."),
    )
    category = forms.ChoiceField(label=_("Worker category"), choices=WorkerCategory.choices)
    employer_name = forms.CharField(
        label=_("Employer"),
        required=False,
        max_length=150,
        help_text=_("Formal employees: the company that registers them and pays their premium."),
    )
    jht = forms.BooleanField(
        label=_("Add JHT (old-age savings)"),
        required=False,
        help_text=_("JKK and JKM are always included."),
    )
    jp = forms.BooleanField(
        label=_("Add JP (pension)"),
        required=False,
        help_text=_("Village officials and contract staff only."),
    )
    declared_income = RupiahField(
        label=_("Declared monthly income (Rp)"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    funding_source = forms.ChoiceField(label=_("Premium paid by"), choices=FundingSource.choices)
    funding_company = forms.CharField(label=_("Company (for CSR)"), required=False, max_length=150)
    agent = forms.ModelChoiceField(
        label=_("Perisai agent"), required=False, queryset=Agent.objects.none()
    )

    def __init__(
        self,
        *args,
        village,
        user,
        registration: Registration | None = None,
        book: premiums.PriceBook | None = None,
        registered_niks: Container[str] | None = None,
        age_rules: list[eligibility.AgeRule] | None = None,
        differences_are_warnings: bool = False,
        **kwargs,
    ):
        """An import passes `book` (every rate and discount), `age_rules` (AgeLimit's rows) and
        `registered_niks` (the file's NIKs already in the database) looked up once per thousand
        rows, instead of queries per row; the unique constraint on the NIK still has the last
        word. With `differences_are_warnings` (an import: the preview shows them before anything
        is saved), a birth date or sex differing from the NIK's is a warning without the
        confirmation box."""
        super().__init__(*args, **kwargs)
        self.village = village
        self.user = user
        self.registration = registration
        self.book = book
        self.rates: premiums.RateTable | None = None
        self.registered_niks = registered_niks
        self.age_rules = AgeLimit.objects.rules() if age_rules is None else age_rules
        self.differences_are_warnings = differences_are_warnings
        self.warnings: list[str] = []
        self.premium = None
        self.nik_info = None
        self.nik_differs = False
        # A kelurahan receives no Dana Desa or ADD: not offered there (and refused in clean()).
        self.fields["funding_source"].widget.choices = eligibility.payer_choices(village)
        # Dropped agents (no new member and no premium for months) cannot be chosen.
        self.fields["agent"].queryset = Agent.objects.filter(villages=village).selectable()

    def rebind(self, data) -> RegistrationForm:
        """Check another row with this same form. An import checks thousands of rows for one
        village: building a new form per row (Django deep-copies every field) cost more than
        the checks themselves. Bound fields are kept: they read the data when asked."""
        self.data, self.is_bound = data, True
        self._errors = None
        self.warnings, self.premium, self.nik_info, self.rates = [], None, None, None
        self.nik_differs = False
        return self

    @classmethod
    def initial_from(cls, registration: Registration) -> dict:
        participant = registration.participant
        return {
            **{field: getattr(participant, field) for field in [
                "nik", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw",
                "occupation", "occupation_group", "category"]},
            # Saved data that differs from the NIK was confirmed when it was saved.
            "confirm_differences": _differs_from_nik(participant),
            "jht": registration.jht,
            "jp": registration.jp,
            "employer_name": registration.employer_name,
            "declared_income": registration.declared_income,
            "funding_source": registration.funding_source,
            "funding_company": registration.funding_company,
            "agent": registration.agent,
        }  # fmt: skip

    def clean_nik(self) -> str:
        self.nik_info = parse_nik(self.cleaned_data["nik"])
        nik = self.nik_info.nik
        if self.registered_niks is not None:
            if nik in self.registered_niks:
                raise self.duplicate_error(nik)
            return nik
        existing = Participant.objects.filter(nik=nik)
        if self.registration is not None:
            existing = existing.exclude(pk=self.registration.participant_id)
        if existing.exists():
            raise self.duplicate_error(nik)
        return nik

    def duplicate_error(self, nik: str) -> ValidationError:
        """The same message whether the form or the database caught the duplicate; another
        village's registration is only said to exist, none of its data is shown."""
        visible = Registration.objects.for_user(self.user).filter(participant__nik=nik).first()
        if visible is not None and visible.is_returned:
            # Not a dead end: the person's earlier registration is the one to fix and resend.
            return ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This NIK was registered before and returned to the village (%(status)s).")
                    % {"status": visible.get_status_display().lower()},
                    reverse("registration_edit", args=[visible.pk]),
                    _("Fix that registration and send it again"),
                ),
                code="duplicate_returned",
            )
        if visible is not None:
            return ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This NIK is already registered."),
                    reverse("registration_detail", args=[visible.pk]),
                    _("Open the registration"),
                ),
                code="duplicate",
            )
        return ValidationError(
            _(
                "This NIK is already registered in another village. A person can be "
                "registered only once; contact your branch office if this is a mistake."
            ),
            code="duplicate_elsewhere",
        )

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        info = self.nik_info
        if info is not None and "nik" in cleaned:
            self._check_against_nik(cleaned, info)
        if cleaned.get("birth_date") and cleaned.get("category"):
            self._check_age(cleaned)
        if cleaned.get("funding_source"):
            try:
                eligibility.check_payer(
                    village=self.village, funding_source=cleaned["funding_source"]
                )
            except ValidationError as error:
                self.add_error("funding_source", error)
        if cleaned.get("funding_source") == FundingSource.CSR and not cleaned.get(
            "funding_company"
        ):
            self.add_error("funding_company", _("Name the company that pays through its CSR."))
        if cleaned.get("funding_source") != FundingSource.CSR:
            cleaned["funding_company"] = ""
        cleaned["occupation_group"] = cleaned.get("occupation_group") or OccupationGroup.OTHER
        self._check_scheme(cleaned)
        if cleaned.get("declared_income") is not None and cleaned.get("category"):
            try:
                book = self.book or ContributionRate.objects.price_book()
                self.premium, self.rates = premiums.price_registration(
                    book, cleaned, premiums.month_of(timezone.localdate())
                )
            except premiums.NoRatesInForce:
                raise ValidationError(
                    _("No contribution rates are set up yet. Ask an administrator."),
                    code="no_rates",
                ) from None
        return cleaned

    def _registration_day(self):
        """The age counts on the day of registration: today, or the day it was registered."""
        if self.registration is not None and self.registration.created_at:
            return timezone.localdate(self.registration.created_at)
        return timezone.localdate()

    def _check_age(self, cleaned) -> None:
        try:
            eligibility.check_age(
                birth_date=cleaned["birth_date"],
                category=cleaned["category"],
                on=self._registration_day(),
                rules=self.age_rules,
            )
        except ValidationError as error:
            typed = self.data.get(self.add_prefix("birth_date"))
            self.add_error("birth_date" if typed else "nik", error)

    def _check_scheme(self, cleaned) -> None:
        """Formal employees are their employer's (named, paid by it, never by the village
        budget); JP is for the wage earners the village pays; an employer pays only for them."""
        scheme = premiums.scheme_of(cleaned.get("category", ""))
        source = cleaned.get("funding_source")
        if scheme == premiums.EMPLOYER:
            cleaned["employer_name"] = cleaned.get("employer_name", "").strip()
            if not cleaned["employer_name"]:
                self.add_error(
                    "employer_name",
                    _("Name the employer: formal employees are covered through their employer."),
                )
            if source in FundingSource.village_funded():
                self.add_error(
                    "funding_source",
                    _(
                        "Formal employees are paid for by their employer, never from the "
                        "village budget (Dana Desa or ADD)."
                    ),
                )
            elif source:
                cleaned["funding_source"] = FundingSource.EMPLOYER
                cleaned["funding_company"] = ""
        else:
            cleaned["employer_name"] = ""
            if source == FundingSource.EMPLOYER:
                self.add_error(
                    "funding_source",
                    _("Only formal employees (PU) are paid for by an employer."),
                )
        if scheme != premiums.WAGE:
            cleaned["jp"] = False

    def _check_against_nik(self, cleaned, info) -> None:
        """A birth date or sex that differs from the NIK's is kept when the operator confirms it
        (or, in an import, shown as a warning in the preview); otherwise it is refused."""
        differences = eligibility.nik_differences(
            nik_birth_date=info.birth_date,
            nik_sex=info.sex,
            birth_date=cleaned.get("birth_date"),
            sex=cleaned.get("sex"),
        )
        self.nik_differs = bool(differences)
        accepted = self.differences_are_warnings or cleaned.get("confirm_differences")
        if cleaned.get("birth_date") is None:
            cleaned["birth_date"] = info.birth_date
        elif differences.birth_date and accepted:
            self.warnings.append(
                with_params(
                    _(
                        "The birth date differs from the one in the NIK (%(date)s); it is kept "
                        "as typed."
                    ),
                    date=info.birth_date.strftime("%d-%m-%Y"),
                )
            )
        elif differences.birth_date:
            self.add_error(
                "birth_date",
                ValidationError(
                    _("The NIK says born %(date)s. Check the date, or tick “%(confirm)s”."),
                    code="differs_from_nik",
                    params={
                        "date": info.birth_date.strftime("%d-%m-%Y"),
                        "confirm": self.fields["confirm_differences"].label,
                    },
                ),
            )
        if not cleaned.get("sex"):
            cleaned["sex"] = info.sex
        elif differences.sex and accepted:
            self.warnings.append(
                _("The sex differs from the one in the NIK; it is kept as chosen.")
            )
        elif differences.sex:
            self.add_error(
                "sex",
                ValidationError(
                    _("The NIK says %(sex)s. Check the sex, or tick “%(confirm)s”."),
                    code="differs_from_nik",
                    params={
                        "sex": Participant.Sex(info.sex).label.lower(),
                        "confirm": self.fields["confirm_differences"].label,
                    },
                ),
            )
        if not self.village.code.startswith(info.district_code + "."):
            self.warnings.append(
                with_params(
                    _(
                        "The NIK was issued in another district (%(code)s): fine for people who "
                        "moved or work away from home."
                    ),
                    code=info.district_code,
                )
            )

    @property
    def premium_display(self) -> str:
        return format_rupiah(self.premium.total) if self.premium else ""


def _differs_from_nik(participant: Participant) -> bool:
    try:
        info = parse_nik(participant.nik)
    except ValidationError:
        return False
    return bool(
        eligibility.nik_differences(
            nik_birth_date=info.birth_date,
            nik_sex=info.sex,
            birth_date=participant.birth_date,
            sex=participant.sex,
        )
    )


class VerifyForm(forms.Form):
    kpj = forms.RegexField(
        label=_("KPJ number"),
        regex=r"^\d{11}$",
        error_messages={"invalid": _("A KPJ number has exactly 11 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_kpj(self):
        kpj = self.cleaned_data["kpj"]
        if Registration.objects.filter(kpj=kpj).exists():
            raise ValidationError(
                _("KPJ %(kpj)s already belongs to another registration."),
                code="duplicate_kpj",
                params={"kpj": kpj},
            )
        return kpj


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The village operator reads this."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Give a reason."), code="required")
        return reason


class FundedPeriodForm(forms.Form):
    funding_source = forms.ChoiceField(label=_("Paid by"), choices=FundingSource.choices)
    funding_company = forms.CharField(label=_("Company (for CSR)"), required=False, max_length=150)
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, registration: Registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration = registration
        self.village = registration.village
        self.fields["funding_source"].widget.choices = eligibility.payer_choices(self.village)

    def clean(self):
        cleaned = super().clean()
        if self.registration.is_employer_covered:
            raise ValidationError(
                _("A member covered through an employer has no funded periods: the employer pays."),
                code="employer_covered",
            )
        if cleaned.get("funding_source"):
            try:
                eligibility.check_payer(
                    village=self.village, funding_source=cleaned["funding_source"]
                )
            except ValidationError as error:
                self.add_error("funding_source", error)
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The period must not end before it starts."))
        if cleaned.get("funding_source") == FundingSource.CSR and not cleaned.get(
            "funding_company"
        ):
            self.add_error("funding_company", _("Name the company that pays through its CSR."))
        return cleaned
