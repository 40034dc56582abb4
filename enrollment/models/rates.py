"""The rates that price a registration, the discounts regulations grant and the age limits of
each scheme: rules kept as data with the date they take effect.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import eligibility, premiums
from ..choices import OccupationGroup


class InForceQuerySet(models.QuerySet):
    """For rules kept as data with the date they take effect: a change is a new row."""

    def in_force(self, on: datetime.date | None = None):
        """The row that applies on a day (today): the latest one that took effect by then."""
        on = on or timezone.localdate()
        row = self.filter(effective_from__lte=on).order_by("-effective_from").first()
        if row is None:
            raise self.model.DoesNotExist(f"No {self.model._meta.object_name} in force on {on}.")
        return row


class RateScheme(models.TextChoices):
    BPU = premiums.BPU, _("BPU (informal / self-employed)")
    WAGE = premiums.WAGE, _("Wage earner paid by the village")


class ContributionRateQuerySet(InForceQuerySet):
    def in_force(self, on: datetime.date | None = None, *, scheme: str = premiums.BPU):
        """The scheme's row that applies on a day (today)."""
        return InForceQuerySet.in_force(self.filter(scheme=scheme), on)

    def price_book(self) -> premiums.PriceBook:
        """Every rate row and discount, read once (two small queries): prices any member for
        any month in memory, so a list or an export does not query per row."""
        return premiums.PriceBook(
            rates=tuple(rate.as_table() for rate in self.model.objects.all()),
            discounts=tuple(d.as_rule() for d in ContributionDiscount.objects.all()),
        )


class ContributionRate(models.Model):
    """A scheme's contribution rates from a date on: a change of regulation is a new row."""

    scheme = models.CharField(
        _("scheme"), max_length=10, choices=RateScheme, default=RateScheme.BPU
    )
    effective_from = models.DateField(_("effective from"))
    regulation = models.CharField(_("regulation"), max_length=200, blank=True)
    jkk_percent = models.DecimalField(_("JKK (% of income)"), max_digits=5, decimal_places=2)
    jkm_flat = models.PositiveIntegerField(
        _("JKM (Rp per month)"), default=0, help_text=_("BPU: a flat amount.")
    )
    jkm_percent = models.DecimalField(
        _("JKM (% of income)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Wage earners: a percentage of the fixed income."),
    )
    jht_percent = models.DecimalField(_("JHT (% of income)"), max_digits=5, decimal_places=2)
    jp_percent = models.DecimalField(
        _("JP (% of income)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Wage earners only, where chosen."),
    )
    jp_wage_cap = models.PositiveIntegerField(
        _("highest income for JP (Rp)"),
        null=True,
        blank=True,
        help_text=_("JP is a percentage of the income up to this amount."),
    )
    min_income = models.PositiveIntegerField(
        _("lowest declared income (Rp)"),
        default=0,
        help_text=_("BPU: a lower income is priced on this floor."),
    )
    max_income = models.PositiveIntegerField(
        _("highest declared income (Rp)"),
        null=True,
        blank=True,
        help_text=_("BPU: a higher income is priced on this top of the table."),
    )

    objects = ContributionRateQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-effective_from"]
        verbose_name = _("contribution rate")
        verbose_name_plural = _("contribution rates")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "effective_from"],
                name="rate_unique_scheme_effective_from",
                violation_error_message=_("This scheme already has rates from that date."),
            ),
            models.CheckConstraint(
                condition=Q(max_income__isnull=True) | Q(max_income__gte=models.F("min_income")),
                name="rate_income_range_ordered",
                violation_error_message=_("The highest income must not be below the lowest."),
            ),
            models.CheckConstraint(
                condition=Q(
                    jkk_percent__gte=0, jht_percent__gte=0, jkm_percent__gte=0, jp_percent__gte=0
                ),
                name="rate_percentages_not_negative",
            ),
        ]

    def __str__(self):
        text = f"{self.get_scheme_display()} {self.effective_from:%d-%m-%Y} {self.regulation}"
        return text.strip()

    def as_table(self) -> premiums.RateTable:
        return premiums.RateTable(
            effective_from=self.effective_from,
            jkk_percent=self.jkk_percent,
            jkm_flat=self.jkm_flat,
            jht_percent=self.jht_percent,
            min_income=self.min_income,
            max_income=self.max_income,
            scheme=self.scheme,
            jkm_percent=self.jkm_percent,
            jp_percent=self.jp_percent,
            jp_wage_cap=self.jp_wage_cap,
            pk=self.pk,
        )


