"""Participants, their registrations in a village, the rates that price them, and the Perisai
agents who recruit them."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from villages.models import Village

from . import eligibility, premiums
from .nik import mask_nik, validate_nik


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


class OccupationGroup(models.TextChoices):
    """Groups of occupations a discount may be for."""

    OTHER = "other", _("Other")
    TRANSPORT = "transport", _("Transport (ojek, drivers, couriers)")


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


class WorkerCategory(models.TextChoices):
    FORMAL = "pu", _("Formal wage earner (PU)")
    INFORMAL = "bpu", _("Informal / self-employed (BPU)")
    VULNERABLE = "rentan", _("Vulnerable worker (pekerja rentan)")
    VILLAGE_OFFICIAL = "perangkat", _("Village official (perangkat desa)")
    RT_RW_HEAD = "rt_rw", _("RT/RW head")
    CONTRACT = "honorer", _("Contract / honorary worker")


class FundingSource(models.TextChoices):
    PARTICIPANT = "mandiri", _("The participant")
    DANA_DESA = "dana_desa", _("Dana Desa")
    ADD = "add", _("Alokasi Dana Desa (ADD)")
    APBD = "apbd", _("APBD")
    CSR = "csr", _("Company CSR")
    JIMPITAN = "jimpitan", _("Jimpitan")
    BANK_SAMPAH = "bank_sampah", _("Bank sampah (waste bank)")
    OTHER = "lainnya", _("Other")
    EMPLOYER = "perusahaan", _("The employer (formal employees)")

    @classmethod
    def village_funded(cls) -> list[str]:
        return [cls.DANA_DESA, cls.ADD]


class ParticipantQuerySet(models.QuerySet):
    def for_user(self, user) -> ParticipantQuerySet:
        """Participants living in a village the user may see (villages' one scoping rule)."""
        return Village.objects.scoped(self, user)


class Participant(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    nik = models.CharField(_("NIK"), max_length=16, unique=True, validators=[validate_nik])
    full_name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="residents", verbose_name=_("village of residence")
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    occupation_group = models.CharField(
        _("occupation group"),
        max_length=10,
        choices=OccupationGroup,
        default=OccupationGroup.OTHER,
        db_default=OccupationGroup.OTHER,
        help_text=_("Transport workers (ojek, drivers, couriers) may get a discount."),
    )
    category = models.CharField(_("worker category"), max_length=10, choices=WorkerCategory)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(nik__regex=r"^[0-9]{16}$"), name="participant_nik_16_digits"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.masked_nik})"

    def clean(self):
        """Who may enrol (eligibility.check_age), by the age on the day of registration: the
        admin and full_clean() refuse what the registration form refuses."""
        super().clean()
        if self.birth_date is None or not self.category:
            return
        on = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
        try:
            eligibility.check_age(
                birth_date=self.birth_date,
                category=self.category,
                on=on,
                rules=AgeLimit.objects.rules(),
            )
        except ValidationError as error:
            raise ValidationError({"birth_date": error}) from None

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def nik_region_differs(self) -> bool:
        """The NIK was issued outside the village's district: allowed (people move), but shown."""
        return not self.village_id.startswith(f"{self.nik[0:2]}.{self.nik[2:4]}.{self.nik[4:6]}.")


def _latest_period() -> dict:
    """paid_until and paid_by as the registration's latest funded period gives them (latest end,
    then latest start, then latest added): the one rule for storing and for checking them."""
    latest = FundedPeriod.objects.filter(registration=OuterRef("pk")).order_by(
        "-ends_on", "-starts_on", "-pk"
    )
    return {
        "paid_until": Subquery(latest.values("ends_on")[:1]),
        "paid_by": Coalesce(Subquery(latest.values("funding_source")[:1]), Value("")),
    }


