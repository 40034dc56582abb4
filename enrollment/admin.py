from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import ReadOnlyAdmin
from portal.phone import normalize_phone
from portal.translated import in_reader_language

from . import changes, payments, premiums, services
from .history import event_lines
from .models import (
    AgeLimit,
    Agent,
    CommissionRule,
    ContributionDiscount,
    ContributionRate,
    ExportRecord,
    FundedPeriod,
    FundingSource,
    LapseRule,
    Participant,
    Payment,
    PaymentUpload,
    Registration,
    RegistrationEvent,
)
from .nik import mask_nik, parse_nik
from .premiums import format_rupiah


class ParticipantAdminForm(forms.ModelForm):
    """The portal's NIK and phone rules apply in the admin too."""

    class Meta:
        model = Participant
        fields = [
            "nik", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw", "village",
            "occupation", "occupation_group", "category",
        ]  # fmt: skip

    def clean_nik(self) -> str:
        return parse_nik(self.cleaned_data["nik"]).nik

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    form = ParticipantAdminForm
    list_display = ["full_name", "masked_nik", "village", "category", "sex", "created_at"]
    list_filter = ["category", "occupation_group", "sex"]
    # Exact NIK only: a partial match would let anyone probe NIKs digit by digit.
    search_fields = ["full_name", "=nik"]
    list_select_related = ["village"]
    autocomplete_fields = ["village"]

    @admin.display(description=_("NIK"), ordering="nik")
    def masked_nik(self, participant):
        return mask_nik(participant.nik)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A changed worker category changes what counts toward campaigns."""
        if object_id is None or request.method != "POST" or not str(object_id).isdigit():
            return super().changeform_view(request, object_id, form_url, extra_context)
        with changes.in_step(Registration.objects.filter(participant_id=object_id)):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        """The participant's registrations keep the change in their history."""
        before = Participant.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            services.admin_change_record(
                before=before, after=obj, fields=form.changed_data, by=request.user
            )


class RegistrationEventInline(admin.TabularInline):
    model = RegistrationEvent
    fields = ["at", "action", "by", "what_changed", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("changes"))
    def what_changed(self, event):
        """The same sentences as the registration's page, not the stored field names."""
        return "; ".join(event_lines(event)) or "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class FundedPeriodInline(admin.TabularInline):
    model = FundedPeriod
    fields = ["funding_source", "funding_company", "starts_on", "ends_on"]
    extra = 0


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "masked_nik",
        "participant_name",
        "village",
        "status",
        "premium",
        "created_at",
    ]
    list_filter = ["status", "funding_source", "jht"]
    search_fields = ["participant__full_name", "=participant__nik", "=kpj"]
    list_select_related = ["participant", "village"]
    autocomplete_fields = ["participant", "village", "agent"]
    date_hierarchy = "created_at"
    inlines = [FundedPeriodInline, RegistrationEventInline]
    # Status, KPJ and premium change only through the portal's pages, which price the premium
    # from the rates and write the registration's history.
    readonly_fields = [
        "status",
        "kpj",
        "rejection_reason",
        "jht",
        "jp",
        "declared_income",
        "rate",
        "monthly_premium",
        "entered_by",
        "created_at",
        "updated_at",
        "paid_until",
        "paid_by",
    ]
    fieldsets = [
        (None, {"fields": ["participant", "village", "agent"]}),
        (_("Status"), {"fields": ["status", "kpj", "rejection_reason"]}),
        (
            _("Premium"),
            {
                "fields": [
                    "employer_name",
                    "jht",
                    "jp",
                    "declared_income",
                    "rate",
                    "monthly_premium",
                    "funding_source",
                    "funding_company",
                    "paid_until",
                    "paid_by",
                ]
            },
        ),
        (_("Entry"), {"fields": ["entered_by", "created_at", "updated_at"]}),
    ]

    def has_add_permission(self, request):
        # Registrations are created in the portal, which checks the NIK and prices the premium.
        return False

    # The campaigns' numbers follow whatever changes here (village, funding, funded periods).
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None or request.method != "POST" or not str(object_id).isdigit():
            return super().changeform_view(request, object_id, form_url, extra_context)
        with changes.in_step(Registration.objects.filter(pk=object_id)):
            return super().changeform_view(request, object_id, form_url, extra_context)

    # What the admin changes lands in the registration's history and the audit log, as the
    # portal's pages' changes do.
    def save_model(self, request, obj, form, change):
        before = Registration.objects.get(pk=obj.pk)
        super().save_model(request, obj, form, change)
        services.admin_change_record(
            before=before, after=obj, fields=form.changed_data, by=request.user
        )

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is FundedPeriod:
            services.admin_funded_periods_record(
                registration=form.instance,
                by=request.user,
                added=formset.new_objects,
                changed=[period for period, _fields in formset.changed_objects],
                removed=formset.deleted_objects,
            )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Registration.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """The participant goes with their registration, so the NIK can be registered again."""
        with changes.in_step(queryset):
            services.admin_deletions_record(registrations=list(queryset), by=request.user)
            participants = list(queryset.values_list("participant", flat=True))
            super().delete_queryset(request, queryset)
            Participant.objects.filter(pk__in=participants).delete()

    @admin.display(description=_("NIK"), ordering="participant__nik")
    def masked_nik(self, registration):
        return mask_nik(registration.participant.nik)

    @admin.display(description=_("name"), ordering="participant__full_name")
    def participant_name(self, registration):
        return registration.participant.full_name

    @admin.display(description=_("monthly premium"), ordering="monthly_premium")
    def premium(self, registration):
        return format_rupiah(registration.monthly_premium)


