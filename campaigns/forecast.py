"""When will a campaign reach its target at its recent pace? Pure, no database."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from portal import progress_math

PACE_WEEKS = 4


@dataclass(frozen=True)
class Forecast:
    weekly_pace: float  # registrations per week over the last PACE_WEEKS weeks
    remaining: int
    reached_on: datetime.date | None  # None: never at this pace
    on_time: bool  # reached (or to be reached) by the campaign's end

    @property
    def reached(self) -> bool:
        return self.remaining <= 0


def forecast(
    *,
    weekly_counts: dict[datetime.date, int],
    counted: int,
    target: int,
    today: datetime.date,
    ends_on: datetime.date,
) -> Forecast:
    """Extrapolate the last four full weeks' pace (the weeks before the one containing today)
    from today to the target. `weekly_counts` maps each week's Monday to its registrations."""
    remaining = progress_math.remaining(counted, target)
    this_monday = today - datetime.timedelta(days=today.weekday())
    recent = [this_monday - datetime.timedelta(weeks=n) for n in range(1, PACE_WEEKS + 1)]
    pace = sum(weekly_counts.get(monday, 0) for monday in recent) / PACE_WEEKS
    if remaining == 0:
        return Forecast(weekly_pace=pace, remaining=0, reached_on=today, on_time=True)
    if pace <= 0:
        return Forecast(weekly_pace=0.0, remaining=remaining, reached_on=None, on_time=False)
    reached_on = today + datetime.timedelta(days=math.ceil(remaining / pace * 7))
    return Forecast(
        weekly_pace=pace, remaining=remaining, reached_on=reached_on, on_time=reached_on <= ends_on
    )
