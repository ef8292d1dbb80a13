"""Ward hot spots on the Map page and the wall (geo/hot_spots.py computes them): the cached
loader, the window choice, the map layer's tooltips, the table of hot wards and the wall's
legend rows. Only wards: names, counts, shares, z, p and q; counts and shares follow the
small-count rules of the reader's role (rules/disclosure.py)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from babel.numbers import format_decimal
from streamlit.delta_generator import DeltaGenerator

from geo.hot_spot_layer import (
    COLD_COLOUR,
    HOT_COLOUR,
    WALL_COLD_COLOUR,
    WALL_HOT_COLOUR,
    add_hot_spots,
)
from geo.hot_spots import city_wards, hot_spots
from geo.wall_map import short_name
from geo.ward_neighbours import city_graph
from i18n.numbers import full_date
from queries.area import allowed_wards
from queries.filters import Filter
from queries.hot_spots import ward_counts
from reports.figures import count, rate
from rules import safe_text
from rules.access import Scope
from ui.formatting import table_height
from ui.runtime import engine, language, settings, t

WINDOWS = (1, 3)  # days ending on the chosen day
TTL = 60
WALL_NAMES = 3  # hot wards named in the wall's legend


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=32)
def _load(
    database_url: str,
    first: date,
    last: date,
    zone: str,
    wards: frozenset[str] | None,
    boundary_file: str | None,
    alpha: float,
    permutations: int,
    seed: int,
) -> pd.DataFrame:
    with engine().connect() as connection:
        counts = ward_counts(connection, first, last, ZoneInfo(zone), wards)
    return hot_spots(
        counts,
        city_graph(boundary_file),
        city_wards(wards),
        alpha=alpha,
        permutations=permutations,
        seed=seed,
    )


def window(last: date, days: int) -> tuple[date, date]:
    """The local days of a window of days ending on last."""
    return last - timedelta(days=days - 1), last


def hot_spots_for(last: date, days: int, scope: Scope | None) -> pd.DataFrame:
    """The hot spots of the window of days ending on last, over every ward scope may read:
    the statistic compares a ward with the whole area analysed, so a filter's district narrows
    what is shown (in_district), not what is compared."""
    config = settings()
    first, last = window(last, days)
    boundary = str(config.boundary_file) if config.boundary_file else None
    return _load(
        config.database_url,
        first,
        last,
        config.timezone,
        allowed_wards(Filter(first, last), scope),
        boundary,
        config.hot_spots.alpha,
        config.hot_spots.permutations,
        config.hot_spots.seed,
    )


def in_district(result: pd.DataFrame, district_code: str | None) -> pd.DataFrame:
    """The rows of one district's wards (None: all)."""
    if district_code is None:
        return result
    return result[result["district_code"] == district_code].reset_index(drop=True)


def window_choice(container: DeltaGenerator, key: str) -> int:
    """The window's length in days (1 or 3), as a radio in container."""
    days = container.radio(
        t("hot.window"),
        WINDOWS,
        format_func=lambda days: t(f"hot.window.{days}"),
        horizontal=True,
        key=key,
    )
    return int(days or WINDOWS[0])


def _decimal(value: float, digits: int) -> str:
    return format_decimal(
        value, format="0." + "0" * digits, locale="vi_VN" if language() == "vi" else "en_GB"
    )


def add_layer(
    fig: folium.Map,
    wards: gpd.GeoDataFrame,
    result: pd.DataFrame,
    on_wall: bool = False,
) -> int:
    """Hot and cold wards of result drawn on fig (in the wall's colours on_wall), with
    tooltips in the reader's language."""
    shown = result.assign(
        kind=[t("hot.kind.hot") if hot else t("hot.kind.cold") for hot in result["hot"]],
        z_text=[_decimal(z, 2) if pd.notna(z) else "" for z in result["z"]],
        q_text=[_decimal(q, 4) if pd.notna(q) else "" for q in result["q"]],
    )
    fields = [
        ("ward_name", ""),
        ("kind", t("hot.column.kind")),
        ("z_text", t("hot.column.z")),
        ("q_text", t("hot.column.q")),
    ]
    colours = {"hot": WALL_HOT_COLOUR, "cold": WALL_COLD_COLOUR} if on_wall else None
    return add_hot_spots(fig, wards, shown, fields, colours=colours)


