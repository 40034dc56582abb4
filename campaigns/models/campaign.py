"""Campaigns: their villages with the numbers the tally keeps (campaigns.tally), the weekly and
per-area sums, the criteria of the score; the socialization events held for them and the benefit
claims handed to members or their heirs.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from villages.models import Regency, Village


class CampaignQuerySet(models.QuerySet):
    def with_benefits(self) -> CampaignQuerySet:
        """Annotate `benefits`-to-be: `benefits_amount` and `benefit_families`, what claims
        paid to members of the campaign's villages (subqueries: no extra query on a page)."""
        return self.annotate(**Claim.objects.benefit_subqueries(village__campaigns=OuterRef("pk")))

    def for_user(self, user) -> CampaignQuerySet:
        """Admins see every campaign; branch staff their office's (and pioneer offices') and
        those with a village in their area; operators those their village takes part in."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        if user.is_branch_staff:
            office = user.branch_office_id
            # EXISTS stops at the first village in the area: a national campaign has 83,000.
            in_area = CampaignVillage.objects.filter(
                campaign=OuterRef("pk"),
                village__district__regency__in=Regency.objects.covered_by(office),
            )
            return self.filter(
                Q(branch_office=office) | Q(branch_office__parent=office) | Exists(in_area)
            )
        if user.is_village_operator:
            return self.filter(villages=user.village_id)
        return self.none()

    def managed_by(self, user) -> CampaignQuerySet:
        """Campaigns the user may change: every one for admins; for branch staff those organised
        by their office or an office under it (narrower than for_user, which also shows them
        campaigns organised elsewhere that include a village of their area)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self.all()
        if user.is_branch_staff:
            office = user.branch_office
            return self.filter(Q(branch_office=office) | Q(branch_office__parent=office))
        return self.none()

    def public(self) -> CampaignQuerySet:
        return self.filter(is_public=True)

    def running(self, on: datetime.date | None = None) -> CampaignQuerySet:
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on)


