"""Overview for leadership and officers: the day's KPIs against yesterday and last week, the
trend over the chosen days, the table by district (or ward) and the forwardable report."""

from datetime import UTC, datetime

import plotly.graph_objects as go
import streamlit as st

from geo.admin_units import area_label
from reports.daily_report import render
from rules.disclosure import (
    AREA_COUNTS,
    AREA_RATES,
    drawable,
    shown_average,
    shown_change,
    shown_count,
    shown_rate,
    suppressed_table,
    threshold_for,
)
from ui import data
from ui.context import page_context
from ui.filters import request_area
from ui.runtime import settings, t

st.title(t("page.overview"))
context = page_context("overview")
config = settings()
url, zone, wards, chosen = config.database_url, config.timezone, context.wards, context.filter

day = st.date_input(
    t("kpi.day"),
    value=chosen.last_day,
    min_value=chosen.first_day,
    max_value=chosen.last_day,
    format="DD/MM/YYYY",
    key="overview_day",
)
now = datetime.now(UTC).astimezone(config.zone)
under_way = day == now.date()
kpis = data.kpis(url, day, zone, wards, now.hour + 1 if under_way else None)
today, yesterday, week = kpis.today, kpis.yesterday, kpis.week_average
if under_way:
    st.caption(t("kpi.so_far", time=now.strftime("%H:%M"), hour=f"{now.hour + 1:02d}:00"))

units = kpis.units_by_sector
# Command centre and leadership: counts below the threshold as "<n", and no change or rate that
# would give one away (rules/disclosure.py); other roles: n = 1, every figure exact.
n = threshold_for(context.scope.role if context.scope else None, config.small_count_threshold)
at_risk_week = round(week["at_risk"] * 7)
# (label key, value, change against yesterday or None, delta colour, help)
tiles = [
    ("kpi.declarations", shown_count(today.declarations, n),
     shown_change(today.declarations, yesterday.declarations, n), "normal",
     t("kpi.declarations.help", avg=shown_average(week["declarations"], 7, n))),
    ("kpi.at_risk",
     f"{shown_count(today.at_risk, n)} ({shown_rate(today.at_risk, today.risk_rate, n)})",
     shown_change(today.at_risk, yesterday.at_risk, n), "inverse",
     t("kpi.at_risk.help", avg=f"{shown_average(week['at_risk'], 7, n)} "
       f"({shown_rate(at_risk_week, week['risk_rate'], n)})")),
    ("kpi.new_cases", shown_count(today.new_cases, n),
     shown_change(today.new_cases, yesterday.new_cases, n), "inverse", t("kpi.new_cases.help")),
    ("kpi.contacts_traced", shown_count(today.contacts_traced, n),
     shown_change(today.contacts_traced, yesterday.contacts_traced, n), "off",
     t("kpi.contacts_traced.help")),
    # Registered units are venues on the public registry, not people: always exact.
    ("kpi.units", f"{units['health']:,} / {units['state']:,}", None, "off",
     t("kpi.units.help", public=f"{units['public']:,}")),
    ("kpi.active_units", shown_count(today.active_units, n),
     shown_change(today.active_units, yesterday.active_units, n), "off",
     t("kpi.active_units.help")),
]  # fmt: skip
for column, (key, value, delta, colour, explanation) in zip(
    [*st.columns(3), *st.columns(3)], tiles, strict=True
):
    column.metric(t(key), value, delta, delta_color=colour, help=explanation)
if n > 1:
    st.caption(t("overview.suppressed", n=n))
links = st.columns(3)
if context.scope and context.scope.allows_page("risk"):
    links[1].page_link("app_pages/risk.py", label=t("overview.see_risk"), icon=":material/list:")
links[0].page_link("app_pages/map.py", label=t("overview.see_map"), icon=":material/map:")

series = data.series(url, chosen.first_day, chosen.last_day, zone, wards)
st.subheader(t("overview.trend"))
if series["declarations"].sum() == 0:
    st.info(t("common.no_data"))
else:
    # Hover shows the figure as the role may see it; a small count is not drawn at all.
    labels = suppressed_table(series, ("declarations", "at_risk"), threshold=n)
    figure = go.Figure()
    figure.add_bar(
        x=series["day"],
        y=drawable(series["declarations"], n),
        customdata=labels["declarations"],
        hovertemplate="%{x|%d/%m/%Y}: %{customdata}",
        name=t("kpi.declarations"),
    )
    figure.add_scatter(
        x=series["day"],
        y=drawable(series["at_risk"], n),
        customdata=labels["at_risk"],
        hovertemplate="%{x|%d/%m/%Y}: %{customdata}",
        name=t("kpi.at_risk"),
        yaxis="y2",
        mode="lines+markers",
    )
    figure.update_layout(
        height=320,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis2={"overlaying": "y", "side": "right", "rangemode": "tozero"},
        legend={"orientation": "h"},
    )
    st.plotly_chart(figure, config={"displayModeBar": False})

by = "ward" if chosen.district_code else "district"
table = data.areas(url, chosen.first_day, chosen.last_day, zone, wards, by)
st.subheader(t("overview.by_ward" if by == "ward" else "overview.by_area"))
if n > 1:
    table_shown = suppressed_table(table, AREA_COUNTS, AREA_RATES, n, rate_format="{:.1%}")
else:
    table_shown = table
shown = table_shown.rename(
    columns={
        "name": t("column.area"),
        "declarations": t("column.declarations"),
        "at_risk": t("column.at_risk"),
        "risk_rate": t("column.rate"),
        "cases": t("column.cases"),
        "active_units": t("column.active_units"),
    }
)
selection = st.dataframe(
    shown.drop(columns=["code"]),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="overview_table",
    column_config=(
        {t("column.rate"): st.column_config.NumberColumn(format="percent")} if n == 1 else None
    ),
)
rows = selection.selection.rows if selection else []
if rows:
    code = table.iloc[rows[0]]["code"]
    if by == "district":
        request_area(code)
    else:
        request_area(chosen.district_code, code)

area_name = area_label(chosen.district_code, chosen.ward_code) or t("area.city")
report = render(
    kpis,
    series,
    table,
    area_name,
    now,
    {
        "title": t("report.title"),
        "generated": t("report.generated"),
        "trend": t("report.trend"),
        "declarations": t("kpi.declarations"),
        "at_risk": t("kpi.at_risk"),
        "new_cases": t("kpi.new_cases"),
        "contacts_traced": t("kpi.contacts_traced"),
        "active_units": t("kpi.active_units"),
        "units": t("kpi.units"),
        "area": t("column.area"),
        "rate": t("column.rate"),
        "cases": t("column.cases"),
    },
    threshold=n,
)
st.download_button(
    t("overview.report"),
    report,
    file_name=f"kbyt-{day.isoformat()}.html",
    mime="text/html",
    icon=":material/download:",
)
