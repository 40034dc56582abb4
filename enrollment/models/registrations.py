"""Participants, their registrations in a village with the history of each, the periods a payer
funds, and the follow-ups of members whose funded period ends soon.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
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

from .. import eligibility, premiums
from ..choices import FundingSource, OccupationGroup, WorkerCategory
from ..nik import mask_nik, validate_nik
from .payments import LapseRule
from .rates import AgeLimit, ContributionRate

# Members whose funded period ends within this many days are followed up before they lapse: the
# lapsing lists, their print, the agents' page, the village home and the reminders all use it.
LAPSING_WITHIN_DAYS = 30


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
        """Verified or already active: members with a KPJ number (Registration.Status.members())."""
        return self.filter(status__in=Registration.Status.members())

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
                        filter=Q(status__in=Registration.Status.members()),
                    ),
                    0,
                ),
            )
            .order_by("agent", "month")
        )

    def in_payment_state(self, state: str, today: datetime.date | None = None):
        """Members (verified or active) whose payments put them in `state` (arrears.PaymentState)
        today, by the stored last month paid and the lapse rule in force: an index range."""
        from ..arrears import PaymentState, state_bounds

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
        `days` days later (both included; LAPSING_WITHIN_DAYS on every page), soonest first: to
        follow up before they lapse."""
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
        def members(cls) -> list[str]:
            """Verified or active: members, with a KPJ number. The one rule for which statuses
            count as members (RegistrationQuerySet.verified(), Campaign.counted_statuses(),
            the campaigns' member counts)."""
            return [cls.VERIFIED, cls.ACTIVE]

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
        from ..arrears import payment_state

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
