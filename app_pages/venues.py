"""Venues: the venues crowded now; find one, see its timeline with at-risk check-ins and case
visits, and look up who checked in between two times (personal data per role, audited, paged,
exportable)."""

from datetime import datetime, time, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from queries.audit import about, record
from queries.venue_registry import PosterVenue
from queries.venues import search_venues, venue_detail, venue_timeline, who_checked_in
from reports.qr_poster import declaration_url, posters_pdf, qr_png
from reports.tables import to_csv_bytes
from rules import safe_text
from rules.disclosure import threshold_for
from ui import audited
from ui.context import page_context
from ui.crowding import crowding_section
from ui.formatting import (
    blank_missing,
    channel_names,
    headers,
    kind_names,
    local_times,
    localise_chart,
    reason_text,
    risk_names,
    sector_names,
    table_height,
)
from ui.runtime import engine, settings, t

PAGE_SIZE = 100


def checkins_shown(rows: pd.DataFrame, with_year: bool = False) -> pd.DataFrame:
    """Check-ins as people read them: local times, words for codes, headers in the language,
    nothing where no ID number was given."""
    return headers(
        blank_missing(rows, ("id_number",)).assign(
            checked_in_at=local_times(rows["checked_in_at"], with_year),
            checked_out_at=local_times(rows["checked_out_at"], with_year),
            channel=channel_names(rows["channel"]),
            risk_level=risk_names(rows["risk_level"]),
            risk_reasons=rows["risk_reasons"].map(reason_text),
        )
    )


st.title(t("page.venues"))
context = page_context("venues")
config = settings()
zone, scope, wards, chosen = config.zone, context.scope, context.wards, context.filter

# Venues crowded now in the user's area (ui/crowding.py), before the search.
crowding_section(wards, threshold_for(scope.role, config.small_count_threshold))

text = st.text_input(t("venues.search"), key="venues_search", max_chars=100)
with engine().connect() as connection:
    found = search_venues(connection, text, wards, scope)
if found.empty:
    st.info(t("venues.none"))
    st.stop()
picked = st.dataframe(
    headers(
        found.drop(columns=["id", "active"]).assign(
            kind=kind_names(found["kind"]), sector=sector_names(found["sector"])
        )
    ),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="venues_table",
    height=table_height(len(found)),
)
st.caption(t("venues.results", count=len(found)))
rows = picked.selection.rows if picked else []
picked_id = int(found.iloc[rows[0]]["id"]) if rows else st.session_state.get("venue_id")
if rows:
    st.session_state["venue_id"] = picked_id
if picked_id is None:
    st.stop()
venue_id: int = picked_id
with engine().connect() as connection:
    detail = venue_detail(connection, venue_id, wards, scope)
if detail is None:
    st.warning(t("venues.not_found"))
    st.stop()

st.header(safe_text.markdown(detail.name))
if not detail.active:
    st.warning(t("venues.inactive"))
facts = st.columns(4)
facts[0].markdown(
    f"**{t('venues.address')}**  \n{safe_text.markdown(detail.address)}, {detail.district_name}"
)
facts[1].markdown(
    f"**{t('venues.kind')}**  \n{t(f'kind.{detail.kind}')} · {t(f'sector.{detail.sector}')}"
)
facts[2].markdown(f"**{t('venues.dwell')}**  \n{t('common.minutes', n=detail.dwell_minutes)}")
facts[3].markdown(f"**{t('venues.registered')}**  \n{detail.registered_on:%d/%m/%Y}")
url = declaration_url(config.public_base_url, detail.token)
qr_downloads = st.columns(3)
qr_downloads[0].download_button(
    t("admin.qr.png"), qr_png(url), f"{detail.venue_ref}.png", "image/png", key="venue_qr_png"
)


poster_venue = PosterVenue(detail.name, f"{detail.address}", detail.token, detail.venue_ref)


def poster() -> bytes:
    return posters_pdf([poster_venue], config.public_base_url)


qr_downloads[1].download_button(
    t("venues.poster"), poster, f"{detail.venue_ref}.pdf", "application/pdf",
    key="venue_poster", on_click="ignore",
)  # fmt: skip

