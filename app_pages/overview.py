"""Overview for leadership and officers: the day's KPIs against yesterday and last week, the
trend over the chosen days, the table by district (or ward) and the forwardable report."""

from datetime import UTC, datetime

import plotly.graph_objects as go
import streamlit as st

from geo.admin_units import area_label
from reports.daily_report import render
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
# (label key, value, change against yesterday or None, delta colour, help)
tiles = [
    ("kpi.declarations", f"{today.declarations:,}", today.declarations - yesterday.declarations,
     "normal", t("kpi.declarations.help", avg=f"{week['declarations']:,.0f}")),
    ("kpi.at_risk", f"{today.at_risk:,} ({today.risk_rate:.1%})", today.at_risk - yesterday.at_risk,
     "inverse", t("kpi.at_risk.help", avg=f"{week['at_risk']:,.0f} ({week['risk_rate']:.1%})")),
    ("kpi.new_cases", f"{today.new_cases:,}", today.new_cases - yesterday.new_cases, "inverse",
     t("kpi.new_cases.help")),
    ("kpi.contacts_traced", f"{today.contacts_traced:,}",
     today.contacts_traced - yesterday.contacts_traced, "off", t("kpi.contacts_traced.help")),
    ("kpi.units", f"{units['health']:,} / {units['state']:,}", None, "off",
     t("kpi.units.help", public=f"{units['public']:,}")),
    ("kpi.active_units", f"{today.active_units:,}", today.active_units - yesterday.active_units,
     "off", t("kpi.active_units.help")),
]  # fmt: skip
for column, (key, value, change, colour, explanation) in zip(
    [*st.columns(3), *st.columns(3)], tiles, strict=True
):
    delta = None if change is None else f"{change:+,}"
    column.metric(t(key), value, delta, delta_color=colour, help=explanation)
links = st.columns(3)
if context.scope and context.scope.allows_page("risk"):
    links[1].page_link("app_pages/risk.py", label=t("overview.see_risk"), icon=":material/list:")
links[0].page_link("app_pages/map.py", label=t("overview.see_map"), icon=":material/map:")

series = data.series(url, chosen.first_day, chosen.last_day, zone, wards)
st.subheader(t("overview.trend"))
if series["declarations"].sum() == 0:
    st.info(t("common.no_data"))
else:
    figure = go.Figure()
    figure.add_bar(x=series["day"], y=series["declarations"], name=t("kpi.declarations"))
    figure.add_scatter(
        x=series["day"],
        y=series["at_risk"],
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
shown = table.rename(
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
    column_config={t("column.rate"): st.column_config.NumberColumn(format="percent")},
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
)
st.download_button(
    t("overview.report"),
    report,
    file_name=f"kbyt-{day.isoformat()}.html",
    mime="text/html",
    icon=":material/download:",
)
