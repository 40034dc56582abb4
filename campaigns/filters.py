import django_filters
from django.utils.translation import gettext_lazy as _

from villages.models import District, Regency

from .models import Agreement, CampaignVillage


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
    """Narrows a campaign's village table. The choices come from the campaign's roll-ups: its
    regencies, and the districts of the chosen regency (all of them when there is only one),
    so a national campaign does not offer seven thousand districts at once."""

    regency = django_filters.ModelChoiceFilter(
        field_name="village__district__regency",
        queryset=Regency.objects.none(),
        label=_("Regency / city"),
    )
    district = django_filters.ModelChoiceFilter(
        field_name="village__district", queryset=District.objects.none(), label=_("District")
    )
    q = django_filters.CharFilter(
        field_name="village__name", lookup_expr="icontains", label=_("Village")
    )

    class Meta:
        model = CampaignVillage
        fields = ["regency", "district", "q"]

    def __init__(self, *args, regencies: list[str], districts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["regency"].queryset = Regency.objects.filter(code__in=regencies).order_by(
            "name"
        )
        self.filters["district"].queryset = District.objects.filter(code__in=districts).order_by(
            "name"
        )