class AgentAdminForm(forms.ModelForm):
    class Meta:
        model = Agent
        fields = ["name", "phone", "organization", "villages", "is_active", "joined_on"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""

    def clean_joined_on(self):
        """A dropped agent rejoins with a new joining date, no earlier than the rule allows."""
        joined_on = self.cleaned_data["joined_on"]
        if self.instance.pk is None or joined_on <= self.instance.joined_on:
            return joined_on
        agent = Agent.objects.with_last_activity().get(pk=self.instance.pk)
        standing = payments.agent_standing(agent)
        if standing and standing.dropped_on and joined_on < standing.may_rejoin_on:
            raise forms.ValidationError(
                _("This agent was dropped on %(dropped)s and may rejoin from %(rejoin)s.")
                % {
                    "dropped": standing.dropped_on.strftime("%d-%m-%Y"),
                    "rejoin": standing.may_rejoin_on.strftime("%d-%m-%Y"),
                }
            )
        return joined_on


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentAdminForm
    list_display = ["name", "organization", "phone", "is_active", "joined_on"]
    list_filter = ["is_active"]
    search_fields = ["name", "organization", "phone"]
    autocomplete_fields = ["villages"]


@admin.register(ContributionRate)
class ContributionRateAdmin(admin.ModelAdmin):
    list_display = [
        "scheme",
        "effective_from",
        "regulation",
        "jkk_percent",
        "jkm_flat",
        "jkm_percent",
        "jht_percent",
        "jp_percent",
        "jp_wage_cap",
        "min_income",
        "max_income",
    ]
    list_filter = ["scheme"]


class ContributionDiscountForm(forms.ModelForm):
    """Programmes and excluded payers as checkboxes (stored as lists of codes)."""

    programmes = forms.MultipleChoiceField(
        label=_("programmes"),
        choices=[(premiums.JKK, "JKK"), (premiums.JKM, "JKM")],
        widget=forms.CheckboxSelectMultiple,
    )
    excluded_payers = forms.MultipleChoiceField(
        label=_("not when paid by"),
        choices=FundingSource.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Whether Dana Desa counts as APBN/APBD for a discount is unverified: tick it only "
            "with a source."
        ),
    )

    class Meta:
        model = ContributionDiscount
        fields = [
            "regulation", "source", "effective_from", "effective_until", "percent", "programmes",
            "scheme", "occupation_group", "excluded_payers",
        ]  # fmt: skip


@admin.register(ContributionDiscount)
class ContributionDiscountAdmin(admin.ModelAdmin):
    form = ContributionDiscountForm
    list_display = [
        "regulation",
        "scheme",
        "effective_from",
        "effective_until",
        "percent",
        "occupation_group",
    ]
    list_filter = ["scheme", "occupation_group"]


@admin.register(AgeLimit)
class AgeLimitAdmin(admin.ModelAdmin):
    """Who may enrol by age, per scheme, from a date on: a new regulation is a new row."""

    list_display = ["scheme", "effective_from", "min_age", "max_age", "source"]
    list_filter = ["scheme"]


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "effective_from",
        "premium_share_percent",
        "monthly_bonus",
        "bonus_threshold",
        "organization_share_percent",
        "inactive_after_months",
    ]


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    """Who exported which personal data, when, with which filter."""

    list_display = ["at", "by", "dataset", "file_format", "row_count"]
    list_filter = ["file_format", "dataset", ("at", admin.DateFieldListFilter)]
    search_fields = ["by__username"]
    date_hierarchy = "at"
    list_select_related = ["by"]


@admin.register(LapseRule)
class LapseRuleAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "months_unpaid", "source"]


@admin.register(PaymentUpload)
class PaymentUploadAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "created_by", "created_at", "status", "saved_count"]
    list_filter = ["status"]
    fields = [
        "created_by",
        "original_name",
        "file_format",
        "status",
        "reason_for_refusal",
        "row_count",
        "new_count",
        "corrected_count",
        "same_count",
        "error_count",
        "warning_count",
        "created_at",
        "saved_at",
        "saved_count",
    ]
    readonly_fields = ["reason_for_refusal"]

    @admin.display(description=_("reason for refusal"))
    def reason_for_refusal(self, upload):
        """Stored in every language (portal.translated): shown in the reader's."""
        return in_reader_language(upload.refusal)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments come from BPJS's files: corrected by uploading a correction, never by hand."""

    list_display = ["registration", "month", "amount", "premium_due", "paid_on", "upload"]
    list_select_related = ["registration__participant", "upload"]
    date_hierarchy = "month"
    raw_id_fields = ["registration", "upload"]
