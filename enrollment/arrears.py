"""What a member's payments say: paid up, in arrears (a month missed), lapsed (the lapse rule's
months unpaid in a row), or never paid; and the months as a strip to read at a glance.

A month counts once it has ended: in March, February is the latest month due. A month is paid
when the whole premium due came in (a partial payment or a refund leaves it unpaid). Pure
functions, no database: the lapse rule's months come in as a number.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .commission import add_months, month_start


class PaymentState(models.TextChoices):
    PAID_UP = "paid_up", _("Paid up")
    ARREARS = "arrears", _("In arrears")
    LAPSED = "lapsed", _("Lapsed")
    NEVER_PAID = "never_paid", _("No payment recorded")


def latest_month_due(today: datetime.date) -> datetime.date:
    """The latest month that has ended: the one a payment must have come in for by now."""
    return add_months(month_start(today), -1)


def months_missed(last_paid_month: datetime.date | None, today: datetime.date) -> int:
    """Months due since the last month paid in full (0 when paid up)."""
    due = latest_month_due(today)
    if last_paid_month is None:
        return 0
    return max(0, (due.year - last_paid_month.year) * 12 + due.month - last_paid_month.month)


def payment_state(
    last_paid_month: datetime.date | None, today: datetime.date, months_unpaid: int
) -> PaymentState:
    if last_paid_month is None:
        return PaymentState.NEVER_PAID
    missed = months_missed(last_paid_month, today)
    if missed == 0:
        return PaymentState.PAID_UP
    return PaymentState.LAPSED if missed >= months_unpaid else PaymentState.ARREARS


def state_bounds(today: datetime.date, months_unpaid: int) -> tuple[datetime.date, datetime.date]:
    """(paid up from, lapsed before): a last month paid on or after the first is paid up, one
    before the second is lapsed, one in between is in arrears."""
    due = latest_month_due(today)
    return due, add_months(due, 1 - months_unpaid)


@dataclass(frozen=True)
class MonthCell:
    month: datetime.date
    state: str  # "paid", "partial", "missed", "refunded", "due" (this month, not ended yet)

    @property
    def label(self) -> str:
        return f"{self.month:%m/%y}"


def month_strip(
    payments: Mapping[datetime.date, tuple[int, int]],
    *,
    start: datetime.date,
    today: datetime.date,
    months: int = 12,
) -> list[MonthCell]:
    """The last `months` months up to this one (none before `start`), each paid, partial,
    refunded, missed or still due. `payments` maps a month to (amount, premium due)."""
    this_month = month_start(today)
    first = max(month_start(start), add_months(this_month, 1 - months))
    cells = []
    month = first
    while month <= this_month:
        amount, due = payments.get(month, (None, None))
        if amount is None:
            state = "due" if month == this_month else "missed"
        elif amount == 0:
            state = "refunded"
        elif amount >= due:
            state = "paid"
        else:
            state = "partial"
        cells.append(MonthCell(month, state))
        month = add_months(month, 1)
    return cells
