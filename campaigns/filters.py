import django_filters
from django.utils.translation import gettext_lazy as _

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
