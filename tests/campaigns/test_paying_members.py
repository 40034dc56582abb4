"""Campaigns count what is true: registered members and members who paid for the campaign's
last month (a campaign rule), and retention after the village-funded months; kept in step."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns import progress, tally
from campaigns.models import Campaign, CampaignVillage
from enrollment.arrears import latest_month_due
from enrollment.commission import add_months
from enrollment.models import FundedPeriod, Payment, Registration
from enrollment.payments import save_checked, store_months_paid

from ..enrollment.factories import RegistrationFactory
from .factories import CampaignFactory


@pytest.fixture
def due():
    return latest_month_due(timezone.localdate())


def campaign_of(world, counts="verified"):
    today = timezone.localdate()
    return CampaignFactory(
        slug=f"c-{counts}", branch_office=world.bojonegoro, villages=[world.socorejo],
        starts_on=add_months(today, -12), ends_on=add_months(today, 6), counts=counts,
    )  # fmt: skip


def member(world, months_ago=3):
    return RegistrationFactory(
        village=world.socorejo, verified=True,
        created_at=timezone.now() - datetime.timedelta(days=30 * months_ago),
    )  # fmt: skip


def pay(registration, *months, amount=16_800):
    """Payments recorded the way an upload records them (campaigns kept in step)."""
    import csv

    from enrollment.payments import Checked

    checked = Checked()
    writer = csv.writer(checked.to_write)
    for month in months:
        writer.writerow([registration.pk, month.isoformat(), amount, 16_800, month.isoformat()])
    save_checked(checked, upload=None)


def village_row(campaign, world) -> CampaignVillage:
    return CampaignVillage.objects.get(campaign=campaign, village=world.socorejo)


def test_every_campaign_shows_registered_and_paying_members(world, due):
    campaign = campaign_of(world)
    paying, stopped = member(world), member(world)
    pay(paying, add_months(due, -1), due)
    pay(stopped, add_months(due, -1))
    campaign.refresh_from_db()
    totals = progress.numbers(campaign).totals
    assert (totals.registered, totals.paying, totals.counted) == (2, 1, 2)
    assert village_row(campaign, world).paying == 1


def test_a_campaign_counting_paying_members_counts_only_those_who_paid_the_last_month(world, due):
    campaign = campaign_of(world, counts=Campaign.Counts.PAYING)
    paying, partial = member(world), member(world)
    member(world)  # registered, never paid
    pay(paying, due)
    pay(partial, due, amount=10_000)  # a partial payment does not count
    campaign.refresh_from_db()
    totals = progress.numbers(campaign).totals
    assert (totals.counted, totals.registered, totals.paying) == (1, 3, 1)
    assert village_row(campaign, world).counted == 1


def test_retention_of_a_village_is_the_share_who_paid_the_month_after_the_village_stopped(
    world, due
):
    """Three members whose Dana Desa months ended two months ago: one paid the month after,
    one paid later (not the month after), one never; a fourth is still village-funded."""
    campaign = campaign_of(world)
    ended_on = add_months(due, -1) - datetime.timedelta(days=1)  # the end of the month before
    kept, late, gone, funded = (member(world, months_ago=8) for _ in range(4))
    for registration in (kept, late, gone):
        FundedPeriod.objects.create(
            registration=registration, funding_source="dana_desa",
            starts_on=add_months(ended_on, -6), ends_on=ended_on,
        )  # fmt: skip
    FundedPeriod.objects.create(
        registration=funded, funding_source="dana_desa", starts_on=add_months(due, -2),
        ends_on=add_months(due, 4),
    )  # fmt: skip
    pay(kept, add_months(due, -1))
    pay(late, due)
    campaign.refresh_from_db()
    row = village_row(campaign, world)
    assert (row.retention_base, row.retained) == (3, 1)
    totals = progress.numbers(campaign).totals
    assert totals.retention_percent == 33


def test_the_kept_numbers_match_a_full_recount(world, due):
    campaign = campaign_of(world)
    for registration in (member(world), member(world)):
        pay(registration, due)
    assert tally.reconcile([campaign]) == []


def test_the_dashboard_shows_both_counts_without_counting_payments(
    client, world, branch_staff, due
):
    campaign = campaign_of(world)
    pay(member(world), due)
    client.force_login(branch_staff)
    client.get(campaign.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        response = client.get(campaign.get_absolute_url())
    assert len(queries) <= 10
    assert not [q for q in queries if "enrollment_payment" in q["sql"]]
    assert 'data-testid="paying"' in response.text


def test_store_months_paid_reads_only_full_payments(world, due):
    registration = member(world)
    Payment.objects.create(
        registration=registration, month=due, amount=1, premium_due=16_800, paid_on=due
    )
    store_months_paid(Registration.objects.filter(pk=registration.pk))
    registration.refresh_from_db()
    assert registration.last_paid_month is None