class ContributionDiscount(models.Model):
    """A dated reduction of contributions set by a regulation (PP 49/2020, PP 50/2025): applies
    by itself to the months it covers, for its occupation group, unless an excluded payer pays."""

    regulation = models.CharField(_("regulation"), max_length=200)
    source = models.TextField(_("source"), blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    percent = models.DecimalField(_("discount (%)"), max_digits=5, decimal_places=2)
    programmes = models.JSONField(
        _("programmes"), default=list, help_text=_("The programmes discounted: jkk, jkm.")
    )
    scheme = models.CharField(
        _("scheme"), max_length=10, choices=RateScheme, default=RateScheme.BPU
    )
    occupation_group = models.CharField(
        _("occupation group"),
        max_length=10,
        choices=OccupationGroup,
        blank=True,
        help_text=_("Empty: every occupation."),
    )
    excluded_payers = models.JSONField(
        _("not when paid by"),
        default=list,
        blank=True,
        help_text=_("Funding sources for which the discount does not apply."),
    )

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("contribution discount")
        verbose_name_plural = _("contribution discounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="discount_period_ordered",
                violation_error_message=_("The discount must not end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="discount_percent_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.regulation} ({self.effective_from:%d-%m-%Y})"

    def as_rule(self) -> premiums.Discount:
        return premiums.Discount(
            effective_from=self.effective_from,
            effective_until=self.effective_until,
            percent=self.percent,
            programmes=frozenset(self.programmes),
            scheme=self.scheme,
            occupation_group=self.occupation_group,
            excluded_payers=frozenset(self.excluded_payers),
        )


class AgeLimitQuerySet(InForceQuerySet):
    def rules(self) -> list[eligibility.AgeRule]:
        """Every row as the eligibility rule reads them (a small table: read once per form)."""
        return [limit.as_rule() for limit in self]


class AgeLimit(models.Model):
    """Who may enrol in a scheme from a date on, by age on the day of registration: a new
    regulation is a new row. Read by enrollment.eligibility.check_age."""

    class Scheme(models.TextChoices):
        BPU = eligibility.BPU, _("Informal / self-employed (BPU)")
        WAGE_EARNER = eligibility.WAGE_EARNER, _("Wage earners (village officials, employees)")

    scheme = models.CharField(_("scheme"), max_length=3, choices=Scheme)
    effective_from = models.DateField(_("effective from"))
    min_age = models.PositiveSmallIntegerField(_("youngest age allowed"))
    max_age = models.PositiveSmallIntegerField(
        _("oldest age allowed"), null=True, blank=True, help_text=_("Empty: no maximum.")
    )
    source = models.TextField(
        _("source"), help_text=_("The regulation or article the limits come from.")
    )

    objects = AgeLimitQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-effective_from"]
        verbose_name = _("age limit")
        verbose_name_plural = _("age limits")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "effective_from"], name="age_limit_once_per_scheme_and_day"
            ),
            models.CheckConstraint(
                condition=Q(max_age__isnull=True) | Q(max_age__gte=F("min_age")),
                name="age_limit_range_ordered",
                violation_error_message=_("The oldest age must not be below the youngest."),
            ),
        ]

    def __str__(self):
        oldest = self.max_age if self.max_age is not None else "…"
        ages = f"{self.min_age}–{oldest}"
        return f"{self.get_scheme_display()} {self.effective_from:%d-%m-%Y}: {ages}"

    def as_rule(self) -> eligibility.AgeRule:
        return eligibility.AgeRule(
            scheme=self.scheme,
            effective_from=self.effective_from,
            min_age=self.min_age,
            max_age=self.max_age,
            source=self.source,
        )
