"""The command centre's wall screen: dark, large figures, the city map, the last hour's alerts
as counts (small counts suppressed, no personal data), refreshing itself. Its state lives in the
URL (?district=…&metric=…) so a screen can be bookmarked."""

from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.exc import DBAPIError
from streamlit_folium import st_folium

from geo.admin_units import area_label, hcmc_districts
from geo.maps import choropleth, city_shapes
from queries.area import allowed_wards
from queries.filters import Filter
from rules.disclosure import AREA_RATES, hidden_on_map, shown_count
from ui import data
from ui.auth import require
from ui.runtime import settings, t

DARK = """
<style>
[data-testid="stAppViewContainer"], [data-testid="stHeader"], [data-testid="stSidebar"]
  {background: #0e1117}
[data-testid="stMain"] h1, [data-testid="stMain"] h3, [data-testid="stMain"] p,
[data-testid="stMetricLabel"] *, [data-testid="stSidebar"] * {color: #e0e0e0 !important}
[data-testid="stMetricValue"] {font-size: 3.2rem !important; color: #ffffff !important}
[data-testid="stSidebar"] button {background: #21262d !important}
</style>
"""

scope = require("wall")
config = settings()
st.html(DARK)
district = st.query_params.get("district")
if district not in {d.code for d in hcmc_districts()}:
    district = None
metric = st.query_params.get("metric", "declarations")
if metric not in ("declarations", "at_risk", "risk_rate", "cases"):
    metric = "declarations"
st.title(f"{t('wall.title')} — {area_label(district) or t('area.city')}")


@st.fragment(run_every=timedelta(seconds=config.wall_refresh_seconds))
def board() -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    local = now.astimezone(config.zone)
    try:
        draw(now, local)
    except DBAPIError:
        # An unattended screen must not keep old figures as if they were current: it says
        # since when it has not been able to refresh, and tries again at the next tick.
        last = st.session_state.get("wall_updated_at")
        st.error(
            t("wall.stale", time=last.strftime("%H:%M") if last else "—",
              seconds=config.wall_refresh_seconds)
        )  # fmt: skip
        return
    st.session_state["wall_updated_at"] = local


def draw(now: datetime, local: datetime) -> None:
    today = local.date()
    wards = allowed_wards(Filter(today, today, district), scope)
    if wards is not None and not wards:
        st.warning(t("auth.outside_scope"))
        return
    n = config.small_count_threshold
    kpis = data.kpis(config.database_url, today, config.timezone, wards, local.hour + 1)
    hour = data.last_hour(config.database_url, now, wards)
    cases = data.open_cases(config.database_url, wards)
    figures = data.areas(config.database_url, today, today, config.timezone, wards,
                         "ward" if district else "district")  # fmt: skip
    top = st.columns(4)
    top[0].metric(
        f"{t('wall.today')}: {t('kpi.declarations')}", shown_count(kpis.today.declarations, n)
    )
    top[1].metric(f"{t('wall.today')}: {t('kpi.at_risk')}", shown_count(kpis.today.at_risk, n))
    top[2].metric(t("wall.open_cases"), shown_count(sum(cases.values()), n))
    top[3].metric(t("kpi.active_units"), shown_count(kpis.today.active_units, n))
    st.markdown(f"### {t('wall.last_hour')}")
    bottom = st.columns(3)
    bottom[0].metric(t("wall.alerts"), shown_count(hour["alerts"], n))
    bottom[1].metric(t("wall.high"), shown_count(hour["high"], n))
    bottom[2].metric(t("wall.medium"), shown_count(hour["medium"], n))

    shapes = city_shapes(str(config.boundary_file) if config.boundary_file else None)
    areas = (
        shapes.wards[shapes.wards["district_code"] == district] if district else shapes.districts
    )
    fig, _, _ = choropleth(
        areas[["code", "name", "geometry"]],
        figures.drop(columns=["name"]).assign(
            shown=[shown_count(int(v), n) for v in figures["declarations"]],
            hidden=hidden_on_map(figures, metric, AREA_RATES, n),
        ),
        metric,
        [("shown", t("kpi.declarations"))],
        config.map,
        hidden="hidden",  # small figures in one grey class, not in the colour classes
    )
    st_folium(fig, height=520, use_container_width=True, returned_objects=[], key="wall_map")
    st.caption(
        t("wall.updated", time=local.strftime("%H:%M"), seconds=config.wall_refresh_seconds)
        + " · "
        + t("wall.suppressed", n=n)
    )


board()
