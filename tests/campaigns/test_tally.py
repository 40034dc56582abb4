"""The campaigns' stored numbers stay exactly equal to counting the registrations: after random
sequences of every kind of change, and after changes made at the same time."""

import datetime
import random
import threading
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from campaigns import progress, tally
from campaigns.models import Campaign, CampaignArea, CampaignVillage, ScoreCriterion
from enrollment import changes, services
from enrollment.models import Registration
from villages import services as village_services

from ..enrollment.registering import register, registration_data
from ..factories import UserFactory

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))
CATEGORIES = ["bpu", "rentan", "perangkat", "rt_rw", "honorer"]


@pytest.fixture
def campaigns(world):
    """Three campaigns with different rules over overlapping villages."""
    verified = Campaign.objects.create(
        name="Desa Sadar 2026",
        slug="desa-sadar-2026",
        branch_office=world.bojonegoro,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        default_target=3,
    )
    submitted = Campaign.objects.create(
        name="1 Desa 100 Pekerja",
        slug="satu-desa",
        branch_office=world.bojonegoro,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 6, 30),
        counts=Campaign.Counts.SUBMITTED,
        categories=["rentan", "rt_rw"],
        default_target=2,
    )
    scored = Campaign.objects.create(
        name="Perisai 2026",
        slug="perisai-2026",
        branch_office=world.purwokerto,
        starts_on=datetime.date(2025, 6, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    for measure in ("target", "officials", "working_age", "continuing"):
        ScoreCriterion.objects.create(campaign=scored, measure=measure, weight=2)
    for campaign, villages in [
        (verified, [world.socorejo, world.karanglo]),
        (submitted, [world.socorejo, world.karanglewas]),
        (scored, [world.socorejo, world.karanglo, world.karanglewas]),
    ]:
        for village in villages:
            CampaignVillage.objects.create(campaign=campaign, village=village)
        tally.campaign_recount(campaign)
    return [verified, submitted, scored]


def assert_in_step(campaigns):
    """Every stored number equals counting the registrations now, two independent ways: the
    reconcile finds nothing to repair, and the progress numbers equal plain ORM counts."""
    assert tally.reconcile() == []
    for campaign in campaigns:
        campaign.refresh_from_db()
        counted = progress.counted_registrations(campaign)
        for row in progress.village_rows(campaign):
            assert row.counted == counted.filter(village=row.village_id).count(), row
            members = Registration.objects.filter(
                village=row.village_id,
                status__in=["verified", "active"],
                created_at__date__lte=campaign.ends_on,
            )
            assert row.members == members.count()
            officials = members.filter(participant__category="perangkat")
            assert row.officials_enrolled == officials.count()
        numbers = progress.numbers(campaign)
        assert numbers.totals.counted == counted.count()
        weeks = (
            counted.annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
            .values("week")
            .annotate(n=Count("pk"))
        )
        assert numbers.weeks == {row["week"].date(): row["n"] for row in weeks}
        rows = list(CampaignVillage.objects.filter(campaign=campaign))
        assert numbers.totals.villages == len(rows)
        assert numbers.totals.villages_reached == sum(
            row.counted >= (row.target_override or campaign.default_target) for row in rows
        )
        for level, code_length in [("province", 2), ("regency", 5), ("district", 8)]:
            expected = defaultdict(lambda: [0, 0, 0, 0])  # villages, reached, counted, target
            for row in rows:
                target = row.target_override or campaign.default_target
                village_counted = counted.filter(village=row.village_id).count()
                sums = expected[row.village_id[:code_length]]
                sums[0] += 1
                sums[1] += village_counted >= target
                sums[2] += village_counted
                sums[3] += target
            assert {
                area.code: [area.villages, area.villages_reached, area.counted, area.target]
                for area in progress.rollup(campaign, level)
            } == expected


def backdate(registration, day):
    registrations = Registration.objects.filter(pk=registration.pk)
    with changes.in_step(registrations):
        registrations.update(
            created_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=JAKARTA)
        )


def test_random_changes_keep_the_numbers_equal_to_counting(
    campaigns, world, operator, branch_staff, admin_user
):
    """Registrations, edits, verifications, activations, rejections, funded periods, moves
    between villages, deletions and population changes, in a random order (fixed seed)."""
    chance = random.Random(2026)
    villages = [world.socorejo, world.karanglo, world.karanglewas]
    days = [datetime.date(2025, 12, 20) + datetime.timedelta(days=9 * n) for n in range(45)]
    for step in range(160):
        registrations = list(Registration.objects.select_related("participant"))
        action = chance.choice(
            ["register"] * 4 + ["verify", "reject", "activate", "edit", "fund", "move", "delete"]
            + ["officials"]
        )  # fmt: skip
        submitted = [r for r in registrations if r.status == "submitted"]
        if action == "register" or not registrations:
            registration = register(
                chance.choice(villages), operator, category=chance.choice(CATEGORIES),
                jht=chance.random() < 0.3,
                funding_source=chance.choice(["mandiri", "dana_desa", "csr", "pemkab"]),
                funding_company="PT Semen Indonesia",
            )  # fmt: skip
            backdate(registration, chance.choice(days))
        elif action == "verify" and submitted:
            registration = chance.choice(submitted)
            services.registration_verify(
                registration=registration, kpj=f"{10_000_000_000 + step}", by=branch_staff
            )
        elif action == "reject" and submitted:
            services.registrations_reject(
                registrations=chance.sample(submitted, min(2, len(submitted))),
                reason="Data ganda",
                by=branch_staff,
            )
        elif action == "activate":
            verified = [r for r in registrations if r.status == "verified"]
            if verified:
                services.registration_activate(registration=chance.choice(verified), by=admin_user)
        elif action == "edit" and submitted:
            registration = chance.choice(submitted)
            data = registration_data(
                registration.village,
                **{
                    **{
                        field: getattr(registration.participant, field)
                        for field in services.PARTICIPANT_FIELDS
                    },
                    "category": chance.choice(CATEGORIES),
                    "jht": not registration.jht,
                    "funding_source": "mandiri",
                },
            )
            services.registration_update(registration=registration, by=operator, data=data)
        elif action == "fund":
            registration = chance.choice(registrations)
            start = chance.choice(days)
            services.funded_period_add(
                registration=registration,
                by=branch_staff,
                funding_source=chance.choice(["dana_desa", "mandiri"]),
                starts_on=start,
                ends_on=start + datetime.timedelta(days=chance.choice([30, 180])),
            )
        elif action == "move":
            services.registration_move(
                registration=chance.choice(registrations),
                village=chance.choice(villages),
                by=admin_user,
            )
        elif action == "delete":
            services.registration_delete(registration=chance.choice(registrations))
        elif action == "officials":
            village_services.village_counts_update(
                village=chance.choice(villages), by=admin_user, population=5000,
                working_age_population=chance.randint(0, 4000),
                official_count=chance.randint(0, 12),
            )  # fmt: skip
        if step % 20 == 19:
            assert_in_step(campaigns)
    assert Registration.objects.count() > 20
    assert_in_step(campaigns)


def test_a_campaign_changed_afterwards_is_counted_again(campaigns, world, operator):
    """Registrations first, then the campaign's dates, rules and villages change."""
    for category in CATEGORIES:
        registration = register(world.karanglo, operator, category=category)
        backdate(registration, datetime.date(2026, 4, 1))
    verified, submitted, _scored = campaigns
    submitted.starts_on = datetime.date(2026, 1, 1)
    submitted.categories = []
    submitted.save()
    CampaignVillage.objects.create(campaign=submitted, village=world.karanglo)
    tally.campaign_recount(submitted)
    verified.counts = Campaign.Counts.SUBMITTED
    verified.save()
    tally.campaign_recount(verified)
    assert_in_step(campaigns)
    assert progress.totals(submitted).counted == len(CATEGORIES)


def test_out_of_step_numbers_are_found_and_repaired(campaigns, world, operator, branch_staff):
    """What the reconcile is for: numbers changed behind the tally's back are reported, then
    repaired."""
    registration = register(world.socorejo, operator, category="rentan")
    backdate(registration, datetime.date(2026, 4, 1))
    services.registration_verify(registration=registration, kpj="19000000001", by=branch_staff)
    assert tally.reconcile() == []
    CampaignVillage.objects.filter(village=world.socorejo).update(counted=40)
    Registration.objects.update(status="rejected", rejection_reason="x")  # behind its back
    CampaignArea.objects.filter(campaign=campaigns[2], code="33").update(target=7)
    differences = tally.reconcile()
    assert {(d.campaign.slug, d.what) for d in differences} >= {
        ("desa-sadar-2026", "counted"),
        ("desa-sadar-2026", "weeks"),
        ("desa-sadar-2026", "areas"),
        ("satu-desa", "counted"),
        ("perisai-2026", "areas"),
    }
    assert_in_step(campaigns)


@pytest.mark.django_db(transaction=True)
def test_changes_at_the_same_time_are_all_counted(campaigns, world, operator, branch_staff):
    """Six operators register in the same village at the same moment while branch staff verify
    others: each waits for the village's numbers, none is lost."""
    existing = [register(world.socorejo, operator) for _ in range(6)]
    operators = [UserFactory(username=f"operator{n}", village=world.socorejo) for n in range(6)]
    start = threading.Barrier(len(operators) + len(existing), timeout=30)
    errors = []

    def in_thread(work):
        try:
            start.wait()
            work()
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    work = [lambda user=user: register(world.socorejo, user) for user in operators] + [
        lambda registration=registration, n=n: services.registration_verify(
            registration=registration, kpj=f"{20_000_000_000 + n}", by=branch_staff
        )
        for n, registration in enumerate(existing)
    ]
    threads = [threading.Thread(target=in_thread, args=[job]) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Registration.objects.count() == 12
    assert Registration.objects.filter(status="verified").count() == 6
    assert_in_step(campaigns)


def test_members_covered_through_an_employer_count_only_where_the_campaign_says_so(
    campaigns, world, operator
):
    """Formal employees (PU) count toward no target unless the campaign ticks
    counts_employer_covered; the stored numbers follow the tick and stay in step."""
    _verified, submitted, _scored = campaigns
    submitted.categories = []
    submitted.save()
    tally.campaign_recount(submitted)
    for _ in range(2):
        registration = register(
            world.socorejo, operator, category="pu", employer_name="PT Semen",
            funding_source="perusahaan",
        )  # fmt: skip
        backdate(registration, datetime.date(2026, 4, 1))
    assert progress.totals(submitted).counted == 0
    assert_in_step(campaigns)
    submitted.counts_employer_covered = True
    submitted.save()
    tally.campaign_recount(submitted)
    assert progress.totals(submitted).counted == 2
    assert_in_step(campaigns)
