"""Crowding now: whether a venue has more people arriving than it usually has at this weekday
and hour, or than its declared capacity allows. Pure: counts in, reasons out.

A venue's *usual* for a moment is what it had in the same 60 minutes one, two, … weeks earlier
(the same weekday and hour, local time). The hourly rollup holds whole UTC hours, so a window
ending 20 minutes into an hour is 40 minutes of the hour before and 20 of this one: each past
week's figure is that share of each hour's count (check-ins taken as spread evenly through an
hour). Only weeks when the venue was open count (a day with a check-in there): a venue closed
that day, or not yet registered, says nothing about its usual level. The usual is the median
of those weekly figures and its spread their median absolute deviation: one odd week (a holiday,
an earlier crowd) moves neither.

Why each threshold (settings ``crowding.*``):
- ``factor``: crowding is relative, so a busy market and a small clinic are judged each by its
  own level: the last hour must be at least ``factor`` times the usual;
- ``margin``: a few people more at a small venue are no crowd (3 where 1 is usual is three
  times as many): the excess must also be at least ``margin`` check-ins;
- ``spread_multiple``: a venue whose level swings from week to week (a market on delivery
  days) is unusual only well outside its swing: the excess must also be at least that many
  times the spread;
- ``min_weeks``: one or no week cannot say what is usual (a new venue, a venue closed for
  weeks): fewer open weeks than this give no usual, and only the capacity test applies;
- ``capacity_share``: a declared capacity is the most people a venue should hold at once; the
  alert comes before it is reached, so staff can act. What is compared is arrivals, not people
  inside (check-outs are rare): at a venue where a visit lasts an hour or more, everyone who
  arrived in the last hour is still there, so the count is the fewest people inside; where
  visits are short it overstates them. The last 15 minutes' arrivals times four (the same pace
  for an hour) catch a crowd that has just begun, which the hour's count shows only later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

HOUR_S = 3600
WEEK_S = 7 * 86_400
QUARTERS_PER_HOUR = 4

# The reasons an alert gives, in this order (labels crowding.reason.<code>).
ABOVE_USUAL = "above_usual"
CAPACITY_HOUR = "capacity_hour"
CAPACITY_PACE = "capacity_pace"
REASONS = (ABOVE_USUAL, CAPACITY_HOUR, CAPACITY_PACE)


@dataclass(frozen=True)
class Thresholds:
    """The settings crowding.* (config.settings.CrowdingRules), as the rule reads them."""

    factor: float = 2.0
    margin: int = 20
    spread_multiple: float = 3.0
    capacity_share: float = 0.8
    min_weeks: int = 2


@dataclass(frozen=True)
class Usual:
    """A venue's usual check-ins in the same 60 minutes of past weeks."""

    level: float  # the median of the weekly figures
    spread: float  # their median absolute deviation
    weeks: int  # how many weeks (the venue open) it was made from


@dataclass(frozen=True)
class PastWeek:
    """One past week's counts in the two hours that its 60 minutes touch: the hour before and
    the hour the window ends in (of its last second); open: the venue had a check-in that day."""

    hour_before: int
    hour_of_end: int
    open: bool


def seconds_in_last_hour(now_s: int) -> int:
    """How many of the 3,600 seconds before now (epoch seconds) lie in the hour the window ends
    in, the hour of its last second; the rest lie in the hour before. 20 minutes into an hour:
    1,200; on the hour: 3,600 (the window is that whole hour)."""
    return (now_s - 1) % HOUR_S + 1


def week_figure(hour_before: int, hour_of_end: int, seconds: int) -> float:
    """A past week's check-ins in the same 60 minutes, from its two hours' counts: the share of
    each hour that the window covers (seconds of it in the hour it ends in)."""
    return (hour_before * (HOUR_S - seconds) + hour_of_end * seconds) / HOUR_S


def usual(weeks: Sequence[PastWeek], seconds: int, min_weeks: int) -> Usual | None:
    """The usual level from the past weeks when the venue was open, or None with fewer than
    min_weeks of them."""
    figures = [week_figure(w.hour_before, w.hour_of_end, seconds) for w in weeks if w.open]
    if not figures or len(figures) < min_weeks:
        return None
    level = median(figures)
    return Usual(level, median(abs(f - level) for f in figures), len(figures))


def least_alerting_count(thresholds: Thresholds) -> int:
    """The fewest check-ins in the last hour with which a venue without a declared capacity can
    be crowded (the margin above a usual of at least 0): a query may skip venues below it."""
    return thresholds.margin


def crowding_reasons(
    last_15: int,
    last_60: int,
    level: Usual | None,
    capacity: int | None,
    thresholds: Thresholds,
) -> tuple[str, ...]:
    """Why the venue is crowded now (codes of REASONS, in that order); empty when it is not.

    above_usual: last_60 >= factor x usual, and last_60 - usual >= margin and >= spread_multiple
    x spread. capacity_hour: last_60 >= capacity_share x capacity. capacity_pace: 4 x last_15 >=
    capacity_share x capacity. Every comparison is "at least"."""
    reasons: list[str] = []
    if level is not None:
        excess = last_60 - level.level
        if (
            last_60 >= thresholds.factor * level.level
            and excess >= thresholds.margin
            and excess >= thresholds.spread_multiple * level.spread
        ):
            reasons.append(ABOVE_USUAL)
    if capacity is not None:
        limit = thresholds.capacity_share * capacity
        if last_60 >= limit:
            reasons.append(CAPACITY_HOUR)
        if QUARTERS_PER_HOUR * last_15 >= limit:
            reasons.append(CAPACITY_PACE)
    return tuple(reasons)
