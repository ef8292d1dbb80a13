"""Crowding now on screen: the Venues page's section and the wall's block. Counts of check-ins
per venue only, no person; the rule is rules/crowding.py, the query queries/crowding.py.

Both read the current moment rounded down to the minute, cached for a minute like the other
loaders (ui/data.py): the wall asks again at each of its refreshes, and a page opened twice in
a minute reads the database once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

import pandas as pd
import streamlit as st

from config.settings import CrowdingRules
from i18n.numbers import percent, whole_number
from queries.crowding import crowded_venues
from reports.figures import count
from rules.crowding import Thresholds
from ui.formatting import headers, table_height
from ui.runtime import engine, language, settings, t

TTL = 60
WALL_ROWS = 3  # venues named on the wall's line; the rest are counted


def thresholds(rules: CrowdingRules) -> Thresholds:
    return Thresholds(
        factor=rules.factor, margin=rules.margin, spread_multiple=rules.spread_multiple,
        capacity_share=rules.capacity_share, min_weeks=rules.min_weeks,
    )  # fmt: skip


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def crowded(
    database_url: str,
    now: datetime,
    wards: frozenset[str] | None,
    rule: Thresholds,
    weeks: int,
) -> pd.DataFrame:
    with engine().connect() as connection:
        return crowded_venues(connection, now, wards, rule, weeks)


def crowded_now(wards: frozenset[str] | None, now: datetime | None = None) -> pd.DataFrame:
    """The area's crowded venues at now (default: this minute)."""
    config = settings()
    moment = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    rule = thresholds(config.crowding)
    return crowded(config.database_url, moment, wards, rule, config.crowding.baseline_weeks)


def _reasons(codes: tuple[str, ...]) -> str:
    return "; ".join(t(f"crowding.reason.{code}") for code in codes)


def _caption(moment: datetime) -> str:
    rules = settings().crowding
    lang = language()
    return t(
        "crowding.caption", factor=f"{rules.factor:g}".replace(".", "," if lang == "vi" else "."),
        margin=rules.margin, share=percent(rules.capacity_share, 0, lang),
        time=moment.astimezone(settings().zone).strftime("%H:%M"),
    )  # fmt: skip


def crowding_section(wards: frozenset[str] | None, threshold: int = 1) -> None:
    """The Venues page's "Crowding now": venue, ward, last 15 and 60 minutes, usual, capacity
    and why, or a line saying no venue is crowded."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    found = crowded_now(wards, now)
    st.subheader(t("crowding.title"))
    st.caption(_caption(now))
    if found.empty:
        st.info(t("crowding.none"))
        return
    lang = language()
    shown = pd.DataFrame({
        "name": found["name"],
        "ward": found["ward"] + ", " + found["district"],
        "last_15": [count(int(v), threshold, lang) for v in found["last_15"]],
        "last_60": [count(int(v), threshold, lang) for v in found["last_60"]],
        "usual": [whole_number(None if pd.isna(v) else v, lang) for v in found["usual"]],
        "capacity": [whole_number(None if pd.isna(v) else v, lang) for v in found["capacity"]],
        "reason": found["reasons"].map(_reasons),
    })  # fmt: skip
    st.dataframe(headers(shown), hide_index=True, height=table_height(len(shown)))


def wall_block(wards: frozenset[str] | None, now: datetime, threshold: int, lang: str) -> None:
    """The wall's line (styled by ui/wall_layout.board_css): the busiest crowded venues with
    their last hour's check-ins and why, then how many more; grey when there are none. One
    line that never wraps, so the board keeps its height. Drawn at each refresh of the wall."""
    found = crowded_now(wards, now)
    parts = [
        f"{name} ({ward}) {count(int(last_60), threshold, lang)}/60′: {_reasons(reasons)}"
        for name, ward, last_60, reasons in found[["name", "ward", "last_60", "reasons"]]
        .head(WALL_ROWS)
        .itertuples(index=False, name=None)
    ]
    if len(found) > WALL_ROWS:
        parts.append(t("crowding.more", count=len(found) - WALL_ROWS))
    text = " · ".join(parts) if parts else t("crowding.none")
    state = "quiet" if found.empty else "alert"
    st.html(
        f'<div class="wall-crowding {state}"><b>{escape(t("crowding.title"))}</b>'
        f"{escape(text)}</div>"
    )
