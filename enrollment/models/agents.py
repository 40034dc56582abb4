"""The Perisai agents who recruit members, and the rule that pays them a commission."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Village

from .payments import Payment
from .rates import InForceQuerySet
from .registrations import Registration


class AgentQuerySet(models.QuerySet):
    def for_user(self, user) -> AgentQuerySet:
        """Agents serving at least one village the user may see."""
        return self.filter(villages__in=Village.objects.for_user(user)).distinct()

    # The annotations below are subqueries, not joins: for_user() joins the villages, which would
    # multiply joined counts for an agent serving several of the user's villages.

    def with_recruit_counts(self, start: datetime.date, end: datetime.date) -> AgentQuerySet:
        """Annotate `recruit_count`: new members (rejected excluded) registered from `start` to
        `end`, both included, by the day in the portal's time zone (Asia/Jakarta)."""
        recruits = (
            Registration.objects.recruited()
            .filter(agent=OuterRef("pk"), created_at__date__gte=start, created_at__date__lte=end)
            .order_by()
            .values("agent")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(recruit_count=Coalesce(Subquery(recruits), 0))

    def with_last_recruit(self) -> AgentQuerySet:
        """Annotate `last_recruited_at`: when the latest new member (not rejected) registered."""
        latest = (
            Registration.objects.recruited()
            .filter(agent=OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        return self.annotate(last_recruited_at=Subquery(latest))

    def with_inactivity(self, since: datetime.date) -> AgentQuerySet:
        """Annotate `no_recruits_since`: the agent had joined (or rejoined) by `since` and from
        that day on brought no new member (rejected ones don't count) and no premium came in
        from the agent's members. With `since` = today minus the rule's
        `inactive_after_months`, it marks the agents dropped."""

        recent = Registration.objects.recruited().filter(
            agent=OuterRef("pk"), created_at__date__gte=since
        )
        premiums = Payment.objects.filter(
            registration__in=Registration.objects.recruited().filter(
                agent=OuterRef(OuterRef("pk"))
            ),
            amount__gt=0,
            paid_on__gte=since,
        )
        return self.annotate(
            no_recruits_since=ExpressionWrapper(
                Q(joined_on__lte=since) & ~Exists(recent) & ~Exists(premiums),
                output_field=BooleanField(),
            )
        )

    def with_last_activity(self) -> AgentQuerySet:
        """Annotate `last_activity`: the day of the latest new member (not rejected) or premium
        paid by one of the agent's members."""
        from django.db.models.functions import Greatest, TruncDate

        recruits = Registration.objects.recruited().filter(agent=OuterRef("pk"))
        latest_recruit = (
            recruits.order_by("-created_at").annotate(day=TruncDate("created_at")).values("day")[:1]
        )
        latest_premium = (
            Payment.objects.filter(
                registration__in=Registration.objects.recruited().filter(
                    agent=OuterRef(OuterRef("pk"))
                ),
                amount__gt=0,
            )
            .order_by("-paid_on")
            .values("paid_on")[:1]
        )
        return self.annotate(
            last_activity=Greatest(Subquery(latest_recruit), Subquery(latest_premium))
        )

    def selectable(self, today: datetime.date | None = None) -> AgentQuerySet:
        """Active agents not dropped by the commission rule in force: the ones a registration
        may name."""
        today = today or timezone.localdate()
        agents = self.filter(is_active=True)
        try:
            rule = CommissionRule.objects.in_force(today)
        except CommissionRule.DoesNotExist:
            return agents
        from ..commission import add_months

        return agents.with_inactivity(add_months(today, -rule.inactive_after_months)).filter(
            no_recruits_since=False
        )

    def without_recruits_since(self, since: datetime.date) -> AgentQuerySet:
        """Agents flagged by with_inactivity(since)."""
        return self.with_inactivity(since).filter(no_recruits_since=True)


class Agent(models.Model):
    """A Perisai agent (Penggerak Jaminan Sosial Indonesia): recruits members, paid by rule."""

    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    organization = models.CharField(
        _("organization"),
        max_length=150,
        blank=True,
        help_text=_("The CV, foundation or cooperative the agent belongs to."),
    )
    villages = models.ManyToManyField(
        Village, related_name="agents", verbose_name=_("villages served")
    )
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    objects = AgentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Perisai agent")
        verbose_name_plural = _("Perisai agents")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agent_detail", args=[self.pk])


class CommissionRule(models.Model):
    """How Perisai agents are paid from a date on: a change is a new row."""

    effective_from = models.DateField(_("effective from"), unique=True)
    premium_share_percent = models.DecimalField(
        _("share of premiums collected (%)"), max_digits=5, decimal_places=2, default=Decimal("7.5")
    )
    monthly_bonus = models.PositiveIntegerField(_("monthly bonus (Rp)"), default=500_000)
    bonus_threshold = models.PositiveIntegerField(_("new members needed for the bonus"), default=50)
    organization_share_percent = models.DecimalField(
        _("kept by the agent's organization (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
    )
    inactive_after_months = models.PositiveSmallIntegerField(
        _("dropped after months without a new member or premium"), default=3
    )
    rejoin_after_months = models.PositiveSmallIntegerField(_("may rejoin after months"), default=6)

    objects = InForceQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("Perisai commission rule")
        verbose_name_plural = _("Perisai commission rules")

    def __str__(self):
        return f"{self.effective_from:%d-%m-%Y}"
