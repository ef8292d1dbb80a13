"""Showing stored values: UTC instants in the configured zone, codes as words, column headers
in the session's language, tables sized to the screen, charts with the language's numbers and
dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from i18n.numbers import plotly_separators, whole_number
from ui.runtime import language, settings, t

if TYPE_CHECKING:  # Plotly takes seconds to import; a page that draws no chart never does
    import plotly.graph_objects as go

ROW_PX = 35  # a row of st.dataframe, its header row the same
ROWS_SHOWN = 16  # a table on an office screen (1080p) shows this many rows before scrolling


def local_times(values: pd.Series, with_year: bool = False) -> pd.Series:
    """Aware UTC datetimes (or NaT/None) as local 'dd/mm HH:MM' strings; with_year for
    exports and anything read later: 'dd/mm/yyyy HH:MM'."""
    zone = settings().zone
    pattern = "%d/%m/%Y %H:%M" if with_year else "%d/%m %H:%M"

    def show(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            return ""
        if not isinstance(value, datetime):
            raise TypeError(f"not an instant: {value!r}")
        return value.astimezone(zone).strftime(pattern)

    return values.map(show)


def day_text(day: object) -> str:
    """A date as 'dd/mm/yyyy', nothing when there is none (a table showed 'None')."""
    if day is None or (isinstance(day, float) and pd.isna(day)) or day is pd.NaT:
        return ""
    if not isinstance(day, date):
        raise TypeError(f"not a date: {day!r}")
    return day.strftime("%d/%m/%Y")


def _words(prefix: str, codes: pd.Series) -> pd.Series:
    return codes.map(lambda code: "" if code is None or pd.isna(code) else t(f"{prefix}.{code}"))


def risk_names(levels: pd.Series) -> pd.Series:
    return levels.map(lambda level: t(f"risk.level.{int(level)}"))


def channel_names(channels: pd.Series) -> pd.Series:
    return _words("channel", channels)


def sector_names(sectors: pd.Series) -> pd.Series:
    return _words("sector", sectors)


def kind_names(kinds: pd.Series) -> pd.Series:
    return _words("kind", kinds)


def status_names(statuses: pd.Series) -> pd.Series:
    return _words("status", statuses)


def action_names(actions: pd.Series) -> pd.Series:
    return _words("action", actions)


def reason_text(reasons: str) -> str:
    """'symptom:fever;exposure:case_contact' -> 'sốt, tiếp xúc ca bệnh trong 14 ngày'."""
    return ", ".join(t(f"reason.{code}") for code in (reasons or "").split(";") if code)


def blank_missing(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Missing values of text columns as empty cells: a table showed 'None' for an ID number
    nobody gave."""
    return frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "") for c in columns})


def headers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its columns named in the session's language (labels column.<name>)."""
    return frame.rename(columns={c: t(f"column.{c}") for c in frame.columns})


def table_height(rows: int, shown: int = ROWS_SHOWN) -> int:
    """A st.dataframe height for `shown` rows (fewer when there are fewer), header included:
    Streamlit's default stops at 10 rows, and a fixed 220 px showed 5."""
    return ROW_PX * (max(1, min(rows, shown)) + 1) + 3


def count_text(value: float | None) -> str:
    """A count in the session's language: 6.272 (vi) or 6,272 (en)."""
    return whole_number(value, language())


# Plotly writes dates with English month names ("Nov 26") and has no Vietnamese locale loaded
# in Streamlit: Vietnamese axes use day/month numbers, as Vietnamese dates are written.
_VI_DATE_TICKS = [
    {"dtickrange": [None, 60_000], "value": "%H:%M:%S\n%d/%m/%Y"},
    {"dtickrange": [60_000, 86_400_000], "value": "%H:%M\n%d/%m/%Y"},
    {"dtickrange": [86_400_000, "M1"], "value": "%d/%m\n%Y"},
    {"dtickrange": ["M1", None], "value": "%m/%Y"},
]


def localise_chart(figure: go.Figure, date_axis: str | None = "x") -> go.Figure:
    """A Plotly figure in the session's language: decimal and thousands marks, and (vi) a date
    axis without English month names. Returns the figure."""
    lang = language()
    figure.update_layout(separators=plotly_separators(lang))
    if date_axis and lang == "vi":
        update = figure.update_xaxes if date_axis == "x" else figure.update_yaxes
        update(tickformatstops=_VI_DATE_TICKS, hoverformat="%H:%M %d/%m/%Y")
    return figure
