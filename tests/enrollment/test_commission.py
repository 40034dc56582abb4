import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from enrollment.commission import (
    AgentMonth,
    Commission,
    CommissionTerms,
    add_months,
    agent_months,
    compute_commission,
    dropped_on,
    last_months,
    month_end,
)

# The Perisai rule since 2018 (domain.md), as the database holds it.
PERISAI = CommissionTerms(
    premium_share_percent=Decimal("7.50"),
    monthly_bonus=500_000,
    bonus_threshold=50,
    organization_share_percent=Decimal("10.00"),
)


def test_49_new_members_earn_only_the_premium_share():
    """One member short of the threshold: 7.5 % of Rp823.200 collected, no bonus, 10 % kept
    by the organization."""
    commission = compute_commission(recruits=49, premiums_collected=823_200, terms=PERISAI)
    assert commission == Commission(
        bonus=0, premium_share=61_740, gross=61_740, organization_cut=6_174, net=55_566
    )


def test_50_new_members_add_the_monthly_bonus():
    """At the threshold the Rp500.000 bonus is added before the organization's 10 %."""
    commission = compute_commission(recruits=50, premiums_collected=840_000, terms=PERISAI)
    assert commission == Commission(
        bonus=500_000, premium_share=63_000, gross=563_000, organization_cut=56_300, net=506_700
    )


def test_a_month_with_nothing_pays_nothing():
    """No members, no premiums: every amount is zero."""
    assert compute_commission(recruits=0, premiums_collected=0, terms=PERISAI) == Commission(
        bonus=0, premium_share=0, gross=0, organization_cut=0, net=0
    )


def test_amounts_round_half_up_to_whole_rupiah():
    """7.5 % of Rp60 is Rp4,5: rounded up to Rp5 (not to the even Rp4); 10 % of that is Rp0,5,
    rounded up to Rp1, and the net is what is left."""
    commission = compute_commission(recruits=1, premiums_collected=60, terms=PERISAI)
    assert commission == Commission(bonus=0, premium_share=5, gross=5, organization_cut=1, net=4)


def test_a_new_rule_changes_the_pay_without_code():
    """The terms are data: 5 % share, Rp1.000.000 from 30 members, nothing kept."""
    terms = CommissionTerms(
        premium_share_percent=Decimal("5"),
        monthly_bonus=1_000_000,
        bonus_threshold=30,
        organization_share_percent=Decimal("0"),
    )
    commission = compute_commission(recruits=30, premiums_collected=1_000_000, terms=terms)
    assert commission == Commission(
        bonus=1_000_000, premium_share=50_000, gross=1_050_000, organization_cut=0, net=1_050_000
    )


@pytest.mark.parametrize(("recruits", "premiums"), [(-1, 0), (0, -16_800)])
def test_negative_inputs_are_refused(recruits, premiums):
    """A negative count or amount is a bug upstream, not something to pay on."""
    with pytest.raises(ValueError, match="cannot be negative"):
        compute_commission(recruits=recruits, premiums_collected=premiums, terms=PERISAI)


def test_terms_are_read_off_a_rule():
    """from_rule takes the four numbers of a CommissionRule-like object."""
    rule = SimpleNamespace(
        premium_share_percent=Decimal("7.50"),
        monthly_bonus=500_000,
        bonus_threshold=50,
        organization_share_percent=Decimal("10.00"),
        inactive_after_months=3,
    )
    assert CommissionTerms.from_rule(rule) == PERISAI


def test_agent_months_count_only_what_was_paid_each_month():
    """October: nobody paid, nothing earned (registrations alone earn nothing). November: 50
    new members paid for the first time, Rp873.600 came in."""
    october, november = datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)
    per_month = {
        datetime.date(2026, 9, 1): (2, 33_600),
        november: (50, 873_600),
    }
    months = agent_months(
        months=[october, november],
        per_month=per_month,
        terms_by_month={october: PERISAI, november: PERISAI},
    )
    assert months == [
        AgentMonth(
            october,
            0,
            0,
            Commission(bonus=0, premium_share=0, gross=0, organization_cut=0, net=0),
        ),
        AgentMonth(
            november,
            50,
            873_600,
            Commission(
                bonus=500_000,
                premium_share=65_520,
                gross=565_520,
                organization_cut=56_552,
                net=508_968,
            ),
        ),
    ]


def test_an_agent_is_dropped_three_months_after_the_latest_new_member_or_premium():
    joined = datetime.date(2026, 1, 15)
    assert dropped_on(joined_on=joined, last_activity=None, inactive_months=3) == datetime.date(
        2026, 4, 15
    )
    assert dropped_on(
        joined_on=joined, last_activity=datetime.date(2026, 5, 31), inactive_months=3
    ) == datetime.date(2026, 8, 31)
    # Rejoining starts the count again.
    assert dropped_on(
        joined_on=datetime.date(2026, 9, 1),
        last_activity=datetime.date(2026, 5, 31),
        inactive_months=3,
    ) == datetime.date(2026, 12, 1)


def test_agent_months_without_a_rule_have_no_commission():
    """A month no rule covers still counts members and premiums, but has no pay."""
    month = datetime.date(2017, 12, 1)
    assert agent_months(months=[month], per_month={month: (3, 50_400)}, terms_by_month={}) == [
        AgentMonth(month, 3, 50_400, None)
    ]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 31), -1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 11, 23), -3, datetime.date(2026, 8, 23)),
        (datetime.date(2026, 11, 15), 2, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 1, 10), -12, datetime.date(2025, 1, 10)),
    ],
)
def test_add_months_keeps_the_day_within_the_month(day, months, expected):
    """Shifting by months keeps the day of the month, or the month's last day when shorter."""
    assert add_months(day, months) == expected


def test_last_months_cross_the_year_boundary():
    """The three months up to 10 Feb 2027 are December, January and February, oldest first."""
    assert last_months(datetime.date(2027, 2, 10), 3) == [
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


def test_month_end_of_february_in_a_leap_year():
    """The last day of February 2028 is the 29th."""
    assert month_end(datetime.date(2028, 2, 1)) == datetime.date(2028, 2, 29)