class RegistrationQuerySet(models.QuerySet):
    def for_user(self, user) -> RegistrationQuerySet:
        """Registrations in the villages the user may see (villages' one scoping rule)."""
        return Village.objects.scoped(self, user)

    def submitted(self) -> RegistrationQuerySet:
        return self.filter(status=Registration.Status.SUBMITTED)

    def waiting_per_village(self) -> models.QuerySet:
        """Rows {village_id, village__name, village__district__name, count, oldest}: the
        registrations waiting for verification per village, the longest-waiting village first
        (read from the waiting registrations' index)."""
        return (
            self.submitted()
            .order_by()
            .values("village_id", "village__name", "village__district__name")
            .annotate(count=Count("pk"), oldest=models.Min("created_at"))
            .order_by("oldest", "village_id")
        )

    def not_employer_covered(self) -> RegistrationQuerySet:
        """Members the village deals with: formal employees, covered and paid through their
        employer, are in no village budget, funded period or arrears list."""
        return self.exclude(participant__category__in=premiums.EMPLOYER_CATEGORIES)

    def verified(self) -> RegistrationQuerySet:
        """Verified or already active: members with a KPJ number."""
        return self.filter(status__in=[Registration.Status.VERIFIED, Registration.Status.ACTIVE])

    def with_people(self) -> RegistrationQuerySet:
        return self.select_related("participant", "village__district__regency", "agent")

    def recruited(self) -> RegistrationQuerySet:
        """What counts as a Perisai agent's new members: registrations an agent brought in,
        rejected ones excluded."""
        return self.filter(agent__isnull=False).exclude(status__in=Registration.Status.returned())

    def recruits_by_agent_month(self, until: datetime.date) -> models.QuerySet:
        """Rows {agent, month, recruits, premiums}, one per agent and calendar month of
        registration (in the portal's time zone, Asia/Jakarta) up to `until`: the agent's new
        members that month and their premiums at registration (those now verified or active).
        Not the commission's input: the commission counts payments actually made
        (agent_views._totals_per_agent_month, commission.agent_months)."""
        return (
            self.recruited()
            .filter(created_at__date__lte=until)
            .annotate(month=TruncMonth("created_at", output_field=DateField()))
            .order_by()
            .values("agent", "month")
            .annotate(
                recruits=Count("pk"),
                premiums=Coalesce(
                    Sum(
                        "monthly_premium",
                        filter=Q(
                            status__in=[Registration.Status.VERIFIED, Registration.Status.ACTIVE]
                        ),
                    ),
                    0,
                ),
            )
            .order_by("agent", "month")
        )

    def in_payment_state(self, state: str, today: datetime.date | None = None):
        """Members (verified or active) whose payments put them in `state` (arrears.PaymentState)
        today, by the stored last month paid and the lapse rule in force: an index range."""
        from .arrears import PaymentState, state_bounds

        today = today or timezone.localdate()
        months_unpaid = LapseRule.objects.months_unpaid(today)
        paid_up_from, lapsed_before = state_bounds(today, months_unpaid)
        members = self.verified()
        return {
            PaymentState.NEVER_PAID: members.filter(last_paid_month__isnull=True),
            PaymentState.PAID_UP: members.filter(last_paid_month__gte=paid_up_from),
            PaymentState.ARREARS: members.filter(
                last_paid_month__gte=lapsed_before, last_paid_month__lt=paid_up_from
            ),
            PaymentState.LAPSED: members.filter(last_paid_month__lt=lapsed_before),
        }[state]

    def store_paid_until(self) -> int:
        """Store on each registration the end of its latest funded period (`paid_until`) and who
        pays it (`paid_by`), so that lists of periods ending soon read an index instead of every
        member's periods. FundedPeriod.save() and delete() call it; bulk loads call it after."""
        return self.update(**_latest_period())

    def paid_until_out_of_step(self) -> RegistrationQuerySet:
        """Registrations whose stored paid_until or paid_by is not their latest funded period
        (rows written behind the portal's back): what reconcile_tallies repairs."""
        latest = _latest_period()
        same_end = Q(paid_until=F("latest_until")) | Q(
            paid_until__isnull=True, latest_until__isnull=True
        )
        return (
            self.alias(latest_until=latest["paid_until"], latest_by=latest["paid_by"])
            .alias(
                in_step=Case(
                    When(same_end, paid_by=F("latest_by"), then=Value(True)),
                    default=Value(False),
                )
            )
            .filter(in_step=False)
        )

    def lapsing_within(self, days: int, today: datetime.date | None = None) -> RegistrationQuerySet:
        """Verified or active registrations whose latest funded period ends between today and
        `days` days later (both included), soonest first: to follow up before they lapse."""
        today = today or timezone.localdate()
        return (
            self.verified()
            .filter(paid_until__gte=today, paid_until__lte=today + datetime.timedelta(days=days))
            .order_by("paid_until", "pk")
        )

    def village_funding_ended(self, today: datetime.date | None = None) -> RegistrationQuerySet:
        """Registrations (not rejected) with a period paid by Dana Desa or ADD that ended before
        today: the ones that could have continued paying on their own."""
        today = today or timezone.localdate()
        ended = FundedPeriod.objects.village_funded().filter(
            registration=OuterRef("pk"), ends_on__lt=today
        )
        return self.exclude(status__in=Registration.Status.returned()).filter(Exists(ended))

    def with_continuation(self) -> RegistrationQuerySet:
        """Annotate `continued_on_own`: after a period paid by Dana Desa or ADD, the registration
        has a period paid by the participant that starts after the village-funded one ended."""
        own_afterwards = FundedPeriod.objects.paid_by_participant().filter(
            registration=OuterRef("registration"), starts_on__gt=OuterRef("ends_on")
        )
        village_then_own = FundedPeriod.objects.village_funded().filter(
            Exists(own_afterwards), registration=OuterRef("pk")
        )
        return self.annotate(continued_on_own=Exists(village_then_own))

    def continuing(self) -> RegistrationQuerySet:
        """Registrations (not rejected) that continued paying on their own after a period paid
        by Dana Desa or ADD."""
        return (
            self.exclude(status__in=Registration.Status.returned())
            .with_continuation()
            .filter(continued_on_own=True)
        )

    def continuation_counts(self, today: datetime.date | None = None) -> dict[str, int]:
        """{"ended": registrations whose village-funded period ended before today, "continued":
        those of them that continued paying on their own}, in one query."""
        return (
            self.village_funding_ended(today)
            .with_continuation()
            .aggregate(ended=Count("pk"), continued=Count("pk", filter=Q(continued_on_own=True)))
        )


