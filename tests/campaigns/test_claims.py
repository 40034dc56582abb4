"""Benefits received: branch staff record claims; the village page, the campaign dashboard and
the public leaderboard show "Rp X paid to N families"; no NIK outside the member's record."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Claim
from campaigns.services import claim_record

from ..enrollment.factories import RegistrationFactory
from .factories import CampaignFactory, SocializationEventFactory


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def member(world):
    return RegistrationFactory(village=world.socorejo, verified=True)


@pytest.fixture
def campaign(world, branch_staff):
    return CampaignFactory(
        slug="desa-sadar", branch_office=world.bojonegoro, villages=[world.socorejo],
        is_public=True,
    )  # fmt: skip


def record(member, by, amount, programme="jkk", recipient="heirs"):
    return claim_record(
        registration=member,
        by=by,
        data={"programme": programme, "recipient": recipient, "amount": amount,
              "paid_on": datetime.date(2018, 12, 17)},
    )  # fmt: skip


def test_branch_staff_record_a_claim_by_kpj_with_its_hand_over_event(
    client, world, branch_staff, member, campaign
):
    event = SocializationEventFactory(village=world.socorejo, campaign=campaign, kind="klaim")
    client.force_login(branch_staff)
    response = client.post(
        reverse("claim_list"),
        {"kpj": member.kpj, "programme": "jkk", "recipient": "heirs", "amount": "48000000",
         "paid_on": "2018-12-17", "event": event.pk},
        follow=True,
    )  # fmt: skip
    claim = Claim.objects.get()
    assert (claim.registration, claim.village, claim.event) == (member, world.socorejo, event)
    assert claim.recorded_by == branch_staff
    assert "Rp48,000,000 paid to 1 family" in response.text
    assert member.participant.nik not in response.text


def test_a_kpj_outside_the_area_records_nothing(client, other_branch_staff, member):
    client.force_login(other_branch_staff)
    response = client.post(
        reverse("claim_list"),
        {"kpj": member.kpj, "programme": "jkm", "recipient": "heirs", "amount": "42000000",
         "paid_on": "2024-01-05"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "No member with this KPJ in your area." in response.text
    assert not Claim.objects.exists()


def test_village_operators_cannot_record_claims(client, operator):
    client.force_login(operator)
    assert client.get(reverse("claim_list")).status_code == 403


def test_the_village_page_shows_what_was_paid_to_how_many_families(
    client, world, operator, branch_staff, member
):
    record(member, branch_staff, 48_000_000)
    record(member, branch_staff, 2_000_000, programme="jht", recipient="heirs")
    other = RegistrationFactory(village=world.socorejo, verified=True)
    record(other, branch_staff, 1_500_000, programme="jkk", recipient="member")
    client.force_login(operator)
    response = client.get(reverse("village_home"))
    assert "Rp51,500,000 paid to 2 families" in response.text
    assert member.participant.nik not in response.text


def test_the_dashboard_and_the_public_leaderboard_show_the_aggregate_only(
    client, world, branch_staff, member, campaign
):
    record(member, branch_staff, 48_000_000)
    client.force_login(branch_staff)
    dashboard = client.get(reverse("campaign_dashboard", args=[campaign.slug]))
    assert "Rp48,000,000 paid to 1 family" in dashboard.text
    client.logout()
    client.cookies["django_language"] = "en"
    public = client.get(reverse("public_leaderboard", args=[campaign.slug]))
    assert "Rp48,000,000 paid to 1 family" in public.text
    assert member.participant.full_name not in public.text
    assert member.participant.nik not in public.text


def test_the_members_own_record_lists_the_claim(client, branch_staff, member):
    record(member, branch_staff, 48_000_000)
    client.force_login(branch_staff)
    response = client.get(member.get_absolute_url())
    assert 'data-testid="claims"' in response.text
    assert "Rp48,000,000" in response.text


def test_the_claims_list_is_a_table_of_cards_whose_queries_do_not_grow(
    client, branch_staff, member, django_assert_max_num_queries
):
    """Each cell is labelled with its column (a card on a phone); more claims, same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record(member, branch_staff, 48_000_000)
    client.force_login(branch_staff)
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("claim_list"))
    assert 'class="table-wrap table-cards"' in response.text
    assert 'data-label="Member"' in response.text
    assert 'data-label="Amount">Rp48,000,000' in response.text
    assert member.participant.nik not in response.text
    for amount in range(1, 6):
        record(member, branch_staff, amount * 1_000_000)
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("claim_list"))
    assert response.text.count('data-label="Member"') == 6
