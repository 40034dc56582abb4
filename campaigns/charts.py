"""A weekly bar chart as plain SVG geometry, drawn on the server (no JavaScript, no CDN)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 200, 36, 24, 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    week: datetime.date
    count: int


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    day: datetime.date


@dataclass(frozen=True)
class WeeklyChart:
    width: int
    height: int
    bars: list[Bar]
    markers: list[Marker]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    baseline: float

    @property
    def empty(self) -> bool:
        return not any(bar.count for bar in self.bars)


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def weekly_chart(
    counts: dict[datetime.date, int],
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    events: list[tuple[datetime.date, str]] = (),
) -> WeeklyChart:
    """Bars for every week of the period (empty weeks included) and a marker per event."""
    first, last = _monday(starts_on), _monday(ends_on)
    weeks = [first + datetime.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    plot_width, plot_height = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_width / len(weeks)
    top = max([counts.get(week, 0) for week in weeks] + [1])
    baseline = TOP + plot_height
    bars = []
    for index, week in enumerate(weeks):
        count = counts.get(week, 0)
        height = plot_height * count / top
        bars.append(
            Bar(
                x=round(LEFT + index * step + step * 0.1, 1),
                y=round(baseline - height, 1),
                width=round(max(step * 0.8, 1), 1),
                height=round(height, 1),
                week=week,
                count=count,
            )
        )
    markers = [
        Marker(
            x=round(LEFT + ((_monday(day) - first).days / 7 + 0.5) * step, 1), label=label, day=day
        )
        for day, label in events
        if first <= _monday(day) <= last
    ]
    y_ticks = [
        (round(baseline - plot_height * fraction, 1), round(top * fraction))
        for fraction in (0, 0.5, 1)
    ]
    label_every = max(1, len(weeks) // 6)
    x_labels = [
        (round(LEFT + index * step, 1), week.strftime("%d-%m-%y"))
        for index, week in enumerate(weeks)
        if index % label_every == 0
    ]
    return WeeklyChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        markers=markers,
        y_ticks=y_ticks,
        x_labels=x_labels,
        baseline=baseline,
    )