class Registration(models.Model):
    """A participant enrolled through a village, from submission to an active membership."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Verified")
        ACTIVE = "active", _("Active")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

        @classmethod
        def returned(cls) -> list[str]:
            """Back with the village, counted nowhere: rejected or withdrawn."""
            return [cls.REJECTED, cls.WITHDRAWN]

    participant = models.OneToOneField(
        Participant, models.PROTECT, related_name="registration", verbose_name=_("participant")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="registrations", verbose_name=_("village")
    )
    jht = models.BooleanField(_("JHT (old-age savings)"), default=False)
    jp = models.BooleanField(
        _("JP (pension)"),
        default=False,
        db_default=False,
        help_text=_("Wage earners the village pays only."),
    )
    declared_income = models.PositiveIntegerField(_("declared monthly income (Rp)"))
    employer_name = models.CharField(
        _("employer"),
        max_length=150,
        blank=True,
        db_default="",
        help_text=_("Formal employees: the company that registers them and pays their premium."),
    )
    # The rates and premium at registration (history); the premium of a month is premium_in().
    rate = models.ForeignKey(
        ContributionRate,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rates applied"),
        help_text=_("Empty for members covered through an employer."),
    )
    monthly_premium = models.PositiveIntegerField(_("premium at registration (Rp)"))
    funding_source = models.CharField(_("funding source"), max_length=12, choices=FundingSource)
    funding_company = models.CharField(
        _("company (CSR)"), max_length=150, blank=True, help_text=_("For CSR funding.")
    )
    agent = models.ForeignKey(
        "Agent",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="recruits",
        verbose_name=_("Perisai agent"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.SUBMITTED, db_index=True
    )
    kpj = models.CharField(_("KPJ number"), max_length=11, unique=True, null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The latest funded period, kept by RegistrationQuerySet.store_paid_until().
    paid_until = models.DateField(_("paid until"), null=True, blank=True, editable=False)
    paid_by = models.CharField(
        _("paid by"), max_length=12, choices=FundingSource, blank=True, editable=False
    )
    # What the payments recorded say, kept by enrollment.payments.store_months_paid(): the
    # latest month paid in full, and how many months were.
    last_paid_month = models.DateField(_("last month paid"), null=True, blank=True, editable=False)
    months_paid = models.PositiveIntegerField(
        _("months paid"), default=0, db_default=0, editable=False
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kpj__isnull=True) | Q(kpj__regex=r"^[0-9]{11}$"),
                name="registration_kpj_11_digits",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["submitted", "rejected", "withdrawn"])
                | Q(kpj__isnull=False),
                name="registration_member_has_kpj",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="registration_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(funding_source="csr") | ~Q(funding_company=""),
                name="registration_csr_names_company",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "status"]),
            # A village's newest registrations (its home page and list).
            models.Index(fields=["village", "-created_at"], name="registration_village_newest"),
            # The verification queue, oldest first, without sorting every waiting registration;
            # and a branch's or village's waiting registrations, read from the index alone.
            models.Index(
                fields=["created_at", "id"],
                condition=Q(status="submitted"),
                name="registration_waiting",
            ),
            models.Index(
                fields=["village", "created_at", "id"],
                condition=Q(status="submitted"),
                name="registration_waiting_village",
            ),
            # A village's funded periods ending soon (its home page, the lapsing list).
            models.Index(fields=["village", "paid_until"], name="registration_village_paid"),
            # A village's members by the last month they paid (arrears, lapsed).
            models.Index(fields=["village", "last_paid_month"], name="registration_paid_month"),
        ]

    def __str__(self):
        return str(self.participant)

    def get_absolute_url(self):
        return reverse("registration_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if self.village_id and self.funding_source:
            try:
                eligibility.check_payer(village=self.village, funding_source=self.funding_source)
            except ValidationError as error:
                raise ValidationError({"funding_source": error}) from None

    @property
    def programs(self) -> list[str]:
        if self.is_employer_covered:
            return []
        return ["JKK", "JKM"] + (["JHT"] if self.jht else []) + (["JP"] if self.jp else [])

    @property
    def scheme(self) -> str:
        """premiums.BPU, WAGE or EMPLOYER, by the participant's worker category."""
        return premiums.scheme_of(self.participant.category)

    @property
    def is_employer_covered(self) -> bool:
        """A formal employee: covered through an employer, priced and paid by it."""
        return self.scheme == premiums.EMPLOYER

    def premium_in(
        self, month: datetime.date, book: premiums.PriceBook | None = None
    ) -> premiums.Premium:
        """The premium of a month: the rates and discount in force that month applied to this
        member (pass `book`, ContributionRate.objects.price_book(), when pricing many).
        Raises premiums.NoRatesInForce when no rates of the scheme are set up by then."""
        book = book or ContributionRate.objects.price_book()
        participant = self.participant
        return book.price(
            category=participant.category,
            income=self.declared_income,
            jht=self.jht,
            jp=self.jp,
            occupation_group=participant.occupation_group,
            payer=self.funding_source,
            month=month,
        )

    def premium_total_in(self, month: datetime.date, book: premiums.PriceBook | None = None) -> int:
        """premium_in(month).total; the premium at registration where no rates applied."""
        try:
            return self.premium_in(month, book).total
        except premiums.NoRatesInForce:
            return self.monthly_premium

    def premium_this_month(self, book: premiums.PriceBook | None = None) -> int:
        """The premium of today's month (what lists, exports and messages show)."""
        return self.premium_total_in(premiums.month_of(timezone.localdate()), book)

    @property
    def is_editable(self) -> bool:
        """The village may still change it: waiting for verification, or returned to it."""
        return self.status == self.Status.SUBMITTED or self.is_returned

    @property
    def is_returned(self) -> bool:
        """Back with the village: rejected by the branch (to fix and send again) or withdrawn
        by the village (to send again should the person still want to join)."""
        return self.status in self.Status.returned()

    @property
    def can_be_withdrawn(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.REJECTED)

    def payment_state(self, today: datetime.date | None = None) -> str:
        """What the payments say today (arrears.PaymentState), by the lapse rule in force."""
        from .arrears import payment_state

        today = today or timezone.localdate()
        return payment_state(self.last_paid_month, today, LapseRule.objects.months_unpaid(today))