def legend() -> str:
    """The Map page's legend of the layer (HTML: two swatches)."""
    return " ".join(
        f'<span style="background:{colour};opacity:.6;padding:2px 10px;margin-right:4px;'
        f'border:2px solid {colour}">&nbsp;</span>{t(f"hot.kind.{kind}")}'
        for kind, colour in (("hot", HOT_COLOUR), ("cold", COLD_COLOUR))
    )


def hot_table(result: pd.DataFrame, threshold: int, days: int, last: date) -> None:
    """The heading, the method in one line and the hot wards by z (or why there are none)."""
    config = settings().hot_spots
    first, last = window(last, days)
    analysed = int(result["z"].notna().sum())
    st.subheader(t("hot.heading"))
    st.caption(
        t(
            "hot.method",
            first=full_date(first),
            last=full_date(last),
            analysed=analysed,
            permutations=config.permutations,
            alpha=_decimal(config.alpha, 2),
        )
    )
    hot = result[result["hot"]]
    cold = int(result["cold"].sum())
    if analysed == 0:
        st.info(t("hot.not_computed"))
        return
    if hot.empty:
        st.info(t("hot.none", cold=cold))
        return
    lang = language()
    table = pd.DataFrame(
        {
            t("hot.column.ward"): hot["ward_name"],
            t("hot.column.district"): hot["district_name"],
            t("column.declarations"): [count(int(v), threshold, lang) for v in hot["declarations"]],
            t("column.at_risk"): [count(int(v), threshold, lang) for v in hot["at_risk"]],
            t("column.rate"): [
                rate(int(top), float(share), threshold, lang)
                for top, share in zip(hot["at_risk"], hot["share"], strict=True)
            ],
            t("hot.column.z"): [_decimal(z, 2) for z in hot["z"]],
            t("hot.column.p"): [_decimal(p, 4) for p in hot["p"]],
            t("hot.column.q"): [_decimal(q, 4) for q in hot["q"]],
        }
    )
    right = st.column_config.TextColumn(alignment="right")
    st.dataframe(
        table,
        hide_index=True,
        column_config={name: right for name in table.columns[2:]},
        height=table_height(len(table)),
        key="hot_spot_table",
    )
    if cold:
        st.caption(t("hot.cold_count", cold=cold))


def wall_line(result: pd.DataFrame) -> None:
    """The wall's line beside the map (styled by ui/wall_layout.board_css): the hot wards' colour
    as the key of their outlines, how many wards are hot, the first few by z by their short
    names ("Bến Thành", "P.9"), and how many are cold. Not in the map's legend: the inset of the
    inner city takes the map's height above the legend, and a taller or wider legend shrank
    the inset's names and hid a district's wards."""
    hot = result[result["hot"]]
    names = ", ".join(short_name(name) for name in hot["ward_name"].head(WALL_NAMES))
    more = len(hot) - WALL_NAMES
    hot_text = (
        t("hot.wall.hot", count=len(hot), names=names + (f" +{more}" if more > 0 else ""))
        if len(hot)
        else t("hot.wall.no_hot")
    )
    cold = int(result["cold"].sum())
    text = hot_text + (" · " + t("hot.wall.cold", count=cold) if cold else "")
    st.html(
        f'<div class="wall-hot"><i style="background:{WALL_HOT_COLOUR}"></i>'
        f"<b>{safe_text.html(t('hot.wall.title'))}</b> {safe_text.html(text)}</div>"
    )
