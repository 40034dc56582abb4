"""Progress arithmetic, the one place for it: a count's share of its target, its percentage,
what remains, and the competition rank. Every page, export and score reads these; the
database's forms of them (progress.ranked's target_share, the rank subqueries of
progress.ranks and village_progress) follow the same rules."""

from __future__ import annotations

from collections.abc import Iterable


def share(counted: int, target: int | None) -> float:
    """counted / target capped at 1 (a village over its target has reached it, no more);
    0 when the target is unknown or zero."""
    return min(counted / target, 1.0) if target else 0.0


def percent(counted: int, target: int | None) -> int:
    """counted / target in whole percent, rounded down (a campaign's total: "28%" until it is
    29); 0 without a target. Not capped: 150 over the target."""
    return counted * 100 // target if target else 0


def percent_or_none(part: int, whole: int) -> int | None:
    """percent(), but None when there is no whole to take a part of (a retention nobody could
    show yet)."""
    return percent(part, whole) if whole else None


def rounded_percent(counted: int, target: int | None) -> int:
    """counted / target in whole percent, rounded, but never to 100 below the target (a
    progress bar's text); 0 without a target."""
    if not target:
        return 0
    rounded = round(counted / target * 100)
    return 99 if rounded == 100 and counted < target else rounded


def share_percent(counted: int, target: int | None) -> int:
    """The share in whole percent, rounded as rounded_percent(): 0 to 100 (a table's
    progress cell)."""
    return rounded_percent(min(counted, target or 0), target)


def remaining(counted: int, target: int) -> int:
    """How many the target still lacks (0 once reached)."""
    return max(target - counted, 0)


def competition_ranks(scores: Iterable[tuple[str, float]]) -> dict[str, int]:
    """Competition ranking ("1, 2, 2, 4") of (village_id, score) pairs sorted best first: a
    village's rank is 1 + the number of villages scoring higher."""
    result, previous_score, rank = {}, None, 0
    for position, (village_id, score) in enumerate(scores, start=1):
        if score != previous_score:
            rank, previous_score = position, score
        result[village_id] = rank
    return result
