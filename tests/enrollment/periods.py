"""What a registration's stored latest funded period must be, worked out independently."""

from enrollment.models import FundedPeriod, Registration


def latest_periods() -> dict[int, tuple]:
    """{registration id: (end, payer)} of each registration's latest funded period, worked out
    in Python from the periods themselves (latest end, then latest start, then latest added)."""
    latest = {}
    for period in FundedPeriod.objects.all():
        key = (period.ends_on, period.starts_on, period.pk)
        if period.registration_id not in latest or key > latest[period.registration_id][0]:
            latest[period.registration_id] = (key, period.funding_source)
    return {pk: (key[0], source) for pk, (key, source) in latest.items()}


def assert_paid_until_stored():
    """Every registration stores its latest funded period, or nothing without one."""
    latest = latest_periods()
    stored = {
        pk: (until, by)
        for pk, until, by in Registration.objects.values_list("pk", "paid_until", "paid_by")
    }
    assert stored == {pk: latest.get(pk, (None, "")) for pk in stored}
