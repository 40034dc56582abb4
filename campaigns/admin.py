from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from villages.models import District, Regency, Village

from . import services, tally
from .forms import CategoriesField
from .models import (
    Agreement,
    Campaign,
    CampaignVillage,
    Claim,
    ScoreCriterion,
    Signatory,
    SocializationEvent,
)


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


class CampaignVillageInline(admin.TabularInline):
    model = CampaignVillage
    extra = 1
    autocomplete_fields = ["village"]
    fields = ["village", "target_override"]


class ScoreCriterionInline(admin.TabularInline):
    model = ScoreCriterion
    extra = 1
    max_num = len(ScoreCriterion.Measure)


class CampaignAdminForm(forms.ModelForm):
    """The campaign, with worker categories as checkboxes and two fields that add every village
    of a regency or district at once (saved after the inline rows)."""

    categories = CategoriesField()
    add_regency = forms.ModelChoiceField(
        queryset=Regency.objects.all(),
        required=False,
        label=_("Add every village of a regency / city"),
        widget=AutocompleteSelect(District._meta.get_field("regency"), admin.site),
    )
    add_district = forms.ModelChoiceField(
        queryset=District.objects.all(),
        required=False,
        label=_("Add every village of a district"),
        widget=AutocompleteSelect(Village._meta.get_field("district"), admin.site),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "slug",
            "kind",
            "branch_office",
            "description",
            "is_public",
            "starts_on",
            "ends_on",
            "default_target",
            "counts",
            "categories",
            "counts_employer_covered",
            "officials_goal_percent",
            "desa_only",
        ]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignAdminForm
    list_display = [
        "name",
        "kind",
        "branch_office",
        "starts_on",
        "ends_on",
        "is_public",
        "village_count",
    ]
    list_filter = ["kind", "branch_office", "is_public"]
    search_fields = ["name", "slug", "description"]
    date_hierarchy = "starts_on"
    list_select_related = ["branch_office"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["branch_office"]
    inlines = [CampaignVillageInline, ScoreCriterionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "branch_office", "description", "is_public"]}),
        (_("Period"), {"fields": ["starts_on", "ends_on"]}),
        (
            _("Targets and what counts"),
            {
                "fields": [
                    "default_target",
                    "counts",
                    "categories",
                    "counts_employer_covered",
                    "officials_goal_percent",
                    "desa_only",
                ]
            },
        ),
        (_("Add villages"), {"fields": ["add_regency", "add_district"]}),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._add_villages(request, form)
        services.campaign_kelurahan_removed(form.instance)
        # Dates, rules, targets or villages may have changed: count the campaign again.
        tally.campaign_recount(form.instance)

    def _add_villages(self, request, form):
        regency, district = form.cleaned_data["add_regency"], form.cleaned_data["add_district"]
        if regency is None and district is None:
            return
        try:
            changed = services.campaign_villages_set(
                form.instance, regency=regency, district=district, by=request.user
            )
        except services.OutsideArea as error:
            self.message_user(
                request,
                _("No villages added: outside your area: %(codes)s")
                % {"codes": ", ".join(error.codes)},
                messages.ERROR,
            )
        else:
            self.message_user(
                request,
                _("%(count)s villages added.") % {"count": changed.added},
                messages.SUCCESS,
            )


@admin.register(SocializationEvent)
class SocializationEventAdmin(admin.ModelAdmin):
    list_display = ["held_on", "kind", "place", "village", "district", "campaign", "attendees"]
    list_filter = ["kind", "campaign"]
    search_fields = ["place", "notes", "village__name", "district__name", "campaign__name"]
    date_hierarchy = "held_on"
    list_select_related = ["village", "district", "campaign"]
    autocomplete_fields = ["campaign", "village", "district"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["registration", "village", "programme", "recipient", "amount", "paid_on"]
    list_filter = ["programme", "recipient"]
    list_select_related = ["registration__participant", "village"]
    raw_id_fields = ["registration", "event"]
    exclude = ["village", "recorded_by"]

    def save_model(self, request, obj, form, change):
        """The claim's village is its member's; whoever records it is noted."""
        obj.village_id = obj.registration.village_id
        obj.recorded_by = obj.recorded_by or request.user
        super().save_model(request, obj, form, change)
