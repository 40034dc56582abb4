import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Agreement


class AgreementTable(tables.Table):
    title = tables.Column(linkify=True, verbose_name=_("Title"))
    status = tables.Column(accessor="get_status_display", orderable=False, verbose_name=_("Status"))

    class Meta:
        model = Agreement
        fields = ["title", "kind", "counterpart_name", "branch_office", "signed_on", "valid_until"]
        sequence = [
            "title",
            "kind",
            "counterpart_name",
            "branch_office",
            "signed_on",
            "valid_until",
            "status",
        ]
        empty_text = _("No agreements yet.")
