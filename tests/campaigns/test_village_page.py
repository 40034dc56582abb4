"""The village operator's home: progress, rank and remaining count per campaign, recent and
lapsing registrations, agreements, events and the budget planner, for the own village only."""

import datetime

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from ..enrollment.factories import FundedPeriodFactory, RegistrationFactory
from ..factories import AgreementFactory
from .factories import CampaignFactory, SocializationEventFactory

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}
STATUS = dict(zip(ROLES, [302, 302, 403, 403, 403, 200, 200], strict=True))


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def campaign(world):
    """Socorejo (target 10) and Karanglo (target 100) compete."""
    campaign = CampaignFactory(
        name="Desa Sadar Tuban",
        slug="desa-sadar-tuban",
        branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglo],
    )
    campaign.participations.filter(village=world.socorejo).update(target_override=10)
    return campaign


def home(client, user):
    client.force_login(user)
    return client.get(reverse("village_home"))


@pytest.mark.parametrize("role", ROLES)
def test_only_operators_have_a_village_home(client, request, world, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    response = client.get(reverse("village_home"))
    assert response.status_code == STATUS[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_progress_remaining_and_rank_in_each_campaign(client, world, operator, campaign):
    """Socorejo has 3 of 10 (30 %), 7 to go; Karanglo's 50 of 100 scores higher, so Socorejo
    ranks 2nd of 2: the rank is among all the campaign's villages, not just this one."""
    RegistrationFactory.create_batch(3, village=world.socorejo, verified=True)
    RegistrationFactory.create_batch(50, village=world.karanglo, verified=True)
    other = CampaignFactory(name="Kampanye Lain", branch_office=world.bojonegoro)
    response = home(client, operator)
    [(shown, row, remaining)] = response.context["progress"]
    assert shown == campaign
    assert (row.counted, row.target, remaining, row.rank) == (3, 10, 7, 2)
    assert "Rank 2 of 2" in response.text
    assert "7 more to reach the target." in response.text
    assert '<progress value="3" max="10"' in response.text
    assert "30 %" in response.text
    assert reverse("budget_planner", args=[campaign.slug, world.socorejo.code]) in response.text
    assert other.name not in response.text


def test_each_campaign_ranks_among_its_own_villages_and_ties_share_a_rank(
    client, world, operator, campaign
):
    """Karanglo outscores Socorejo in the first campaign only; in the second, Socorejo ties
    with Karanglewas (both 3 of 10) and both are 1st."""
    RegistrationFactory.create_batch(3, village=world.socorejo, verified=True)
    RegistrationFactory.create_batch(50, village=world.karanglo, verified=True)
    RegistrationFactory.create_batch(3, village=world.karanglewas, verified=True)
    second = CampaignFactory(
        name="Kampanye Kedua",
        branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglewas],
        default_target=10,
        starts_on=campaign.starts_on - datetime.timedelta(days=1),
    )
    response = home(client, operator)
    ranks = {shown.pk: row.rank for shown, row, _remaining in response.context["progress"]}
    assert ranks == {campaign.pk: 2, second.pk: 1}


def test_a_reached_target_says_so(client, world, operator, campaign):
    RegistrationFactory.create_batch(11, village=world.socorejo, verified=True)
    response = home(client, operator)
    [(_, row, remaining)] = response.context["progress"]
    assert (remaining, row.rank) == (0, 1)
    assert "Target reached." in response.text


def test_recent_registrations_are_the_last_five_with_masked_niks(client, world, operator):
    now = timezone.now()
    registrations = [
        RegistrationFactory(village=world.socorejo, created_at=now - datetime.timedelta(days=n))
        for n in range(6)
    ]
    RegistrationFactory(village=world.karanglewas)
    response = home(client, operator)
    assert list(response.context["recent"]) == registrations[:5]
    for registration in registrations[:5]:
        assert registration.participant.masked_nik in response.text
        assert registration.participant.nik not in response.text
    assert registrations[5].participant.full_name not in response.text


def test_funded_periods_ending_within_30_days_are_listed(client, world, operator):
    today = timezone.localdate()
    soon = FundedPeriodFactory(
        registration=RegistrationFactory(village=world.socorejo, verified=True),
        starts_on=today - datetime.timedelta(days=150),
        ends_on=today + datetime.timedelta(days=10),
    )
    FundedPeriodFactory(
        registration=RegistrationFactory(village=world.socorejo, verified=True),
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=40),
    )
    FundedPeriodFactory(
        registration=RegistrationFactory(village=world.karanglewas, verified=True),
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=5),
    )
    response = home(client, operator)
    assert list(response.context["lapsing"]) == [soon.registration]


def test_events_of_the_village_and_its_district_are_listed(client, world, operator):
    in_village = SocializationEventFactory(village=world.socorejo, place="Balai Desa Socorejo")
    for_district = SocializationEventFactory(village=None, district=world.jenu, place="Kec. Jenu")
    SocializationEventFactory(village=world.karanglo, place="Balai Desa Karanglo")
    response = home(client, operator)
    assert set(response.context["events"]) == {in_village, for_district}
    assert "Balai Desa Karanglo" not in response.text


def test_agreements_of_the_village_are_still_shown(client, world, operator):
    AgreementFactory(
        title="MoU Desa Sadar Socorejo",
        branch_office=world.bojonegoro,
        counterpart_kind="pemdes",
        counterpart_regency=world.tuban,
        counterpart_village=world.socorejo,
    )
    assert "MoU Desa Sadar Socorejo" in home(client, operator).text


def test_another_village_sees_none_of_it(client, world, other_operator, campaign):
    RegistrationFactory(village=world.socorejo, verified=True)
    SocializationEventFactory(village=world.socorejo, place="Balai Desa Socorejo")
    response = home(client, other_operator)
    assert response.context["progress"] == []
    assert list(response.context["recent"]) == []
    assert "Balai Desa Socorejo" not in response.text


@pytest.mark.parametrize("campaigns", [1, 4])
def test_the_page_uses_the_same_queries_whatever_the_number_of_campaigns(
    client, world, operator, campaigns, django_assert_max_num_queries
):
    """A fixed number of queries, whatever the number of campaigns and registrations: 13 on a
    first visit (session, the user with the bell's count, 3 to save the session, the versions of
    what the page shows, the village, the campaign rows with their ranks, criteria, recent,
    lapsing, agreements, events), 10 after."""
    for _ in range(campaigns):
        CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo, world.karanglo])
    RegistrationFactory.create_batch(20, village=world.socorejo, verified=True)
    client.force_login(operator)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("village_home"))
    cache.clear()
    with django_assert_max_num_queries(10):
        client.get(reverse("village_home"))
    assert len(response.context["progress"]) == campaigns
