"""Progress numbers against hand-computed expectations."""

import datetime

import pytest

from campaigns import progress, tally
from campaigns import services as campaign_services
from campaigns.models import Campaign, CampaignVillage, ScoreCriterion
from enrollment import changes, services
from enrollment.models import Registration
from villages import services as village_services

from ..enrollment.registering import register
from ..factories import UserFactory

JAKARTA = datetime.timezone(datetime.timedelta(hours=7))


@pytest.fixture
def campaign(world):
    campaign = Campaign.objects.create(
        name="Desa Sadar 2026",
        slug="desa-sadar-2026",
        branch_office=world.bojonegoro,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        default_target=10,
    )
    CampaignVillage.objects.create(campaign=campaign, village=world.socorejo, target_override=4)
    CampaignVillage.objects.create(campaign=campaign, village=world.karanglo)
    return recounted(campaign)


def recounted(campaign):
    """What the campaign's setup pages do after its rules, villages or targets change."""
    tally.campaign_recount(campaign)
    campaign.refresh_from_db()
    return campaign


@pytest.fixture
def karanglo_operator(world):
    return UserFactory(username="karanglo", village=world.karanglo)


def registered(village, user, *, on=datetime.date(2026, 3, 2), status="verified", **extra):
    registration = register(village, user, **extra)
    backdated = Registration.objects.filter(pk=registration.pk)
    with changes.in_step(backdated):
        backdated.update(
            created_at=datetime.datetime.combine(on, datetime.time(10), tzinfo=JAKARTA)
        )
    if status in ("verified", "active", "rejected"):
        branch = UserFactory(
            username=f"verifier{registration.pk}",
            role="branch_staff",
            branch_office=village.district.regency.coverages.first().branch_office,
        )
        if status == "rejected":
            services.registrations_reject(registrations=[registration], reason="x", by=branch)
        else:
            services.registration_verify(
                registration=registration, kpj=f"{registration.pk:011d}", by=branch
            )
            if status == "active":
                services.registration_activate(registration=registration, by=branch)
    registration.refresh_from_db()
    return registration


def rows_by_name(campaign):
    return {row.village.name: row for row in progress.village_rows(campaign)}


def test_verified_registrations_count_against_overrides_and_defaults(
    campaign, world, operator, karanglo_operator
):
    """Socorejo: 3 verified/active of its own target 4; Karanglo: 1 of the default 10;
    submitted and rejected do not count."""
    registered(world.socorejo, operator, status="verified")
    registered(world.socorejo, operator, status="active")
    registered(world.socorejo, operator, status="verified")
    registered(world.socorejo, operator, status="submitted")
    registered(world.socorejo, operator, status="rejected")
    registered(world.karanglo, karanglo_operator, status="verified")
    rows = rows_by_name(campaign)
    assert (rows["Socorejo"].counted, rows["Socorejo"].target) == (3, 4)
    assert (rows["Karanglo"].counted, rows["Karanglo"].target) == (1, 10)
    totals = progress.totals(campaign)
    assert (totals.counted, totals.target, totals.percent) == (4, 14, 28)
    assert (totals.villages, totals.villages_reached) == (2, 0)


def test_all_submitted_counts_everything_but_rejections(campaign, world, operator):
    """With "all submitted", submitted ones count too; rejected never."""
    campaign.counts = Campaign.Counts.SUBMITTED
    campaign.save()
    recounted(campaign)
    for status in ["submitted", "verified", "rejected"]:
        registered(world.socorejo, operator, status=status)
    assert rows_by_name(campaign)["Socorejo"].counted == 2


def test_only_the_chosen_categories_count(campaign, world, operator):
    """Gresik's rule: only vulnerable workers and RT/RW heads."""
    campaign.categories = ["rentan", "rt_rw"]
    campaign.save()
    recounted(campaign)
    registered(world.socorejo, operator, category="rentan")
    registered(world.socorejo, operator, category="rt_rw")
    registered(world.socorejo, operator, category="bpu")
    assert progress.totals(campaign).counted == 2
    assert dict(progress.breakdown(campaign, "category")) == {"rentan": 1, "rt_rw": 1}


def test_a_village_without_registrations_shows_zero(campaign):
    """Villages with no registrations are listed with 0, not left out."""
    rows = rows_by_name(campaign)
    assert rows["Karanglo"].counted == 0
    assert rows["Socorejo"].score == 0.0


def test_registrations_outside_the_period_or_villages_do_not_count(
    campaign, world, operator, other_operator
):
    """Before the start, after the end, or in a village not taking part: not counted."""
    registered(world.socorejo, operator, on=datetime.date(2025, 12, 31))
    registered(world.socorejo, operator, on=datetime.date(2027, 1, 1))
    registered(world.karanglewas, other_operator)
    registered(world.socorejo, operator, on=datetime.date(2026, 12, 31))
    assert progress.totals(campaign).counted == 1


