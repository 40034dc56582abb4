import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Regency, Village, area_names

from .arrears import PaymentState
from .models import FundingSource, Registration, WorkerCategory


class RegistrationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or whole NIK"))
    status = django_filters.ChoiceFilter(choices=Registration.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(
        field_name="participant__category", choices=WorkerCategory.choices, label=_("Category")
    )
    program = django_filters.ChoiceFilter(
        method="filter_program",
        choices=[("jkk_jkm", "JKK + JKM"), ("jht", "JKK + JKM + JHT")],
        label=_("Programs"),
    )
    funding_source = django_filters.ChoiceFilter(choices=FundingSource.choices, label=_("Paid by"))
    payments = django_filters.ChoiceFilter(
        method="filter_payments", choices=PaymentState.choices, label=_("Contributions")
    )
    regency = django_filters.ChoiceFilter(
        field_name="village__district__regency", label=_("Regency / city")
    )
    district = django_filters.ChoiceFilter(field_name="village__district", label=_("District"))
    village = django_filters.ChoiceFilter(field_name="village", label=_("Village"))

    class Meta:
        model = Registration
        fields = [
            "q", "status", "category", "program", "funding_source", "payments", "regency",
            "district", "village",
        ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        """Places narrow down step by step: the regencies of the user's area, the districts of
        the chosen regency, the villages of the chosen district (a village's code names its
        district and regency). An admin would otherwise choose among 83,762 villages."""
        super().__init__(*args, **kwargs)
        if user.is_village_operator:
            for name in ("regency", "district", "village"):
                del self.filters[name]
            return
        self._drop_places_outside_the_chosen_ones()
        village = self.data.get("village") or ""
        district = self.data.get("district") or village[: len("35.23.12")]
        regency = self.data.get("regency") or district[: len("35.23")]
        regencies = area_names("regency")
        if not user.is_admin:
            covered = set(
                Regency.objects.covered_by(user.branch_office_id).values_list("pk", flat=True)
            )
            regencies = {code: name for code, name in regencies.items() if code in covered}
            if len(regencies) == 1:
                regency = regency or next(iter(regencies))
        districts = {}
        if regency in regencies:
            districts = {
                code: name
                for code, name in area_names("district").items()
                if code.startswith(f"{regency}.")
            }
        villages = {}
        if district in districts:
            villages = dict(
                Village.objects.for_user(user).filter(district=district).values_list("code", "name")
            )
        for name, choices in (
            ("regency", regencies),
            ("district", districts),
            ("village", villages),
        ):
            self.filters[name].extra["choices"] = sorted(choices.items(), key=lambda item: item[1])
        # Choosing a regency or district re-submits the filter (static/js/portal.js), so the
        # next choices fill at once; without scripts the filter button does it.
        for name, narrows in (("regency", "district village"), ("district", "village")):
            self.filters[name].extra["widget"] = forms.Select(attrs={"data-narrows": narrows})

    def _drop_places_outside_the_chosen_ones(self) -> None:
        """A district of another regency than the chosen one (the regency was changed, the page
        not re-submitted yet) is dropped, and so is a village of another district."""
        regency, district = self.data.get("regency"), self.data.get("district")
        village = self.data.get("village")
        drop = []
        if regency and district and not district.startswith(f"{regency}."):
            drop += ["district", "village"]
            district = ""
        within = district or regency
        if within and village and not village.startswith(f"{within}."):
            drop.append("village")
        if drop:
            self.data = self.data.copy()
            for name in drop:
                self.data.pop(name, None)

    def search(self, queryset, name, value):
        """A name, or a whole NIK: never the start of one, or a masked NIK (352312******0001)
        could be rebuilt digit by digit from the answers (23 searches)."""
        value = value.strip()
        digits = value.replace(" ", "")
        if digits.isdigit():
            return queryset.filter(participant__nik=digits)
        return queryset.filter(Q(participant__full_name__icontains=value))

    def filter_program(self, queryset, name, value):
        return queryset.filter(jht=(value == "jht"))

    def filter_payments(self, queryset, name, value):
        return queryset.in_payment_state(value)
