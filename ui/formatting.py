"""Showing stored values: UTC instants in the configured zone, codes as words."""

from __future__ import annotations

import pandas as pd

from i18n.numbers import percent, whole_number
from ui.runtime import language, settings, t


def local_times(values: pd.Series) -> pd.Series:
    """Aware UTC datetimes (or NaT/None) as local 'dd/mm HH:MM' strings."""
    zone = settings().zone

    def show(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return ""
        return value.astimezone(zone).strftime("%d/%m %H:%M")  # type: ignore[attr-defined]

    return values.map(show)


def risk_names(levels: pd.Series) -> pd.Series:
    return levels.map(lambda level: t(f"risk.level.{int(level)}"))


def channel_names(channels: pd.Series) -> pd.Series:
    return channels.map(lambda channel: t(f"channel.{channel}"))


def reason_text(reasons: str) -> str:
    """'symptom:fever;exposure:case_contact' -> 'sốt, tiếp xúc ca bệnh trong 14 ngày'."""
    return ", ".join(t(f"reason.{code}") for code in reasons.split(";") if code)


def count_text(value: float | None) -> str:
    """A count in the session's language: 6.272 (vi) or 6,272 (en)."""
    return whole_number(value, language())


def percent_text(fraction: float | None, digits: int = 1) -> str:
    """A share in the session's language: 0,9 % (vi) or 0.9% (en)."""
    return percent(fraction, digits, language())
