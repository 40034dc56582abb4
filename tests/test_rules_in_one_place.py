"""The rules README's "Where the rules live" names, each read from its one place."""

from types import SimpleNamespace

from campaigns.models import Campaign
from campaigns.templatetags.progress_cells import progress_cell
from enrollment.models import Registration
from portal import progress_math

Status = Registration.Status


def test_members_are_the_verified_and_the_active():
    assert Status.members() == [Status.VERIFIED, Status.ACTIVE]
    assert not set(Status.members()) & set(Status.returned())


def test_a_campaign_counts_members_or_every_registration_not_returned():
    for counts in (Campaign.Counts.VERIFIED, Campaign.Counts.PAYING):
        assert Campaign(counts=counts).counted_statuses() == Status.members()
    registered = Campaign(counts=Campaign.Counts.SUBMITTED).counted_statuses()
    assert sorted(registered) == sorted(set(Status.values) - set(Status.returned()))


def test_a_share_is_capped_at_the_whole_target():
    assert progress_math.share(150, 100) == 1.0
    assert progress_math.share(5, 0) == progress_math.share(5, None) == 0.0


def test_a_total_percent_is_rounded_down_and_a_bar_rounded_but_never_to_100_below_target():
    assert progress_math.percent(4, 14) == 28  # 28.6
    assert progress_math.rounded_percent(4, 14) == 29
    assert progress_math.rounded_percent(2999, 3000) == 99
    assert progress_math.percent(150, 100) == progress_math.rounded_percent(150, 100) == 150
    assert progress_math.percent_or_none(1, 3) == 33
    assert progress_math.percent_or_none(0, 0) is None


def test_a_progress_cell_never_shows_100_below_the_target():
    """The table's cell rounded the share itself (199 of 200 showed "100%"); it now follows the
    bar's promise (progress_math.rounded_percent), capped at 100 over the target."""
    assert progress_math.share_percent(199, 200) == 99
    assert progress_math.share_percent(200, 200) == 100
    assert progress_math.share_percent(300, 200) == 100
    assert progress_math.share_percent(1, 0) == 0
    row = SimpleNamespace(counted=199, target=200)
    assert ">99%<" in progress_cell(row)


def test_remaining_is_never_negative():
    assert progress_math.remaining(90, 100) == 10
    assert progress_math.remaining(120, 100) == 0


def test_ties_share_a_rank():
    pairs = [("a", 90.0), ("b", 80.0), ("c", 80.0), ("d", 70.0)]
    assert progress_math.competition_ranks(pairs) == {"a": 1, "b": 2, "c": 2, "d": 4}