def test_a_moved_or_rejected_registration_stops_counting(campaign, world, operator, branch_staff):
    """Moving a registration to another village moves its count; rejecting removes it."""
    moved = registered(world.socorejo, operator)
    registered(world.socorejo, operator)
    services.registration_move(registration=moved, village=world.karanglo, by=branch_staff)
    rows = rows_by_name(campaign)
    assert (rows["Socorejo"].counted, rows["Karanglo"].counted) == (1, 1)
    pending = registered(world.socorejo, operator, status="submitted")
    campaign.counts = Campaign.Counts.SUBMITTED
    campaign.save()
    recounted(campaign)
    assert rows_by_name(campaign)["Socorejo"].counted == 2
    services.registrations_reject(registrations=[pending], reason="Data ganda", by=branch_staff)
    assert rows_by_name(campaign)["Socorejo"].counted == 1


def test_reaching_the_target_counts_the_village_as_reached(campaign, world, operator):
    """Four of four: Socorejo reached its target; the share is capped at 100 %."""
    for _ in range(5):
        registered(world.socorejo, operator)
    totals = progress.totals(campaign)
    assert totals.villages_reached == 1
    assert rows_by_name(campaign)["Socorejo"].target_share == 1.0


def test_score_weights_the_criteria_and_ranks_the_villages(
    campaign, world, operator, karanglo_operator, branch_staff
):
    """Score = (2 × target share + 1 × officials share) / 3 × 100; ranks follow the score."""
    ScoreCriterion.objects.create(campaign=campaign, measure="target", weight=2)
    ScoreCriterion.objects.create(campaign=campaign, measure="officials", weight=1)
    recounted(campaign)
    village_services.village_counts_update(
        village=world.socorejo, by=branch_staff, population=None, working_age_population=None,
        official_count=2,
    )  # fmt: skip
    registered(world.socorejo, operator, category="perangkat")
    registered(world.socorejo, operator)
    for _ in range(5):
        registered(world.karanglo, karanglo_operator)
    rows = rows_by_name(campaign)
    # Socorejo: target 2/4 = 0.5, officials 1/2 = 0.5 → 50; Karanglo: 5/10 = 0.5, no officials
    # count known → 0 → (2 × 0.5) / 3 = 33.3.
    assert rows["Socorejo"].score == pytest.approx(50.0)
    assert rows["Karanglo"].score == pytest.approx(100 / 3)
    assert progress.ranking(campaign) == {world.socorejo.pk: 1, world.karanglo.pk: 2}


def test_continuing_members_score_after_village_funding(campaign, world, operator, branch_staff):
    """Of two members whose Dana Desa months ended, one pays on her own: share 0.5."""
    ScoreCriterion.objects.create(campaign=campaign, measure="continuing", weight=1)
    recounted(campaign)
    first, second = registered(world.socorejo, operator), registered(world.socorejo, operator)
    for registration in (first, second):
        services.funded_period_add(
            registration=registration,
            by=branch_staff,
            funding_source="dana_desa",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 6, 30),
        )
    assert rows_by_name(campaign)["Socorejo"].score == 0
    services.funded_period_add(
        registration=first,
        by=branch_staff,
        funding_source="mandiri",
        starts_on=datetime.date(2026, 7, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    assert rows_by_name(campaign)["Socorejo"].score == pytest.approx(50.0)


def test_weekly_counts_and_rank_changes(campaign, world, operator, karanglo_operator):
    """Registrations fall into their Monday's week; a village that overtakes rises in rank."""
    registered(world.socorejo, operator, on=datetime.date(2026, 3, 4))
    registered(world.socorejo, operator, on=datetime.date(2026, 3, 8))
    registered(world.socorejo, operator, on=datetime.date(2026, 3, 9))
    weeks = progress.weekly_counts(campaign)
    assert weeks == {datetime.date(2026, 3, 2): 2, datetime.date(2026, 3, 9): 1}
    campaign_services.rankings_snapshot(campaign=campaign, on=datetime.date(2026, 3, 9))
    assert progress.ranking(campaign) == {world.socorejo.pk: 1, world.karanglo.pk: 2}
    for _ in range(9):
        registered(world.karanglo, karanglo_operator, on=datetime.date(2026, 3, 16))
    rows = progress.village_rows(campaign)
    ranks = progress.ranks(campaign, rows)
    assert ranks == progress.ranking(campaign) == {world.karanglo.pk: 1, world.socorejo.pk: 2}
    assert progress.rank_changes(rows, ranks) == {world.karanglo.pk: 1, world.socorejo.pk: -1}


def test_rollups_sum_the_villages(campaign, world, operator, karanglo_operator):
    """District and regency roll-ups add up counted and target."""
    registered(world.socorejo, operator)
    registered(world.karanglo, karanglo_operator)
    regencies = progress.rollup(campaign, "regency")
    assert [(r.name, r.villages, r.counted, r.target) for r in regencies] == [
        ("Kabupaten Tuban", 2, 2, 14)
    ]
    districts = {r.name: (r.counted, r.target) for r in progress.rollup(campaign, "district")}
    assert districts == {"Jenu": (1, 4), "Kerek": (1, 10)}
    within = progress.rollup(campaign, "district", within=world.jenu.code)
    assert [(r.name, r.villages_reached, r.counted) for r in within] == [("Jenu", 0, 1)]
