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

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        districts = District.objects.filter(villages__campaign_participations__campaign=campaign)
        self.filters["district"].queryset = districts.distinct().order_by("name")
        self.filters["regency"].queryset = (
            Regency.objects.filter(districts__in=districts).distinct().order_by("name")
        )
