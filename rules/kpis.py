"""How the KPIs are read, as plain rules: which day a report shows by default, which days are
still under way, what a change means, and where a count axis puts its ticks. Pure.

A day still under way is not comparable with whole days: at 05:03 it has a fifth of a day's
declarations, so a report that opens on it shows a fall that is only the clock. The default is
therefore the last full local day; a partial day is shown only when asked for, and then marked.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

# What a rise of each figure means. Declarations rise with movement as much as with
# compliance, traced contacts with the tracers' work and active units with coverage: none of
# them is good or bad news by itself, so they are drawn neutral. More at-risk declarations and
# more new cases are bad news, and fewer are good.
RISE_MEANING = {
    "declarations": "neutral",
    "at_risk": "bad",
    "new_cases": "bad",
    "contacts_traced": "neutral",
    "active_units": "neutral",
}
ROUND_STEPS = (1.0, 2.0, 2.5, 5.0)


def last_full_day(now_local: datetime) -> date:
    """The last local day that has ended: yesterday, whatever the hour."""
    return now_local.date() - timedelta(days=1)


def default_day(now_local: datetime, first: date, last: date) -> date:
    """The day a report opens on for the range [first, last]: its last full day, or the
    range's only day when that is today (then it is shown as partial)."""
    full = min(last, last_full_day(now_local))
    return full if full >= first else last


def is_partial(day: date, now_local: datetime) -> bool:
    """Whether the local day is still under way (or has not started)."""
    return day >= now_local.date()


def tone(now: float, before: float, rise: str = "neutral") -> str:
    """'good', 'bad' or 'neutral' for a change from before to now of a figure whose rise is
    `rise` ('good', 'bad' or 'neutral', see RISE_MEANING). No change is always neutral."""
    if now == before or rise == "neutral":
        return "neutral"
    rose = now > before
    return "bad" if rose == (rise == "bad") else "good"


def round_step(span: float, classes: int = 5, whole: bool = False) -> float:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) that covers span in
    `classes` steps; whole=True keeps it a whole number (counts never step by 2.5 or 0.5)."""
    if span <= 0:
        return 1.0
    rough = span / classes
    power = 10.0 ** math.floor(math.log10(rough))
    for scale in (power, power * 10):
        for base in ROUND_STEPS:
            step = base * scale
            if whole and (step < 1 or step != int(step)):
                continue
            if step * classes >= span * (1 - 1e-9):
                return step
    return 10 * power  # not reached: 10 x power always covers it


def count_axis_step(top: float, ticks: int = 5) -> int:
    """The tick step of an axis of counts up to top: a whole number, at least 1, so that a
    count axis never shows 0.286 or the same whole number twice."""
    return int(round_step(max(top, 1.0), ticks, whole=True))
