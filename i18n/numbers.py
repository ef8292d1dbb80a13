"""Numbers, percentages and dates as each language writes them (vi-VN: 6.272 and 0,88 %).

Plain functions of (value, language) so that pages, the wall map and the HTML daily report
format the same way; the session's language is applied in ui/formatting.py.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TypeGuard

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

_LOCALES = {"vi": "vi_VN", "en": "en_GB"}


def _locale(language: str) -> str:
    return _LOCALES.get(language, _LOCALES["vi"])


def _present(value: float | None) -> TypeGuard[float]:
    return not (value is None or (isinstance(value, float) and math.isnan(value)))


def whole_number(value: float | None, language: str = "vi") -> str:
    """6272 -> '6.272' (vi) or '6,272' (en); a missing value is an empty string."""
    if not _present(value):
        return ""
    return format_decimal(round(value), format="#,##0", locale=_locale(language))


def percent(fraction: float | None, digits: int = 1, language: str = "vi") -> str:
    """0.0088 -> '0,88 %' (vi, two digits) or '0.88%' (en)."""
    if not _present(fraction):
        return ""
    decimals = "." + "0" * digits if digits > 0 else ""
    pattern = f"#,##0{decimals} %" if language == "vi" else f"#,##0{decimals}%"
    return format_percent(fraction, format=pattern, locale=_locale(language))


def day_month(day: date, language: str = "vi") -> str:
    """26 November -> '26 thg 11' (vi) or '26 Nov' (en): a chart's axis label."""
    return format_date(day, "d MMM", locale=_locale(language))


def full_date(day: date, language: str = "vi") -> str:
    """26 November 2026 -> '26/11/2026' in both languages: exports and headings carry the year."""
    return day.strftime("%d/%m/%Y")


def plotly_separators(language: str = "vi") -> str:
    """Plotly's layout.separators: the decimal mark, then the thousands mark."""
    return ",." if language == "vi" else ".,"
