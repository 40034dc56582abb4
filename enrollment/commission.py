"""Perisai agents' pay: a share of the premiums they collect plus a monthly bonus for enough new
members, of which their organization keeps a part; and the calendar months it is counted by.

The rule's numbers are data (a CommissionRule row), passed in as CommissionTerms: this module
knows how to apply them, never what they are. Pure functions, no database.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class CommissionTerms:
    """How an agent is paid; percentages as in "7.5" for 7.5 %."""

    premium_share_percent: Decimal
    monthly_bonus: int
    bonus_threshold: int
    organization_share_percent: Decimal

    @classmethod
    def from_rule(cls, rule) -> "CommissionTerms":
        """Read the terms off a CommissionRule (or anything with the same attributes)."""
        return cls(
            premium_share_percent=Decimal(rule.premium_share_percent),
            monthly_bonus=rule.monthly_bonus,
            bonus_threshold=rule.bonus_threshold,
            organization_share_percent=Decimal(rule.organization_share_percent),
        )


@dataclass(frozen=True)
class Commission:
    """One month's pay in whole Rupiah: gross = bonus + premium_share = organization_cut + net."""

    bonus: int
    premium_share: int
    gross: int
    organization_cut: int
    net: int


@dataclass(frozen=True)
class AgentMonth:
    """An agent's month: new members (those who paid for the first time that month), what the
    agent's members actually paid that month, and the pay they earn."""

    month: datetime.date  # the first day of the month
    recruits: int
    premiums_collected: int
    commission: Commission | None  # None when no rule was in force


def compute_commission(
    *, recruits: int, premiums_collected: int, terms: CommissionTerms
) -> Commission:
    """Compute a month's pay: the premium share, plus the bonus when the agent brought at least
    `bonus_threshold` new members; the organization's cut is taken from the sum. Amounts are
    rounded half up to whole Rupiah, the cut once, so cut and net always add up to the gross.
    """
    if recruits < 0 or premiums_collected < 0:
        raise ValueError("Recruits and premiums collected cannot be negative.")
    bonus = terms.monthly_bonus if recruits >= terms.bonus_threshold else 0
    premium_share = _percent_of(premiums_collected, terms.premium_share_percent)
    gross = bonus + premium_share
    organization_cut = _percent_of(gross, terms.organization_share_percent)
    return Commission(
        bonus=bonus,
        premium_share=premium_share,
        gross=gross,
        organization_cut=organization_cut,
        net=gross - organization_cut,
    )


def agent_months(
    *,
    months: list[datetime.date],
    per_month: Mapping[datetime.date, tuple[int, int]],
    terms_by_month: Mapping[datetime.date, CommissionTerms | None],
) -> list[AgentMonth]:
    """Turn an agent's totals per month into pay per month.

    `per_month` maps a month's first day to (new members whose first payment came in that
    month, what the agent's members actually paid that month): only payments count, so a
    member who stops paying stops earning the agent anything.
    """
    result = []
    for month in sorted(months):
        recruits, paid = per_month.get(month, (0, 0))
        terms = terms_by_month.get(month)
        commission = (
            compute_commission(recruits=recruits, premiums_collected=paid, terms=terms)
            if terms is not None
            else None
        )
        result.append(AgentMonth(month, recruits, paid, commission))
    return result


def dropped_on(
    *, joined_on: datetime.date, last_activity: datetime.date | None, inactive_months: int
) -> datetime.date:
    """The day an agent is dropped: `inactive_months` after joining (or rejoining) or after the
    latest new member or premium, whichever is later."""
    start = max(joined_on, last_activity) if last_activity else joined_on
    return add_months(start, inactive_months)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the month's last day: 31 Mar - 1 → 28 Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month_start = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month_start - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month_start(month), 1) - datetime.timedelta(days=1)


def last_months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` calendar months up to and including today's, oldest first."""
    this_month = month_start(today)
    return [add_months(this_month, offset) for offset in range(1 - count, 1)]


def _percent_of(amount: int, percent: Decimal) -> int:
    exact = Decimal(amount) * Decimal(percent) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
