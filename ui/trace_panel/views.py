"""What a trace shows: the case's visits (map, list, timeline, who was at a chosen place) and
the contacts (paged table, follow one in turn, exports). Views and exports are audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st
from streamlit_folium import st_folium

from geo.maps import visits_map
from queries.audit import record
from queries.trace import Contact, TraceResult, TraceRules, present_at_venue
from reports.tables import to_csv_bytes, to_xlsx_bytes
from rules import safe_text
from rules.access import Scope
from ui.formatting import local_times
from ui.runtime import engine, settings, t

PAGE_SIZE = 1000


def visits_section(
    result: TraceResult,
    rules: TraceRules,
    index_person: int,
    case_id: int,
    purpose: str,
    scope: Scope,
    local: Callable[[datetime], str],
) -> None:
    config = settings()
    zone = config.zone
    visits = pd.DataFrame(
        [
            {
                "venue_ref": v.venue_ref,
                "venue_name": v.venue_name,
                "lat": v.lat,
                "lon": v.lon,
                "start": v.start,
                "end": v.end,
                "venue_id": v.venue_id,
                "label": f"{local(v.start)} – {v.end.astimezone(zone):%H:%M}",
            }
            for v in result.visits
        ]
    )
    st.subheader(t("trace.visits", count=len(visits)))
    if visits.empty:
        st.info(t("trace.no_visits"))
    else:
        map_column, list_column = st.columns([3, 2])
        selected = st.session_state.get("trace_visit")
        with map_column:
            clicked = st_folium(
                visits_map(visits, config.map, selected),
                height=420,
                use_container_width=True,
                returned_objects=["last_object_clicked"],
                key=f"trace_map_{index_person}",
            )
        point = (clicked or {}).get("last_object_clicked") or {}
        if point:
            nearest = (
                (visits["lat"] - point.get("lat", 0)) ** 2
                + (visits["lon"] - point.get("lng", 0)) ** 2
            ).idxmin()
            st.session_state["trace_visit"] = visits.loc[nearest, "venue_ref"]
        with list_column:
            table = visits[["venue_name", "label"]].rename(
                columns={"venue_name": t("column.venues"), "label": " "}
            )
            table.index = range(1, len(table) + 1)
            chosen = st.dataframe(
                table, on_select="rerun", selection_mode="single-row", key="trace_visits"
            )
            if chosen and chosen.selection.rows:
                st.session_state["trace_visit"] = visits.iloc[chosen.selection.rows[0]]["venue_ref"]
            places = dict(zip(visits["venue_ref"], visits["venue_name"], strict=True))
            place = st.selectbox(
                t("trace.place"), [None, *places], format_func=lambda r: places.get(r, "—"),
                key=f"trace_place_{index_person}",
            )  # fmt: skip
            if place is not None:
                st.session_state["trace_visit"] = place
        timeline = px.timeline(
            visits.assign(
                start=visits["start"].dt.tz_convert(zone),
                end=visits["end"].dt.tz_convert(zone),
                venue_name=visits["venue_name"].map(safe_text.html),  # Plotly reads HTML
            ),
            x_start="start",
            x_end="end",
            y="venue_name",
            color_discrete_sequence=["#c62828"],
        )
        timeline.update_layout(
            height=60 + 28 * visits["venue_name"].nunique(),
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            yaxis_title="",
        )
        st.plotly_chart(timeline, config={"displayModeBar": False})

        venue_ref = st.session_state.get("trace_visit")
        if venue_ref in set(visits["venue_ref"]):
            at_venue = visits[visits["venue_ref"] == venue_ref]
            buffer = timedelta(minutes=rules.buffer_minutes)
            start, end = at_venue["start"].min() - buffer, at_venue["end"].max() + buffer
            with engine().connect() as connection:
                present = present_at_venue(
                    connection, int(at_venue.iloc[0]["venue_id"]), start, end, rules
                )
            bands = pd.DataFrame(
                [
                    {
                        "who": safe_text.html(f"{p.full_name} ({p.phone[-4:]})"),
                        "start": p.start,
                        "end": p.end,
                        "role": t("trace.the_case") if p.person_id == index_person else "—",
                    }
                    for p in present
                ]
            )
            venue_name = safe_text.markdown(at_venue.iloc[0]["venue_name"])
            st.markdown(f"**{t('trace.present', venue=venue_name, count=len(bands))}**")
            if not bands.empty:
                chart = px.timeline(
                    bands.assign(
                        start=bands["start"].dt.tz_convert(zone),
                        end=bands["end"].dt.tz_convert(zone),
                    ),
                    x_start="start",
                    x_end="end",
                    y="who",
                    color="role",
                    color_discrete_map={t("trace.the_case"): "#c62828", "—": "#90a4ae"},
                )
                chart.update_layout(
                    height=min(900, 80 + 22 * len(bands)),
                    margin={"l": 10, "r": 10, "t": 10, "b": 10},
                    yaxis_title="",
                )
                st.plotly_chart(chart, config={"displayModeBar": False})
                with engine().begin() as connection:
                    record(
                        connection,
                        scope.username,
                        "view",
                        f"present at {venue_ref}",
                        case_id=case_id,
                        purpose=purpose.strip(),
                        row_count=len(bands),
                    )
        else:
            st.caption(t("trace.pick_visit"))


CONTACT_COLUMNS = [
    "person_id",
    "level",
    "full_name",
    "phone",
    "first_exposure",
    "overlap_minutes",
    "venues",
    "via",
]


def _contact_frame(contacts: Sequence[Contact], trail: list[int]) -> pd.DataFrame:
    """The contacts as table rows; built for a page or an export only (an F2 has hundreds of
    thousands of contacts, and each row costs a Contact)."""
    return pd.DataFrame(
        [
            {
                "person_id": c.person_id,
                "level": f"F{c.level + len(trail)}",
                "full_name": c.full_name,
                "phone": c.phone,
                "first_exposure": c.first_exposure,
                "overlap_minutes": c.overlap_minutes,
                "venues": ", ".join(c.venues),
                "via": " → ".join(f"{s.through_name} @ {s.venue_ref}" for s in c.via),
            }
            for c in contacts
        ],
        columns=CONTACT_COLUMNS,
    )


def contacts_section(
    result: TraceResult,
    trail: list[int],
    index_person: int,
    case_id: int,
    purpose: str,
    scope: Scope,
) -> None:
    contacts = result.contacts
    f1 = len(result.level(1))
    st.subheader(t("trace.contacts", f1=f1, f2=len(contacts) - f1))
    pages = max(1, -(-len(contacts) // PAGE_SIZE))
    page = (
        int(st.number_input(t("trace.page"), 1, pages, 1, key="trace_page")) - 1 if pages > 1 else 0
    )
    window = _contact_frame(contacts[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], trail)
    shown = window.drop(columns=["person_id"]).assign(
        first_exposure=local_times(window["first_exposure"])
    )
    picked = st.dataframe(
        shown.rename(columns={c: t(f"column.{c}") for c in shown.columns}),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"contacts_{index_person}",
    )
    follow = None
    if picked and picked.selection.rows:
        follow = int(window.iloc[picked.selection.rows[0]]["person_id"])
    names = {
        int(row.person_id): f"{row.level} · {row.full_name} · {row.phone}"
        for row in window.head(200).itertuples()
    }
    left, right = st.columns([4, 1])
    listed = left.selectbox(
        t("trace.follow_who"), [None, *names], format_func=lambda p: names.get(p, "—"),
        key=f"trace_follow_who_{index_person}",
    )  # fmt: skip
    follow = follow or listed
    if follow is not None and right.button(t("trace.follow"), key="trace_follow"):
        st.query_params["trail"] = ",".join(map(str, [*trail, follow]))
        st.rerun()

    def export(kind: str) -> bytes:
        """On click, on its own thread: the whole list, audited as an export of the case."""
        with engine().begin() as connection:
            record(
                connection,
                scope.username,
                "export",
                f"contacts of person {index_person} ({kind})",
                case_id=case_id,
                purpose=purpose.strip(),
                row_count=len(contacts),
            )
        everyone = _contact_frame(contacts, trail)
        table = everyone.drop(columns=["person_id"]).assign(
            first_exposure=local_times(everyone["first_exposure"])
        )
        return to_csv_bytes(table) if kind == "csv" else to_xlsx_bytes(table, "contacts")

    downloads = st.columns(2)
    downloads[0].download_button(
        t("trace.export_csv"),
        lambda: export("csv"),
        f"kbyt-case-{case_id}-contacts.csv",
        "text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    downloads[1].download_button(
        t("trace.export_xlsx"),
        lambda: export("xlsx"),
        f"kbyt-case-{case_id}-contacts.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        icon=":material/download:",
    )
