"""The space-time clusters of at-risk declarations on a page: the Map page's panel (each
cluster's wards, days, observed and expected declarations, recurrence interval, a button that
focuses the map on its wards and the venues inside them) and the wall's compact list.

The scan is city-wide (a ward is compared with the whole city); a reader limited to an area
sees the clusters that touch it and the venues of it. Counts only, no personal data; small
counts are withheld for the roles that get them withheld (rules/disclosure.py)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from config.settings import ClusterSettings
from i18n.numbers import whole_number
from queries.space_time_clusters import ClusterReport, SpaceTimeCluster, cluster_venues
from queries.space_time_clusters import space_time_clusters as scan_day
from reports.figures import count
from rules.access import Scope
from ui.filters import request_area
from ui.runtime import engine, language, t
from ui.wall_layout import WALL_CLUSTER_LINES

TTL = 300  # the scan of a day changes only as declarations come in


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=16)
def clusters_of(
    database_url: str, day: date, zone: str, settings: tuple[tuple[str, object], ...]
) -> ClusterReport:
    """The scan of the day (cached: 999 replicates take about a second)."""
    with engine().connect() as connection:
        return scan_day(connection, day, ZoneInfo(zone), ClusterSettings(**dict(settings)))


@st.cache_data(ttl=TTL, show_spinner=False, max_entries=64)
def venues_of(
    database_url: str,
    ward_codes: tuple[str, ...],
    first: date,
    last: date,
    zone: str,
    wards: frozenset[str] | None,
    scope: Scope | None,
) -> pd.DataFrame:
    with engine().connect() as connection:
        return cluster_venues(connection, ward_codes, first, last, ZoneInfo(zone), wards, scope)


def signals(
    database_url: str,
    day: date,
    zone: str,
    settings: ClusterSettings,
    wards: frozenset[str] | None,
) -> tuple[ClusterReport, list[SpaceTimeCluster]]:
    """The day's report and its clusters with p below settings.signal_p that touch wards."""
    report = clusters_of(database_url, day, zone, tuple(settings.model_dump().items()))
    shown = [
        cluster
        for cluster in report.clusters
        if cluster.p_value < settings.signal_p
        and (wards is None or not wards.isdisjoint(cluster.ward_codes))
    ]
    return report, shown


def _days(cluster: SpaceTimeCluster) -> str:
    first, last = cluster.first_day, cluster.last_day
    return f"{last:%d/%m}" if first == last else f"{first:%d/%m}–{last:%d/%m}"


def _recurrence(cluster: SpaceTimeCluster, lang: str) -> str:
    return t("clusters.recurrence", days=whole_number(round(cluster.recurrence_days), lang))


def clusters_panel(
    database_url: str,
    day: date,
    zone: str,
    settings: ClusterSettings,
    wards: frozenset[str] | None,
    scope: Scope | None,
    threshold: int,
) -> None:
    """The Map page's panel: the clusters still going on on `day`."""
    lang = language()
    st.subheader(t("clusters.heading"))
    report, shown = signals(database_url, day, zone, settings, wards)
    st.caption(
        t("clusters.method", first=f"{report.first_day:%d/%m}", last=f"{report.day:%d/%m}",
          replicates=whole_number(report.replicates, lang), p=settings.signal_p)
    )  # fmt: skip
    if not shown:
        st.info(t("clusters.none", p=settings.signal_p))
        return
    for cluster in shown:
        with st.container(border=True, key=f"cluster_{cluster.rank}"):
            st.markdown(
                f"**{t('clusters.cluster', rank=cluster.rank)}** · "
                f"{t('clusters.wards', n=len(cluster.ward_codes))} · "
                f"{t('clusters.days', days=_days(cluster))}"
            )
            st.markdown(", ".join(cluster.ward_names))
            columns = st.columns(4)
            columns[0].metric(t("clusters.observed"), count(cluster.observed, threshold, lang))
            columns[1].metric(t("clusters.expected"), whole_number(round(cluster.expected), lang))
            columns[2].metric(t("clusters.ratio"), f"{cluster.ratio:.2f}".replace(
                ".", "," if lang == "vi" else "."))  # fmt: skip
            columns[3].metric(t("clusters.recurrence_label"), _recurrence(cluster, lang))
            if st.button(t("clusters.focus"), key=f"cluster_focus_{cluster.rank}"):
                request_area(cluster.district_codes[0], cluster.ward_codes[0])
            venues = venues_of(database_url, cluster.ward_codes, cluster.first_day,
                               cluster.last_day, zone, wards, scope)  # fmt: skip
            names = dict(zip(cluster.ward_codes, cluster.ward_names, strict=True))
            with st.expander(t("clusters.venues", n=len(venues))):
                if venues.empty:
                    st.caption(t("clusters.no_venues"))
                else:
                    st.dataframe(
                        pd.DataFrame({
                            t("column.venue_name"): venues["name"],
                            t("column.ward"): venues["ward_code"].map(names),
                            t("column.at_risk"): [count(int(v), threshold, lang)
                                                  for v in venues["at_risk"]],
                            t("column.declarations"): [count(int(v), threshold, lang)
                                                       for v in venues["checkins"]],
                        }),
                        hide_index=True,
                    )  # fmt: skip


def clusters_compact(
    database_url: str,
    day: date,
    zone: str,
    settings: ClusterSettings,
    wards: frozenset[str] | None,
    threshold: int,
) -> None:
    """The wall's list: one line per cluster going on today, the strongest WALL_CLUSTER_LINES
    (the heading counts them all when there are more)."""
    lang = language()
    _, shown = signals(database_url, day, zone, settings, wards)
    heading = t("clusters.heading")
    if len(shown) > WALL_CLUSTER_LINES:
        heading += f" ({whole_number(len(shown), lang)})"
    with st.container(key="wall_clusters"):
        st.markdown(f"**{heading}**")
        if not shown:
            st.caption(t("clusters.none", p=settings.signal_p))
        for cluster in shown[:WALL_CLUSTER_LINES]:
            st.markdown(
                f"{t('clusters.cluster', rank=cluster.rank)}: {', '.join(cluster.ward_names)} · "
                f"{_days(cluster)} · {count(cluster.observed, threshold, lang)} / "
                f"{whole_number(round(cluster.expected), lang)} · {_recurrence(cluster, lang)}"
            )