class RegistrationEvent(models.Model):
    """One line of a registration's history: who did what, when, and which fields changed."""

    class Action(models.TextChoices):
        CREATED = "created", _("Registered")
        EDITED = "edited", _("Edited")
        VERIFIED = "verified", _("Verified")
        ACTIVATED = "activated", _("Activated")
        REJECTED = "rejected", _("Rejected")
        SENT_AGAIN = "sent_again", _("Sent again for verification")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FUNDED = "funded", _("Funded period added")

    registration = models.ForeignKey(
        Registration, models.CASCADE, related_name="events", verbose_name=_("registration")
    )
    action = models.CharField(_("action"), max_length=10, choices=Action)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("registration history entry")
        verbose_name_plural = _("registration history")

    def __str__(self):
        return f"{self.get_action_display()} {self.at:%d-%m-%Y %H:%M}"


class FundedPeriodQuerySet(models.QuerySet):
    def ending_between(self, start: datetime.date, end: datetime.date) -> FundedPeriodQuerySet:
        return self.filter(ends_on__gte=start, ends_on__lte=end)

    def village_funded(self) -> FundedPeriodQuerySet:
        """Periods paid from the village budget: Dana Desa or Alokasi Dana Desa."""
        return self.filter(funding_source__in=FundingSource.village_funded())

    def paid_by_participant(self) -> FundedPeriodQuerySet:
        return self.filter(funding_source=FundingSource.PARTICIPANT)


