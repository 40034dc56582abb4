import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import District, Village

from .models import FundingSource, Registration, WorkerCategory


class RegistrationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or NIK"))
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
    district = django_filters.ModelChoiceFilter(
        field_name="village__district", queryset=District.objects.none(), label=_("District")
    )
    village = django_filters.ModelChoiceFilter(queryset=Village.objects.none(), label=_("Village"))

    class Meta:
        model = Registration
        fields = ["q", "status", "category", "program", "funding_source", "district", "village"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only villages and districts that have registrations: an admin's choice is otherwise
        # all 83,762 villages of Indonesia.
        villages = Village.objects.for_user(user).filter(registrations__isnull=False).distinct()
        if user.is_village_operator:
            del self.filters["district"]
            del self.filters["village"]
        else:
            self.filters["village"].queryset = villages.order_by("name")
            self.filters["district"].queryset = (
                District.objects.filter(villages__in=villages).distinct().order_by("name")
            )

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.replace(" ", "")
        if digits.isdigit():
            return queryset.filter(participant__nik__startswith=digits)
        return queryset.filter(Q(participant__full_name__icontains=value))

    def filter_program(self, queryset, name, value):
        return queryset.filter(jht=(value == "jht"))
