"""generate_national: a national data set whose every row keeps the portal's rules, loaded with
COPY on PostgreSQL, the same on a second run, regenerated with --reset."""

import datetime
import importlib
import io
import re
from collections import Counter

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from campaigns import progress
from campaigns.models import Campaign
from enrollment import eligibility
from enrollment.models import (
    AgeLimit,
    ContributionRate,
    FundingSource,
    Participant,
    Registration,
    RegistrationEvent,
    WorkerCategory,
)
from enrollment.nik import parse_nik
from tools.national.common import NATIONAL_SLUG
from tools.national.people import kpj_number
from villages.models import Coverage, Village

from ..enrollment.periods import assert_paid_until_stored

VILLAGES, PEOPLE = 50, 2000


def seed_rates(apps, schema_editor):
    """The rates the migrations seed: BPU (0002), wage earners and discounts (0012); the age
    limits (0013)."""
    for name in (
        "0002_seed_rates_and_commission_rule",
        "0012_contribution_schemes_discounts_and_employers",
    ):
        importlib.import_module(f"enrollment.migrations.{name}").seed(apps, schema_editor)
    ages = importlib.import_module("enrollment.migrations.0013_age_limits")
    ages.seed_age_limits(apps, schema_editor)


def generate(**options) -> str:
    out = io.StringIO()
    call_command(
        "generate_national",
        **{"synthetic": VILLAGES, "participants": PEOPLE, "no_progress": True, **options},
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """Generated once for the module and really committed (the generator copies on a second
    connection); the tests reading it run in their own rolled-back transactions."""
    with django_db_blocker.unblock():
        seed_rates(django_apps, None)
        output = generate()
    yield output
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def generated(national, db):
    return national


def test_villages_offices_and_the_national_campaign(generated):
    """Every synthetic village has a well-formed code, every regency a covering branch office
    and a staff account, and the national Desa Sadar campaign takes in every village."""
    villages = list(Village.objects.all())
    assert len(villages) == VILLAGES
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.[12]\d{3}", v.code) for v in villages)
    today = timezone.localdate()
    regencies = {village.regency_code for village in villages}
    assert len(regencies) > 1
    for regency in regencies:
        coverage = Coverage.objects.filter(regency=regency, valid_from__lte=today).first()
        assert coverage is not None, regency
        assert coverage.branch_office.staff.filter(role="branch_staff").exists()
    national = Campaign.objects.get(slug=NATIONAL_SLUG)
    assert national.name == "Desa Sadar Jaminan Sosial Ketenagakerjaan"
    assert national.kind == Campaign.Kind.DESA_SADAR
    assert national.starts_on < today < national.ends_on
    assert set(national.participations.values_list("village_id", flat=True)) == {
        village.code for village in villages
    }
    targets = Counter(national.participations.values_list("target_override", flat=True))
    assert targets[None] and len(targets) > 1  # the default target and overrides
    assert all(v.population and v.working_age_population <= v.population for v in villages)


def test_every_nik_is_valid_unique_and_from_the_village_district(generated):
    """parse_nik accepts every NIK; its district is the participant's village district, its
    birth date and sex those of the participant; no NIK twice."""
    rows = list(Participant.objects.values_list("nik", "village_id", "birth_date", "sex"))
    assert len(rows) == PEOPLE
    assert len({nik for nik, *_ in rows}) == PEOPLE
    for nik, village, birth_date, sex in rows:
        info = parse_nik(nik)
        assert village.startswith(info.district_code + "."), (nik, village)
        assert (info.birth_date, info.sex) == (birth_date, sex), nik
    assert Counter(sex for *_, sex in rows).keys() == {"M", "F"}
    names = set(Participant.objects.values_list("full_name", flat=True))
    assert len(names) > PEOPLE // 4  # Indonesian names, not one repeated


def test_registrations_keep_the_rules_and_have_a_history(generated):
    """Statuses, categories and funding sources in plausible proportions; unique 11-digit KPJs
    exactly for members; a reason for each rejection, a company for CSR; premiums from the
    rates; a history beginning with "created" at the registration's time."""
    registrations = list(Registration.objects.select_related("participant"))
    assert len(registrations) == PEOPLE
    statuses = Counter(r.status for r in registrations)
    # Every status but "withdrawn": a village's own step after a rejection, not generated.
    assert set(statuses) == set(Registration.Status.values) - {Registration.Status.WITHDRAWN}
    assert statuses["active"] > statuses["verified"] > statuses["rejected"]
    assert 0.02 < statuses["submitted"] / PEOPLE < 0.3
    assert set(Counter(r.participant.category for r in registrations)) == set(WorkerCategory.values)
    assert len({r.funding_source for r in registrations}) == len(FundingSource.values)
    members = [r for r in registrations if r.status in ("verified", "active")]
    assert all(re.fullmatch(r"\d{11}", r.kpj) for r in members)
    assert len({r.kpj for r in members}) == len(members)
    assert all(r.kpj is None for r in registrations if r.status in ("submitted", "rejected"))
    assert all(r.rejection_reason for r in registrations if r.status == "rejected")
    assert all(r.funding_company for r in registrations if r.funding_source == "csr")
    # Issue 18: each category priced by its own scheme (officials as wage earners, formal
    # employees by their employer: no premium).
    book = ContributionRate.objects.price_book()
    for r in registrations:
        assert r.monthly_premium == r.premium_this_month(book)
        assert r.village_id == r.participant.village_id
    # Issue 18: everyone may enrol in their scheme on the day they registered (no child, no
    # BPU member over the age limit).
    ages = AgeLimit.objects.rules()
    for r in registrations:
        eligibility.check_age(
            birth_date=r.participant.birth_date,
            category=r.participant.category,
            on=timezone.localdate(r.created_at),
            rules=ages,
        )
    national = Campaign.objects.get(slug=NATIONAL_SLUG)
    now = timezone.now()
    assert all(
        national.starts_on <= timezone.localdate(r.created_at) and r.created_at < now
        for r in registrations
    )
    history: dict[int, list] = {}
    for event in RegistrationEvent.objects.order_by("at", "pk"):
        history.setdefault(event.registration_id, []).append(event)
    for r in registrations:
        actions = [event.action for event in history[r.pk]]
        assert actions[0] == "created" and history[r.pk][0].at == r.created_at
        assert ("verified" in actions) == (r.status in ("verified", "active"))
        assert ("activated" in actions) == (r.status == "active")
        assert ("rejected" in actions) == (r.status == "rejected")
        assert all(event.at < now for event in history[r.pk])
    verified = next(e for r in members for e in history[r.pk] if e.action == "verified")
    assert verified.changes["kpj"] == [None, verified.registration.kpj]


def test_campaign_numbers_equal_counting_the_registrations(generated):
    """COPY bypasses the services: the stored campaign numbers are reconciled afterwards and
    equal a direct count of the registrations."""
    national = Campaign.objects.get(slug=NATIONAL_SLUG)
    assert not national.counts_employer_covered
    counted = (
        Registration.objects.filter(
            status__in=["verified", "active"],
            created_at__date__gte=national.starts_on,
            created_at__date__lte=min(national.ends_on, timezone.localdate()),
        )
        .exclude(participant__category="pu")  # covered through an employer (issue 18)
        .count()
    )
    assert counted > 0
    assert progress.totals(national).counted == counted


def test_registrations_store_their_latest_funded_period(generated):
    """COPY bypasses FundedPeriod.save(): the generator writes paid_until and paid_by itself."""
    assert Registration.objects.exclude(paid_until=None).count() > PEOPLE / 2
    assert Registration.objects.filter(paid_by=FundingSource.PARTICIPANT).exists()
    assert_paid_until_stored()


def test_kpj_numbers_never_repeat():
    """Generated KPJs are a bijection of their index: 11 digits, no two alike."""
    numbers = [kpj_number(index) for index in range(200_000)]
    assert all(len(number) == 11 and number.isdigit() for number in numbers)
    assert len(set(numbers)) == len(numbers)


def test_refuses_a_database_other_than_postgresql(db, monkeypatch):
    """COPY needs PostgreSQL: on SQLite the command says so before writing anything."""
    villages = Village.objects.count()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        generate(synthetic=VILLAGES + 10)
    monkeypatch.undo()
    assert Village.objects.count() == villages


def test_the_calendar_is_plausible(generated):
    """Registrations spread over the campaign's weeks, with more in later weeks."""
    national = Campaign.objects.get(slug=NATIONAL_SLUG)
    weeks = Counter(
        (timezone.localdate(at) - national.starts_on).days // 7
        for at in Registration.objects.values_list("created_at", flat=True)
    )
    assert len(weeks) > 30
    first, last = sum(weeks[w] for w in range(10)), sum(weeks[w] for w in range(29, 39))
    assert last > first
    assert max(weeks) < (timezone.localdate() - national.starts_on).days // 7 + 1
    assert min(weeks) >= 0
    assert isinstance(national.starts_on, datetime.date)


# Last: it changes the module's data set (and flushes the database afterwards).
def test_a_second_run_changes_nothing_and_another_size_needs_reset(national, transactional_db):
    """Run again with the same figures: nothing changes. Another number of participants is
    refused without --reset; with it the personal data is generated afresh."""
    before = (
        Participant.objects.count(),
        RegistrationEvent.objects.count(),
        Campaign.objects.count(),
        Coverage.objects.count(),
        sorted(Registration.objects.values_list("pk", flat=True)),
    )
    output = generate()
    assert "already present" in output
    after = (
        Participant.objects.count(),
        RegistrationEvent.objects.count(),
        Campaign.objects.count(),
        Coverage.objects.count(),
        sorted(Registration.objects.values_list("pk", flat=True)),
    )
    assert after == before
    with pytest.raises(CommandError, match="--reset"):
        generate(participants=500)
    assert Participant.objects.count() == PEOPLE
    generate(participants=500, reset=True)
    assert Participant.objects.count() == Registration.objects.count() == 500
    assert Campaign.objects.count() == before[2]
    assert all(parse_nik(nik) for nik in Participant.objects.values_list("nik", flat=True))


def test_members_have_payments_some_of_them_lapsed(generated):
    """Every verified or active member paid at least one month; some stopped (in arrears or
    lapsed); the stored last month paid is the payments' own."""
    from enrollment.arrears import PaymentState
    from enrollment.models import Payment

    members = Registration.objects.verified()
    assert Payment.objects.exists()
    assert members.exclude(last_paid_month=None).count() > members.count() / 2
    assert members.in_payment_state(PaymentState.PAID_UP).exists()
    behind = members.in_payment_state(PaymentState.ARREARS) | members.in_payment_state(
        PaymentState.LAPSED
    )
    assert behind.exists()
    for member in members.exclude(last_paid_month=None)[:50]:
        months = sorted(member.payments.values_list("month", flat=True))
        assert (member.last_paid_month, member.months_paid) == (months[-1], len(months))
