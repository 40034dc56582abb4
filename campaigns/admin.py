from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Signatory


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 2


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Agreement.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Agreement.Status.values:
            return queryset.with_status(self.value())
        return queryset


class SignedYearFilter(admin.SimpleListFilter):
    title = _("year signed")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Agreement.objects.dates("signed_on", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(signed_on__year=int(self.value()))
        return queryset


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "number",
        "branch_office",
        "counterpart_name",
        "signed_on",
        "valid_until",
        "status_display",
    ]
    list_filter = ["kind", StatusFilter, SignedYearFilter, "branch_office", "counterpart_kind"]
    search_fields = ["title", "number", "counterpart_name", "place", "signatories__name"]
    date_hierarchy = "signed_on"
    list_select_related = ["branch_office"]
    autocomplete_fields = ["counterpart_regency", "counterpart_village"]
    inlines = [SignatoryInline]
    readonly_fields = ["current_document"]
    # Documents are served only through the scoped download view, never from a public URL.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput(attrs={"accept": ".pdf"})}}
    fieldsets = [
        (None, {"fields": ["kind", "number", "title", "branch_office"]}),
        (
            _("Counterpart"),
            {
                "fields": [
                    "counterpart_kind",
                    "counterpart_name",
                    "counterpart_regency",
                    "counterpart_village",
                ]
            },
        ),
        (
            _("Signing and validity"),
            {"fields": ["signed_on", "place", "valid_from", "valid_until"]},
        ),
        (_("Content"), {"fields": ["scope", "current_document", "document"]}),
    ]

    @admin.display(description=_("status"))
    def status_display(self, agreement):
        return agreement.get_status_display()

    @admin.display(description=_("current document"))
    def current_document(self, agreement):
        if not (agreement.pk and agreement.document):
            return _("No document uploaded.")
        url = reverse("agreement_document", args=[agreement.pk])
        return format_html('<a href="{}">{}</a>', url, agreement.document.name.rsplit("/", 1)[-1])