class FundedPeriod(models.Model):
    """Who pays a registration's premiums for which months, e.g. Dana Desa the first six."""

    registration = models.ForeignKey(
        Registration, models.CASCADE, related_name="funded_periods", verbose_name=_("registration")
    )
    funding_source = models.CharField(_("paid by"), max_length=12, choices=FundingSource)
    funding_company = models.CharField(_("company (CSR)"), max_length=150, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    objects = FundedPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["registration", "starts_on"]
        verbose_name = _("funded period")
        verbose_name_plural = _("funded periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="funded_period_ends_after_start",
                violation_error_message=_("The period must not end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.get_funding_source_display()} {self.starts_on} – {self.ends_on}"

    def save(self, *args, **kwargs):
        with self._registration_in_step():
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with self._registration_in_step():
            return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.registration_id and self.funding_source:
            try:
                eligibility.check_payer(
                    village=self.registration.village, funding_source=self.funding_source
                )
            except ValidationError as error:
                raise ValidationError({"funding_source": error}) from None

    @contextmanager
    def _registration_in_step(self):
        """The registration's stored latest period follows the change made in the block. It is
        locked first: a second change waits for the first to commit, and then counts its
        period (a statement already waiting on the row would not see it)."""
        with transaction.atomic():
            registration = Registration.objects.filter(pk=self.registration_id)
            list(registration.select_for_update().values_list("pk"))
            yield
            registration.store_paid_until()


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
        from .commission import add_months

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


class ImportBatchQuerySet(models.QuerySet):
    def for_user(self, user) -> ImportBatchQuerySet:
        """A batch holds a whole uploaded file of personal data: only the user who uploaded it
        sees it (their village or area was checked row by row)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class ImportBatch(models.Model):
    """An uploaded spreadsheet of residents: checked row by row (in steps, so a large file shows
    its progress and a reload carries on), previewed, then saved all at once."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked, waiting for confirmation")
        SAVED = "saved", _("Saved")
        REFUSED = "refused", _("Refused")

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        help_text=_("Empty when the file names each row's village (branch staff, admins)."),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4, choices=Format)
    layout = models.JSONField(_("layout"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.CHECKING)
    # In every language, {"id": ..., "en": ...} (portal.translated); "" when not refused.
    refusal = models.JSONField(_("reason for refusal"), default=str, blank=True)
    rows_estimated = models.PositiveIntegerField(_("rows (estimate)"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("last row read"), default=0)
    new_count = models.PositiveIntegerField(_("rows to create"), default=0)
    existing_count = models.PositiveIntegerField(_("rows already registered"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_count = models.PositiveIntegerField(_("registrations created"), default=0)
    meanwhile_count = models.PositiveIntegerField(_("registered meanwhile"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("saved at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.original_name} ({self.created_at:%d-%m-%Y %H:%M})"

    def get_absolute_url(self):
        return reverse("registration_import_preview", args=[self.pk])

    @property
    def rows_checked(self) -> int:
        return self.new_count + self.existing_count + self.error_count


class ImportRow(models.Model):
    """One checked row of an import: what the form made of it, or why it cannot be saved."""

    class Status(models.TextChoices):
        NEW = "new", _("To create")
        EXISTING = "existing", _("Already registered")
        ERROR = "error", _("Error")
        MEANWHILE = "meanwhile", _("Registered meanwhile")

    batch = models.ForeignKey(
        ImportBatch,
        models.CASCADE,
        related_name="rows",
        verbose_name=_("import"),
        db_index=False,  # the unique (batch, number) index serves
    )
    number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=10, choices=Status)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="import_row_unique_number"),
        ]
        indexes = [
            models.Index(fields=["batch", "status", "number"]),
            models.Index(fields=["batch", "nik"]),
        ]

    def __str__(self):
        return f"{self.batch_id}:{self.number}"

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)


class ExportRecord(models.Model):
    """Who took which personal data out of the portal, when, and how much of it."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"
        BPJS = "bpjs", _("BPJS Ketenagakerjaan layout (.xlsx)")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    dataset = models.CharField(_("data"), max_length=40, default="registrations")
    file_format = models.CharField(_("format"), max_length=4, choices=Format)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("export of personal data")
        verbose_name_plural = _("exports of personal data")

    def __str__(self):
        return f"{self.by} {self.at:%d-%m-%Y %H:%M} {self.dataset} ({self.row_count})"


class FollowUp(models.Model):
    """A member whose funded period ends soon was reached: who, when, how. `paid_until` is the
    end of the period the follow-up was about, so the list marks who was reached for this one."""

    class Channel(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        EMAIL = "email", _("E-mail")

    registration = models.ForeignKey(
        Registration, models.CASCADE, related_name="follow_ups", verbose_name=_("registration")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    channel = models.CharField(_("how"), max_length=10, choices=Channel)
    note = models.TextField(_("note"), blank=True)
    paid_until = models.DateField(_("period ending"), null=True, blank=True)
    # For a member who missed a month: the last month paid in full when reached, so the arrears
    # list marks who was reached about this gap (a later payment and a new gap start afresh).
    last_paid_month = models.DateField(_("last month paid"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["registration", "paid_until"])]

    def __str__(self):
        return f"{self.get_channel_display()} {self.at:%d-%m-%Y %H:%M}"


# Payments, uploads of them and the lapse rule: models of this app kept in their own module.
from .payment_models import LapseRule, Payment, PaymentUpload  # noqa: E402, F401
