"""The rules README's "Where the rules live" names, each read from its one place."""

from campaigns.models import Campaign
from enrollment.models import Registration

Status = Registration.Status


def test_members_are_the_verified_and_the_active():
    assert Status.members() == [Status.VERIFIED, Status.ACTIVE]
    assert not set(Status.members()) & set(Status.returned())


def test_a_campaign_counts_members_or_every_registration_not_returned():
    for counts in (Campaign.Counts.VERIFIED, Campaign.Counts.PAYING):
        assert Campaign(counts=counts).counted_statuses() == Status.members()
    registered = Campaign(counts=Campaign.Counts.SUBMITTED).counted_statuses()
    assert sorted(registered) == sorted(set(Status.values) - set(Status.returned()))
