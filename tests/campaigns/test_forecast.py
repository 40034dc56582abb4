import datetime

from campaigns.forecast import forecast

TODAY = datetime.date(2026, 11, 23)  # a Monday
MONDAY = TODAY - datetime.timedelta(days=TODAY.weekday())


def weeks_before(*counts):
    """{Monday: count} for the weeks before this one, most recent first."""
    return {MONDAY - datetime.timedelta(weeks=n): c for n, c in enumerate(counts, start=1)}


def test_ahead_of_pace_reaches_the_target_before_the_end():
    """20 a week with 100 to go: five weeks, well before the end of the year."""
    result = forecast(
        weekly_counts=weeks_before(20, 20, 20, 20),
        counted=200,
        target=300,
        today=TODAY,
        ends_on=datetime.date(2026, 12, 31),
    )
    assert result.weekly_pace == 20
    assert result.reached_on == TODAY + datetime.timedelta(days=35)
    assert result.on_time


def test_behind_pace_warns_the_target_comes_after_the_end():
    """5 a week with 100 to go: 20 weeks, after the end of the campaign."""
    result = forecast(
        weekly_counts=weeks_before(5, 5, 5, 5),
        counted=200,
        target=300,
        today=TODAY,
        ends_on=datetime.date(2026, 12, 31),
    )
    assert result.reached_on == TODAY + datetime.timedelta(days=140)
    assert not result.on_time


def test_only_the_last_four_full_weeks_count():
    """Older weeks and the current, unfinished week do not set the pace."""
    counts = {**weeks_before(4, 4, 4, 4, 100, 100), MONDAY: 50}
    result = forecast(
        weekly_counts=counts, counted=0, target=8, today=TODAY, ends_on=datetime.date(2026, 12, 31)
    )
    assert result.weekly_pace == 4
    assert result.reached_on == TODAY + datetime.timedelta(days=14)


def test_no_registrations_at_all_never_reaches_the_target():
    """Without a single registration there is no date, and a warning."""
    result = forecast(
        weekly_counts={}, counted=0, target=100, today=TODAY, ends_on=datetime.date(2026, 12, 31)
    )
    assert result.reached_on is None
    assert not result.on_time
    assert result.remaining == 100


def test_a_reached_target_needs_no_forecast():
    """At or above the target the campaign is done, on time."""
    result = forecast(
        weekly_counts={}, counted=120, target=100, today=TODAY, ends_on=datetime.date(2026, 12, 31)
    )
    assert result.reached and result.on_time and result.remaining == 0
