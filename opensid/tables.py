import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class RecentResidentFilesTable(tables.Table):
    """The newest OpenSID exports uploaded (the view slices them): the file, its village, when."""

    original_name = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("File")
    )
    village = tables.Column(accessor="village__name", verbose_name=_("Village"))
    created_at = tables.DateTimeColumn(format="d-m-Y H:i", verbose_name=_("Uploaded"))

    class Meta:
        orderable = False  # a slice of the newest, as the heading says
        attrs = {"class": "compact"}