st.subheader(t("venues.timeline"))
start, end = chosen.bounds(zone)
bucket = st.segmented_control(
    t("venues.bucket"), (60, 15), default=60, format_func=lambda b: t(f"venues.bucket.{b}"),
    key="venues_bucket",
) or 60  # fmt: skip
with engine().connect() as connection:
    timeline = venue_timeline(connection, venue_id, start, end, bucket)
if timeline.empty:
    st.info(t("common.no_data"))
else:
    local = timeline["bucket"].dt.tz_convert(zone)
    figure = go.Figure()
    figure.add_bar(
        x=local, y=timeline["checkins"], name=t("kpi.declarations"), marker_color="#90a4ae"
    )
    figure.add_bar(x=local, y=timeline["at_risk"], name=t("kpi.at_risk"), marker_color="#e53935")
    # A case's visits are marked where there were some: a marker at 0 under every bar said
    # nothing and looked like one.
    visited = timeline["case_visits"] > 0
    if visited.any():
        figure.add_scatter(
            x=local[visited], y=timeline.loc[visited, "case_visits"], name=t("venues.case_visits"),
            mode="markers", marker={"symbol": "x", "size": 10, "color": "#000"},
        )  # fmt: skip
    figure.update_layout(
        barmode="overlay", height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h"},
    )  # fmt: skip
    # Counts on whole-number ticks: with a few check-ins an hour the axis read 0, 0, 0, 1, 1, 1.
    figure.update_yaxes(
        rangemode="tozero", tickformat=",d", dtick=1 if timeline["checkins"].max() < 6 else None
    )
    localise_chart(figure)
    st.plotly_chart(figure, config={"displayModeBar": False})

st.subheader(t("venues.who"))
local_start = start.astimezone(zone)
columns = st.columns(4)
day_from = columns[0].date_input(
    t("venues.from"), local_start.date(), format="DD/MM/YYYY", key="who_day_from"
)
time_from = columns[1].time_input(" ", time(0, 0), key="who_time_from", label_visibility="hidden")
day_until = columns[2].date_input(
    t("venues.until"), chosen.last_day, format="DD/MM/YYYY", key="who_day_until"
)
time_until = columns[3].time_input(
    " ", time(23, 59), key="who_time_until", label_visibility="hidden"
)
since = datetime.combine(day_from, time_from, tzinfo=zone)
until = datetime.combine(day_until, time_until, tzinfo=zone) + timedelta(minutes=1)
page_number = (
    int(st.number_input(t("venues.page"), min_value=1, value=1, step=1, key="who_page")) - 1
)
with engine().connect() as connection:
    found_page = who_checked_in(connection, venue_id, since, until, scope, page_number, PAGE_SIZE)
pages = max(1, -(-found_page.total // PAGE_SIZE))
st.caption(t("venues.total", total=found_page.total, page=page_number + 1, pages=pages))
st.dataframe(
    checkins_shown(found_page.rows),
    hide_index=True,
    height=table_height(len(found_page.rows)),
)
if found_page.masked:
    st.caption(t("venues.masked"))
elif not found_page.rows.empty:
    st.caption(t("venues.audited"))
    shown_range = about(
        "checkins_at_venue", venue=detail.venue_ref, since=f"{since:%Y-%m-%d %H:%M}",
        until=f"{until:%Y-%m-%d %H:%M}",
    )  # fmt: skip
    audited.view(
        scope, ("check-ins", venue_id, since, until, page_number), shown_range,
        row_count=len(found_page.rows),
    )  # fmt: skip

    def export() -> bytes:
        """Runs on click, on its own thread: the whole range, audited as an export."""
        with engine().begin() as connection:
            everything = who_checked_in(connection, venue_id, since, until, scope, 0, 100_000)
            record(
                connection, scope.username, "export", shown_range, row_count=len(everything.rows)
            )
        return to_csv_bytes(checkins_shown(everything.rows, with_year=True))

    st.download_button(
        t("venues.export"), export, f"{detail.venue_ref}-{t('venues.export_file')}.csv",
        "text/csv", icon=":material/download:", on_click="ignore",
    )  # fmt: skip
