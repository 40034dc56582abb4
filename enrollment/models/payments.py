"""Contributions actually paid (as BPJS's own systems report them, uploaded by branch staff),
the uploads they came from, and the rule that says when an unpaid membership has lapsed.

Re-exported by enrollment.models with the app's other models."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rates import InForceQuerySet


class LapseRuleQuerySet(InForceQuerySet):
    def months_unpaid(self, on: datetime.date | None = None) -> int:
        """The months unpaid after which a member lapses, by the rule in force on a day; the
        seeded rule's 3 when no row is in force (a database emptied by hand or by a test)."""
        try:
            return self.in_force(on).months_unpaid
        except self.model.DoesNotExist:
            return DEFAULT_MONTHS_UNPAID


DEFAULT_MONTHS_UNPAID = 3


class LapseRule(models.Model):
    """When a member who stops paying counts as lapsed (nonaktif), from a date on: a change is a
    new row, with its source."""

    effective_from = models.DateField(_("effective from"), unique=True)
    months_unpaid = models.PositiveSmallIntegerField(
        _("lapsed after this many months unpaid"), default=DEFAULT_MONTHS_UNPAID
    )
    source = models.CharField(_("source"), max_length=300)

    objects = LapseRuleQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("lapse rule")
        verbose_name_plural = _("lapse rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(months_unpaid__gte=1), name="lapse_rule_at_least_one_month"
            ),
        ]

    def __str__(self):
        return f"{self.effective_from:%d-%m-%Y}: {self.months_unpaid}"


class PaymentUploadQuerySet(models.QuerySet):
    def for_user(self, user) -> PaymentUploadQuerySet:
        """An upload is a whole file of members' payments: only its uploader sees it."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class PaymentUpload(models.Model):
    """A file of contributions paid: checked when uploaded, previewed, then saved all at once."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, waiting for confirmation")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Refused")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
        help_text=_("Empty for a file imported by the import_payments command."),
    )
    file = models.FileField(_("file"), upload_to="payments/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CHECKED)
    # In every language, {"id": ..., "en": ...} (portal.translated); "" when not refused.
    refusal = models.JSONField(_("reason for refusal"), default=str, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new payments"), default=0)
    corrected_count = models.PositiveIntegerField(_("corrected payments"), default=0)
    same_count = models.PositiveIntegerField(_("already recorded"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [[row, column, message], ...]: the first ones, for the preview; the error file has all.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    warning_count = models.PositiveIntegerField(_("rows with warnings"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    saved_count = models.PositiveIntegerField(_("payments saved"), default=0)

    objects = PaymentUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment upload")
        verbose_name_plural = _("payment uploads")

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d-%m-%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("payment_upload_preview", args=[self.pk])


class PaymentQuerySet(models.QuerySet):
    def by_agent_month(self, start: datetime.date, until: datetime.date) -> models.QuerySet:
        """Rows {period, recruiter (the agent's pk), first_payments, paid}, in one query: per
        Perisai agent and calendar month of payment (paid_on, from `start` to `until`), what
        the agent's members (not rejected) actually paid, and how many of them paid for the
        first time. Feed them to commission.agent_months()."""
        # The registration's model, read from the relation: registrations reads this module.
        registration_model = self.model._meta.get_field("registration").related_model
        recruits = registration_model.objects.recruited()
        money = (
            self.filter(registration__in=recruits, amount__gt=0, paid_on__range=(start, until))
            .annotate(period=TruncMonth("paid_on", output_field=models.DateField()))
            .order_by()
            .values("period", recruiter=F("registration__agent"))
            .annotate(first_payments=Value(0), paid=Sum("amount"))
        )
        first_paid = (
            self.filter(registration=OuterRef("pk"), amount__gt=0)
            .order_by("paid_on")
            .values("paid_on")[:1]
        )
        firsts = (
            recruits.alias(first_paid=Subquery(first_paid))
            .filter(first_paid__range=(start, until))
            .annotate(period=TruncMonth("first_paid", output_field=models.DateField()))
            .order_by()
            .values("period", recruiter=F("agent"))
            .annotate(first_payments=Count("pk"), paid=Value(0))
        )
        return money.union(firsts, all=True).order_by()


class Payment(models.Model):
    """A member's contribution for one calendar month, as BPJS recorded it. One row per month:
    a later file that lists the month again corrects the amount (0 for a refund)."""

    registration = models.ForeignKey(
        "enrollment.Registration",
        models.CASCADE,
        related_name="payments",
        verbose_name=_("registration"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.PositiveIntegerField(_("amount paid (Rp)"))
    premium_due = models.PositiveIntegerField(_("premium due (Rp)"))
    paid_on = models.DateField(_("paid on"))
    upload = models.ForeignKey(
        PaymentUpload,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("from upload"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["registration", "month"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "month"], name="payment_one_per_registration_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="payment_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["month", "registration"], name="payment_month")]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.amount}"

    @property
    def is_full(self) -> bool:
        """Paid in full: a partial payment or a refund leaves the month unpaid."""
        return self.amount > 0 and self.amount >= self.premium_due


# A month counts as paid when the whole premium due came in (the one rule, also in SQL).
FULL_PAYMENT = Q(amount__gt=0, amount__gte=models.F("premium_due"))
