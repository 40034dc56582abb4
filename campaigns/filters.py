import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import District, Village

from .models import Agreement, CampaignVillage
from .progress import area_range


class AgreementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(
        choices=Agreement.Status.choices, method="filter_status", label=_("Status")
    )

    class Meta:
        model = Agreement
        fields = ["q", "kind", "status"]

    def search(self, queryset, name, value):
        return (
            queryset.filter(title__icontains=value)
            | queryset.filter(counterpart_name__icontains=value)
            | queryset.filter(number__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


class CampaignVillageFilter(django_filters.FilterSet):
    """Narrows a campaign's village table by place (the areas progress.offered_areas offers:
    a place filter with nothing to offer is left out) or by name."""

    province = django_filters.ChoiceFilter(method="within_area", label=_("Province"))
    regency = django_filters.ChoiceFilter(method="within_area", label=_("Regency / city"))
    district = django_filters.ChoiceFilter(method="within_area", label=_("District"))
    q = django_filters.CharFilter(
        field_name="village__name", lookup_expr="icontains", label=_("Village")
    )

    class Meta:
        model = CampaignVillage
        fields = ["province", "regency", "district", "q"]

    def __init__(self, *args, areas, **kwargs):
        """`areas`: roll-ups (anything with code and name) by level."""
        super().__init__(*args, **kwargs)
        for level, offered in areas.items():
            if offered:
                self.filters[level].extra["choices"] = sorted(
                    ((area.code, area.name) for area in offered), key=lambda choice: choice[1]
                )
            else:
                del self.filters[level]

    def within_area(self, queryset, name, code):
        """A village's code starts with its district's and regency's: a range of the campaign's
        (campaign, village) index, no join."""
        return queryset.filter(**area_range(code))


class DistrictChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, district):
        return f"{district.name} ({district.regency.name})"


class CheckboxFilter(django_filters.Filter):
    """A tick box (django-filter's BooleanFilter is a yes/no/unknown list)."""

    field_class = forms.BooleanField


class VillageFilter(django_filters.FilterSet):
    """The village-data list (/desa-data/): by name or the start of a code, by a district of
    the user's area, only villages with a count missing. Admins get no district list: every
    district of Indonesia is too long a list; they search by code instead."""

    q = django_filters.CharFilter(method="search", max_length=100, label=_("Name or code"))
    district = django_filters.ModelChoiceFilter(
        queryset=District.objects.none(),
        empty_label=_("- Choose -"),  # as the form this filter replaced offered it
        label=_("District"),
    )
    missing = CheckboxFilter(method="filter_missing", label=_("Only villages with missing counts"))

    class Meta:
        model = Village
        fields = ["q", "district", "missing"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.is_admin:
            del self.filters["district"]
        else:
            district = self.filters["district"]
            district.field_class = DistrictChoiceField
            district.queryset = (
                District.objects.filter(villages__in=Village.objects.for_user(user))
                .select_related("regency")
                .distinct()
                .order_by("regency__name", "name")
            )

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def filter_missing(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(population__isnull=True)
            | Q(working_age_population__isnull=True)
            | Q(official_count__isnull=True)
        )
