import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Agreement


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