class Campaign(models.Model):
    """An enrollment drive over a set of villages, each with a target."""

    class Kind(models.TextChoices):
        DESA_SADAR = "desa_sadar", _("Desa Sadar Jaminan Sosial Ketenagakerjaan (competition)")
        SATU_DESA_SERATUS = "1desa100", _("1 Desa 100 Pekerja (regency programme)")
        CUSTOM = "custom", _("Custom campaign")

    class Counts(models.TextChoices):
        VERIFIED = "verified", _("Verified registrations")
        SUBMITTED = "submitted", _("All submitted registrations (not rejected)")
        PAYING = "paying", _("Members who paid for the campaign's last month")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.CUSTOM)
    description = models.TextField(_("description"), blank=True)
    branch_office = models.ForeignKey(
        "villages.BranchOffice",
        models.PROTECT,
        related_name="campaigns",
        verbose_name=_("organising branch office"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    villages = models.ManyToManyField(
        "villages.Village",
        through="CampaignVillage",
        related_name="campaigns",
        verbose_name=_("villages"),
    )
    default_target = models.PositiveIntegerField(_("target per village"), default=100)
    counts = models.CharField(
        _("what counts toward the target"), max_length=10, choices=Counts, default=Counts.VERIFIED
    )
    categories = models.JSONField(
        _("worker categories that count"),
        default=list,
        blank=True,
        help_text=_("Empty: every category counts."),
    )
    counts_employer_covered = models.BooleanField(
        _("count members covered through an employer"),
        default=False,
        help_text=_(
            "Formal employees (PU) registered by their employer count toward the targets only "
            "when this is ticked."
        ),
    )
    officials_goal_percent = models.PositiveSmallIntegerField(
        _("goal: share of village officials enrolled (%)"), null=True, blank=True
    )
    desa_only = models.BooleanField(
        _("desa only"),
        default=False,
        help_text=_(
            "Kelurahan do not take part (e.g. a programme paid from Dana Desa, which kelurahan "
            "do not receive): they are not added, and those taking part leave when saved."
        ),
    )
    is_public = models.BooleanField(
        _("public leaderboard"),
        default=False,
        help_text=_("Anyone may see the villages' progress and ranking (no personal data)."),
    )
    # Kept by campaigns.tally: the village rows' sums, so totals need not add up every village.
    village_count = models.PositiveIntegerField(_("villages"), default=0, editable=False)
    target_total = models.PositiveBigIntegerField(_("target"), default=0, editable=False)
    # Kept by campaigns.tally from the payments: members who paid for the campaign's last month,
    # and retention: of the members whose village-funded months ended, those who paid the next.
    paying_total = models.PositiveIntegerField(
        _("members who paid the last month"), default=0, editable=False
    )
    retention_base_total = models.PositiveIntegerField(
        _("village-funded months ended"), default=0, editable=False
    )
    retained_total = models.PositiveIntegerField(
        _("paid the month after"), default=0, editable=False
    )
    villages_reached = models.PositiveIntegerField(
        _("villages that reached their target"), default=0, editable=False
    )
    ranked_on = models.DateField(_("ranking snapshot taken on"), null=True, editable=False)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("The campaign must not end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(officials_goal_percent__isnull=True)
                | Q(officials_goal_percent__lte=100),
                name="campaign_officials_goal_is_a_percentage",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("campaign_dashboard", args=[self.slug])

    @property
    def benefits(self) -> dict[str, int]:
        """What claims paid to the villages' members, when fetched with_benefits()."""
        return {"amount": self.benefits_amount, "families": self.benefit_families}

    def counted_statuses(self) -> list[str]:
        """The registration statuses that count toward the campaign: members
        (Registration.Status.members()), and those waiting for verification too when the
        campaign counts registrations."""
        from enrollment.models import Registration

        members = Registration.Status.members()
        if self.counts in (self.Counts.VERIFIED, self.Counts.PAYING):
            return members
        return [Registration.Status.SUBMITTED, *members]

    def paying_month(self, today: datetime.date | None = None) -> datetime.date | None:
        """The campaign's last month, for counting members who paid: the month it ends, or
        while it runs the latest month that has ended; None before its first month ended."""
        from enrollment.arrears import latest_month_due

        month = min(self.ends_on.replace(day=1), latest_month_due(today or timezone.localdate()))
        return month if month >= self.starts_on.replace(day=1) else None

    def clean(self):
        from enrollment.models import WorkerCategory

        unknown = set(self.categories or []) - set(WorkerCategory.values)
        if unknown:
            raise ValidationError(
                {
                    "categories": _("Unknown worker categories: %(codes)s")
                    % {"codes": ", ".join(sorted(unknown))}
                }
            )


class CampaignVillage(models.Model):
    """A village taking part in a campaign, with its own target when it differs."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="participations", verbose_name=_("campaign")
    )
    village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        related_name="campaign_participations",
        verbose_name=_("village"),
    )
    target_override = models.PositiveIntegerField(
        _("target"), null=True, blank=True, help_text=_("Empty: the campaign's target per village.")
    )
    # The village's numbers in this campaign, kept in step with its registrations by
    # campaigns.tally (in the same transaction as every change); `reconcile_tallies` checks them.
    counted = models.PositiveIntegerField(_("counted"), default=0, editable=False)
    members = models.PositiveIntegerField(_("members"), default=0, editable=False)
    officials_enrolled = models.PositiveIntegerField(
        _("officials enrolled"), default=0, editable=False
    )
    funding_ended = models.PositiveIntegerField(
        _("village funding ended"), default=0, editable=False
    )
    continued = models.PositiveIntegerField(_("still paying"), default=0, editable=False)
    paying = models.PositiveIntegerField(
        _("members who paid the last month"), default=0, editable=False
    )
    retention_base = models.PositiveIntegerField(
        _("village-funded months ended"), default=0, editable=False
    )
    retained = models.PositiveIntegerField(_("paid the month after"), default=0, editable=False)
    score = models.FloatField(_("score"), default=0, editable=False)
    rank_before = models.PositiveIntegerField(
        _("rank at the last snapshot"), null=True, editable=False
    )

    class Meta:
        ordering = ["campaign", "village"]
        verbose_name = _("participating village")
        verbose_name_plural = _("participating villages")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "village"], name="campaign_village_once"),
        ]
        indexes = [
            # Best first, ties by village code: the top of a ranking without sorting it.
            models.Index(fields=["campaign", "-score", "village"], name="campaign_village_rank"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.village}"


class CampaignWeek(models.Model):
    """How many registrations count toward a campaign, per week (its Monday, Asia/Jakarta) and
    per worker category, programme and funding source: the chart, the forecast and the
    breakdowns without counting registrations. Kept in step by campaigns.tally."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="weeks")
    week = models.DateField()
    category = models.CharField(max_length=10)
    jht = models.BooleanField()
    funding_source = models.CharField(max_length=12)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "week", "category", "jht", "funding_source"],
                name="campaign_week_once",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.week}: {self.count}"


class CampaignArea(models.Model):
    """A campaign's villages summed over one province, regency or district (its code, e.g.
    "35", "35.23", "35.23.12"): the roll-ups of the dashboard and the village table without a
    GROUP BY over tens of thousands of village rows. Kept in step by campaigns.tally."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency / city")
        DISTRICT = "district", _("District")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="areas")
    level = models.CharField(max_length=8, choices=Level)
    code = models.CharField(max_length=8)
    villages = models.PositiveIntegerField(default=0)
    villages_reached = models.PositiveIntegerField(default=0)
    counted = models.PositiveIntegerField(default=0)
    target = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="campaign_area_once"),
        ]
        indexes = [models.Index(fields=["campaign", "level", "code"], name="campaign_area_level")]

    def __str__(self):
        return f"{self.campaign} · {self.code}: {self.counted} / {self.target}"


class ScoreCriterion(models.Model):
    """One part of a campaign's ranking score, with its weight: the rules are data, shown
    openly next to each rank."""

    class Measure(models.TextChoices):
        TARGET = "target", _("Share of the target reached")
        OFFICIALS = "officials", _("Share of village officials enrolled")
        WORKING_AGE = "working_age", _("Share of working-age residents covered")
        CONTINUING = "continuing", _("Members still paying after a village-funded period")

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="criteria", verbose_name=_("campaign")
    )
    measure = models.CharField(_("measure"), max_length=12, choices=Measure)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["campaign", "-weight", "measure"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "measure"], name="criterion_once"),
        ]

    def __str__(self):
        return f"{self.get_measure_display()} × {self.weight}"


class SocializationEventQuerySet(models.QuerySet):
    def for_user(self, user) -> SocializationEventQuerySet:
        """Events of the campaigns the user may see, and events held in a village or district
        of their area."""
        if user.is_authenticated and user.is_active and user.is_admin:
            return self.all()
        villages = Village.objects.for_user(user)
        return self.filter(
            Q(campaign__in=Campaign.objects.for_user(user))
            | Q(village__in=villages)
            | Q(district__in=villages.values("district"))
        )

    def weekly_markers(self) -> list[tuple[datetime.date, str]]:
        """(day, label) for each week with events, to mark on a weekly chart: the kind of the
        week's only event, else how many there were. As many as weeks, however many events."""
        weeks = (
            self.annotate(week=TruncWeek("held_on"))
            .order_by()
            .values("week")
            .annotate(day=Min("held_on"), events=Count("pk"), kind=Min("kind"))
            .order_by("week")
        )
        return [
            (
                week["day"],
                SocializationEvent.Kind(week["kind"]).label
                if week["events"] == 1
                else ngettext("%(count)d event", "%(count)d events", week["events"])
                % {"count": week["events"]},
            )
            for week in weeks
        ]


class SocializationEvent(models.Model):
    class Kind(models.TextChoices):
        SOCIALIZATION = "sosialisasi", _("Socialization")
        FGD = "fgd", _("Focus group discussion (FGD)")
        SIGNING = "mou", _("MoU signing")
        CLAIM = "klaim", _("Claim hand-over")

    campaign = models.ForeignKey(
        Campaign,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("campaign"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    village = models.ForeignKey(
        "villages.Village",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("village"),
    )
    district = models.ForeignKey(
        "villages.District",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("district"),
    )
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SocializationEventQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("socialization event")
        verbose_name_plural = _("socialization events")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.place} · {self.held_on:%d-%m-%Y}"


class ClaimQuerySet(models.QuerySet):
    def for_user(self, user) -> ClaimQuerySet:
        """Claims paid to members of the villages the user may see."""
        return Village.objects.scoped(self, user)

    def in_campaign(self, campaign) -> ClaimQuerySet:
        """Claims paid to members of the campaign's villages."""
        return self.filter(
            village__in=CampaignVillage.objects.filter(campaign=campaign).values("village")
        )

    def benefit_subqueries(self, **match) -> dict:
        """`benefits_amount` and `benefit_families` of the claims matching `match` (with an
        OuterRef), as annotations for the row that owns them."""
        claims = self.filter(**match).order_by().values(*match)
        return {
            "benefits_amount": Coalesce(
                Subquery(claims.annotate(total=Sum("amount")).values("total")), 0
            ),
            "benefit_families": Coalesce(
                Subquery(claims.annotate(n=Count("registration", distinct=True)).values("n")),
                0,
            ),
        }

    def benefits(self) -> dict[str, int]:
        """{"amount": Rupiah paid, "families": members (or their heirs) paid}, in one query."""
        return self.aggregate(
            amount=Coalesce(Sum("amount"), 0), families=Count("registration", distinct=True)
        )


class Claim(models.Model):
    """A benefit BPJS Ketenagakerjaan paid to a village's member or their heirs, as branch staff
    record it: what the campaigns are for, shown as "Rp X paid to N families"."""

    class Programme(models.TextChoices):
        JKK = "jkk", _("Work accident (JKK)")
        JKM = "jkm", _("Death (JKM)")
        JHT = "jht", _("Old-age savings (JHT)")
        JP = "jp", _("Pension (JP)")

    class Recipient(models.TextChoices):
        MEMBER = "member", _("The member")
        HEIRS = "heirs", _("The member's heirs")

    registration = models.ForeignKey(
        "enrollment.Registration",
        models.PROTECT,
        related_name="claims",
        verbose_name=_("member"),
    )
    # The member's village, kept so that a village's or campaign's benefits are one index range.
    village = models.ForeignKey(
        "villages.Village", models.PROTECT, related_name="claims", verbose_name=_("village")
    )
    programme = models.CharField(_("programme"), max_length=3, choices=Programme)
    recipient = models.CharField(
        _("paid to"), max_length=6, choices=Recipient, default=Recipient.MEMBER
    )
    amount = models.PositiveBigIntegerField(_("amount paid (Rp)"))
    paid_on = models.DateField(_("paid on"))
    event = models.ForeignKey(
        SocializationEvent,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("handed over at"),
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        verbose_name = _("claim paid")
        verbose_name_plural = _("claims paid")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
        ]
        indexes = [models.Index(fields=["village", "paid_on"], name="claim_village_paid_on")]

    def __str__(self):
        return f"{self.get_programme_display()} · {self.paid_on:%d-%m-%Y}"
