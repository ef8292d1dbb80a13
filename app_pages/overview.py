"""Overview for leadership and officers: the day's KPIs against yesterday and last week, the
trend over the chosen days, the table by district (or ward) and the forwardable report."""

from datetime import UTC, datetime, timedelta
from typing import Literal

import streamlit as st

from geo.admin_units import area_label
from i18n.numbers import full_date, whole_number
from reports.daily_report import render
from reports.figures import area_rows, average, rate, tiles
from reports.trend_chart import trend_figure
from rules.disclosure import threshold_for
from rules.kpis import default_day, is_partial
from ui import data
from ui.context import page_context
from ui.filters import request_area
from ui.formatting import table_height
from ui.runtime import language, settings, t

st.title(t("page.overview"))
context = page_context("overview")
config = settings()
url, zone, wards, chosen = config.database_url, config.timezone, context.wards, context.filter
lang = language()
now = datetime.now(UTC).astimezone(config.zone)
clock = now.strftime("%H:%M")

# The last full day by default: today's few hours would read as a fall against whole days.
day = st.date_input(
    t("kpi.day"),
    value=default_day(now, chosen.first_day, chosen.last_day),
    min_value=chosen.first_day,
    max_value=chosen.last_day,
    format="DD/MM/YYYY",
    key="overview_day",
    width=220,
)
under_way = is_partial(day, now)
kpis = data.kpis(url, day, zone, wards, now.hour + 1 if under_way else None)
week = kpis.week_average
day_period = (
    t("kpi.period.today", day=full_date(day, lang), time=clock)
    if under_way
    else t("kpi.period.day", day=full_date(day, lang))
)
st.subheader(day_period)
if under_way:
    st.caption(t("kpi.so_far", time=clock, hour=f"{now.hour + 1:02d}:00"))
elif chosen.last_day >= now.date():
    st.caption(t("kpi.full_day_note"))

# Command centre and leadership: counts below the threshold as "<n", and no change or rate that
# would give one away (rules/disclosure.py); other roles: n = 1, every figure exact.
n = threshold_for(context.scope.role if context.scope else None, config.small_count_threshold)
at_risk_week = round(week["at_risk"] * 7)
helps = {
    "declarations": t("kpi.declarations.help", avg=average(week["declarations"], 7, n, lang)),
    "at_risk": t(
        "kpi.at_risk.help",
        avg=f"{average(week['at_risk'], 7, n, lang)} "
        f"({rate(at_risk_week, week['risk_rate'], n, lang)})",
    ),
    "new_cases": t("kpi.new_cases.help"),
    "contacts_traced": t("kpi.contacts_traced.help"),
    "units": t("kpi.units.help", public=whole_number(kpis.units_by_sector["public"], lang)),
    "active_units": t("kpi.active_units.help"),
}
# A change is red or green only where a rise is bad news (rules.kpis.RISE_MEANING); no change
# and the figures whose rise means neither are grey.
colours: dict[str, Literal["green", "red", "gray"]] = {
    "good": "green",
    "bad": "red",
    "neutral": "gray",
}
against = t("kpi.against", day=(day - timedelta(days=1)).strftime("%d/%m"))
# On a tablet with the sidebar open a third of the page is ~190 px: "24 (0,79 %)" and
# "6.272 / 3.422" were cut to "24 (0,79…"; the figures shrink with the page and wrap instead.
st.html(
    "<style>.st-key-overview_tiles [data-testid='stMetricValue']"
    "{font-size:clamp(1.5rem,2.6vw,2.25rem)}"
    ".st-key-overview_tiles [data-testid='stMetricValue'] div,"
    ".st-key-overview_tiles [data-testid='stMetricLabel'] *"
    "{white-space:normal;overflow:visible;text-overflow:clip}</style>"
)
board = st.container(key="overview_tiles")
columns = [*board.columns(3), *board.columns(3)]
for column, tile in zip(columns, tiles(kpis, n, lang), strict=True):
    column.metric(
        t(f"kpi.{tile.key}"),
        tile.value,
        tile.change,
        delta_color=colours[tile.tone],
        delta_description=against if tile.change is not None else None,
        help=helps[tile.key],
    )
if n > 1:
    st.caption(t("overview.suppressed", n=n))
links = st.columns(3)
if context.scope and context.scope.allows_page("risk"):
    links[1].page_link("app_pages/risk.py", label=t("overview.see_risk"), icon=":material/list:")
links[0].page_link("app_pages/map.py", label=t("overview.see_map"), icon=":material/map:")

days_count = (chosen.last_day - chosen.first_day).days + 1
range_values = {
    "n": days_count,
    "first": chosen.first_day.strftime("%d/%m"),
    "last": chosen.last_day.strftime("%d/%m"),
    "time": clock,
}
range_period = (
    t("kpi.period.days_partial", **range_values)
    if is_partial(chosen.last_day, now)
    else t("kpi.period.days", **range_values)
)
series = data.series(url, chosen.first_day, chosen.last_day, zone, wards)
st.subheader(f"{t('overview.trend')} · {range_period}")
if series["declarations"].sum() == 0:
    st.info(t("common.no_data"))
else:
    figure = trend_figure(
        series,
        {
            "declarations": t("kpi.declarations"),
            "at_risk": t("kpi.at_risk"),
            "partial": t("kpi.partial_day", label=t("kpi.declarations"), time=clock),
            "until": t("kpi.until", time=clock),
        },
        now,
        n,
        lang,
    )
    st.plotly_chart(figure, config={"displayModeBar": False})

by = "ward" if chosen.district_code else "district"
table = data.areas(url, chosen.first_day, chosen.last_day, zone, wards, by)
st.subheader(t("overview.by_ward" if by == "ward" else "overview.by_area"))
st.caption(range_period)
shown = area_rows(table, n, lang).rename(
    columns={
        "name": t("column.area"),
        "declarations": t("column.declarations"),
        "at_risk": t("column.at_risk"),
        "risk_rate": t("column.rate"),
        "cases": t("column.cases"),
        "active_units": t("column.active_units"),
    }
)
# Figures are text in the reader's language (6.272; 0,88 %), aligned right as numbers are.
figures_right = {
    t(f"column.{name}"): st.column_config.TextColumn(alignment="right")
    for name in ("declarations", "at_risk", "rate", "cases", "active_units")
}
selection = st.dataframe(
    shown.drop(columns=["code"]),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="overview_table",
    column_config=figures_right,
    height=table_height(len(shown)),
)
rows = selection.selection.rows if selection else []
if rows:
    code = table.iloc[rows[0]]["code"]
    if by == "district":
        request_area(code)
    else:
        request_area(chosen.district_code, code)

area_name = area_label(chosen.district_code, chosen.ward_code) or t("area.city")
report_labels = {
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
    "period": day_period,
    "against": against,
    "range": range_period,
    "until": t("kpi.until", time=clock),
}
# Pressing the button does not run the page again (it cost 0.4-0.8 s of server time).
st.download_button(
    t("overview.report"),
    render(kpis, series, table, area_name, now, report_labels, threshold=n, language=lang),
    file_name=f"kbyt-{day.isoformat()}.html",
    mime="text/html",
    icon=":material/download:",
    on_click="ignore",
)
