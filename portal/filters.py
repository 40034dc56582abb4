"""The account list's search box (portal.account_admin_views.account_list)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import User


class AccountFilter(django_filters.FilterSet):
    """?q= finds an account by username, first name, village, district or branch office."""

    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = User
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(village__name__icontains=value)
            | Q(village__district__name__icontains=value)
            | Q(branch_office__name__icontains=value)
        )
