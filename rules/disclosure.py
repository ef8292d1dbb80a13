"""Small-count suppression: a count of a few people can identify them. Pure.

The command centre (its wall screens sign in as it) and leadership see no personal data, so
every figure they see — tiles, tables, charts, maps, the daily report — shows a count from 1 to
threshold - 1 as "<threshold". Figures derived from a suppressed count would give it away, so:
a change between two counts is hidden when either count is suppressed, and a rate is hidden when
its numerator is (1 at-risk of 3 declarations is 33 %). Other roles see exact counts.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

SUPPRESSED_ROLES = frozenset({"command_centre", "leadership"})
HIDDEN = "—"  # a figure withheld because it would reveal a suppressed count
# The figures of an area (queries.kpis.area_table): which are counts, and each rate's numerator.
AREA_COUNTS = ("declarations", "at_risk", "cases", "active_units")
AREA_RATES = {"risk_rate": "at_risk"}


def suppresses_small_counts(role: str | None) -> bool:
    """Whether this role sees small counts as "<threshold". Nobody signed in: suppressed."""
    return role is None or role in SUPPRESSED_ROLES


def threshold_for(role: str | None, setting: int) -> int:
    """The threshold that applies to a role: the setting (small_count_threshold) for the roles
    that get suppressed counts, 1 for the others (no count is below 1, so nothing is hidden and
    every function here shows exact figures)."""
    return setting if suppresses_small_counts(role) else 1


def is_small(count: float, threshold: int = 5) -> bool:
    """1..threshold-1 is small; zero is not (it identifies nobody)."""
    return 0 < count < threshold


def shown_count(count: int, threshold: int = 5) -> str:
    """0 -> '0'; 1..threshold-1 -> '<threshold'; otherwise the count with thousands separators."""
    if count <= 0:
        return "0"
    if count < threshold:
        return f"<{threshold}"
    return f"{count:,}"


def shown_rate(numerator: int, rate: float, threshold: int = 5, fmt: str = "{:.1%}") -> str:
    """The rate formatted, or HIDDEN when its numerator is small."""
    if is_small(numerator, threshold):
        return HIDDEN
    return fmt.format(rate)


def drawable(values: pd.Series, threshold: int = 5) -> pd.Series:
    """Values for a chart's bars or points: a small count becomes missing (not drawn), since
    its height would show it exactly."""
    return values.astype(float).where(~values.map(lambda value: is_small(value, threshold)))


def without_small(frame: pd.DataFrame, column: str, threshold: int = 5) -> pd.DataFrame:
    """The rows whose count in column is not small (a density layer's venues, for instance)."""
    return frame[~frame[column].map(lambda value: is_small(float(value), threshold))]


def hidden_on_map(
    frame: pd.DataFrame,
    metric: str,
    rates: Mapping[str, str] | None = None,
    threshold: int = 5,
) -> pd.Series:
    """Per row, whether the map must not colour the area by its figure for metric: the count
    is small, or for a rate its numerator is. Such areas are drawn in one "<threshold" class."""
    column = (rates or {}).get(metric, metric)
    return frame[column].map(lambda value: is_small(float(value), threshold)).astype(bool)
