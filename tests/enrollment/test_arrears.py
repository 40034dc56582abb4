"""What the payments say of a member: paid up, in arrears, lapsed; the rules as pure functions."""

import datetime

from enrollment.arrears import PaymentState, latest_month_due, month_strip, payment_state

D = datetime.date
TODAY = D(2026, 6, 10)  # May is the latest month that has ended


def test_the_latest_month_due_is_the_last_month_that_has_ended():
    assert latest_month_due(TODAY) == D(2026, 5, 1)
    assert latest_month_due(D(2026, 1, 31)) == D(2025, 12, 1)


def test_a_member_who_paid_last_month_is_paid_up():
    assert payment_state(D(2026, 5, 1), TODAY, 3) == PaymentState.PAID_UP
    assert payment_state(D(2026, 6, 1), TODAY, 3) == PaymentState.PAID_UP  # paid ahead


def test_a_member_who_missed_a_month_is_in_arrears():
    assert payment_state(D(2026, 4, 1), TODAY, 3) == PaymentState.ARREARS
    assert payment_state(D(2026, 3, 1), TODAY, 3) == PaymentState.ARREARS


def test_a_member_three_months_unpaid_has_lapsed_by_the_rule():
    assert payment_state(D(2026, 2, 1), TODAY, 3) == PaymentState.LAPSED
    assert payment_state(D(2026, 2, 1), TODAY, 4) == PaymentState.ARREARS  # another rule


def test_a_member_with_no_payment_is_never_paid():
    assert payment_state(None, TODAY, 3) == PaymentState.NEVER_PAID


def test_the_strip_reads_paid_partial_refunded_missed_and_this_month_due():
    payments = {
        D(2026, 1, 1): (16_800, 16_800),
        D(2026, 2, 1): (10_000, 16_800),
        D(2026, 3, 1): (0, 16_800),
        D(2026, 5, 1): (20_000, 16_800),
    }
    strip = month_strip(payments, start=D(2026, 1, 1), today=TODAY)
    assert [(cell.label, cell.state) for cell in strip] == [
        ("01/26", "paid"),
        ("02/26", "partial"),
        ("03/26", "refunded"),
        ("04/26", "missed"),
        ("05/26", "paid"),
        ("06/26", "due"),
    ]


def test_the_strip_shows_at_most_twelve_months():
    strip = month_strip({}, start=D(2020, 1, 1), today=TODAY)
    assert len(strip) == 12
    assert strip[0].month == D(2025, 7, 1)
