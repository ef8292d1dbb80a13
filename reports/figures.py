"""The KPI tiles as a reader sees them, shared by the overview page and the daily report:
counts, changes and rates in the reader's language (vi-VN: 6.272, +1.204, 0,88 %), small
counts withheld (rules.disclosure) and each change's tone (rules.kpis). No Streamlit, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from i18n.numbers import percent, whole_number
from queries.kpis import Kpis
from rules.disclosure import AREA_COUNTS, AREA_RATES, HIDDEN, is_small
from rules.kpis import RISE_MEANING, tone

RATE_DIGITS = 2  # risk rates are around 1 %: 0,88 % and 1,16 %, not 0,9 % and 1,2 %


def count(value: int, threshold: int = 1, language: str = "vi") -> str:
    """A count as shown: '6.272' (vi), or '<5' when it is a small count to withhold."""
    if is_small(value, threshold):
        return f"<{threshold}"
    return whole_number(max(value, 0), language)


def change(now: int, before: int, threshold: int = 1, language: str = "vi") -> str | None:
    """The signed change ('+1.204', '-35', '0'), or None when either count is small (the
    change and the other, exact count would give the small one away)."""
    if is_small(now, threshold) or is_small(before, threshold):
        return None
    difference = now - before
    if difference == 0:
        return "0"
    return ("+" if difference > 0 else "-") + whole_number(abs(difference), language)


def rate(numerator: int, value: float, threshold: int = 1, language: str = "vi") -> str:
    """A share as shown ('0,88 %'), or HIDDEN when its numerator is a small count."""
    if is_small(numerator, threshold):
        return HIDDEN
    return percent(value, RATE_DIGITS, language)


def average(value: float, days: int, threshold: int = 1, language: str = "vi") -> str:
    """A daily average, or '<n' when the total behind it is small."""
    if is_small(round(value * days), threshold):
        return f"<{threshold}"
    return whole_number(value, language)


@dataclass(frozen=True)
class Tile:
    key: str  # the figure: declarations, at_risk, new_cases, contacts_traced, active_units, units
    value: str
    change: str | None  # against the day before; None when withheld or not meaningful
    tone: str  # good, bad or neutral (rules.kpis.tone)


def tiles(kpis: Kpis, threshold: int = 1, language: str = "vi") -> list[Tile]:
    """The six tiles of a day, in the overview's order."""
    today, yesterday, n = kpis.today, kpis.yesterday, threshold

    def tile(key: str, shown: str | None = None) -> Tile:
        now, before = getattr(today, key), getattr(yesterday, key)
        return Tile(
            key,
            shown if shown is not None else count(now, n, language),
            change(now, before, n, language),
            tone(now, before, RISE_MEANING[key]),
        )

    units = kpis.units_by_sector
    return [
        tile("declarations"),
        tile(
            "at_risk",
            f"{count(today.at_risk, n, language)} "
            f"({rate(today.at_risk, today.risk_rate, n, language)})",
        ),
        tile("new_cases"),
        tile("contacts_traced"),
        # Registered units are venues on the public registry, not people: always exact.
        Tile(
            "units",
            f"{whole_number(units['health'], language)} / {whole_number(units['state'], language)}",
            None,
            "neutral",
        ),
        tile("active_units"),
    ]


def area_rows(table: pd.DataFrame, threshold: int = 1, language: str = "vi") -> pd.DataFrame:
    """The by-area table (queries.kpis.area_table) as text: counts and rates in the reader's
    language, small counts and the rates derived from them withheld. Same rows, same order."""
    shown = table.copy()
    for column in AREA_COUNTS:
        shown[column] = [count(int(value), threshold, language) for value in table[column]]
    for column, numerator in AREA_RATES.items():
        shown[column] = [
            rate(int(top), float(value), threshold, language)
            for top, value in zip(table[numerator], table[column], strict=True)
        ]
    return shown
