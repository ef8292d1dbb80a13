"""The command centre's wall screen: dark, large figures, the city map, the last hour's alerts
as counts (small counts suppressed, no personal data), refreshing itself. Its state lives in the
URL (?district=…&metric=…, ?rotate=1 to show each district in turn) so a screen can be
bookmarked. A registered wall screen (or ?kiosk=1) gets the kiosk layout: no sidebar, no
Streamlit chrome; every size follows the screen (ui/wall_layout.py). Today's ward hot spots
(ui/hot_spots.py) are outlined on the map and named beside it, above the space-time clusters
and the venues crowded now."""

from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.exc import DBAPIError
from streamlit_folium import st_folium

from geo.admin_units import area_label, hcmc_districts
from geo.maps import choropleth, city_shapes, class_labels
from geo.wall_map import dress_for_wall, legend_html
from queries.area import allowed_wards
from queries.filters import Filter
from queries.sessions import WALL_SCREEN_PREFIX
from reports.figures import count
from rules.disclosure import AREA_RATES, hidden_on_map
from ui import data, hot_spots
from ui.auth import require_signed_in
from ui.clusters_panel import clusters_compact
from ui.crowding import wall_block
from ui.runtime import language, settings, t
from ui.wall_layout import MAP_LABEL_VH, badge_html, board_css, rotation_index

scope = require_signed_in("wall")
config = settings()
kiosk = scope.username.startswith(WALL_SCREEN_PREFIX) or st.query_params.get("kiosk") == "1"
st.html(board_css(kiosk))
codes = [d.code for d in hcmc_districts()]
fixed_district = st.query_params.get("district")
if fixed_district not in codes:
    fixed_district = None
# Rotation is for a city-wide screen: a screen scoped to a district stays on it.
rotate = st.query_params.get("rotate") == "1" and fixed_district is None and not scope.district_code
metric = st.query_params.get("metric", "declarations")
if metric not in ("declarations", "at_risk", "risk_rate", "cases"):
    metric = "declarations"


@st.fragment(run_every=timedelta(seconds=config.wall_refresh_seconds))
def board() -> None:
    moment = datetime.now(UTC)
    now = moment.replace(second=0, microsecond=0)
    local = now.astimezone(config.zone)
    district = (
        codes[rotation_index(moment, config.wall_refresh_seconds, len(codes))]
        if rotate
        else fixed_district
    )
    last = st.session_state.get("wall_updated_at")
    head = st.columns([3, 2], vertical_alignment="center")
    head[0].title(f"{t('wall.title')} — {area_label(district) or t('area.city')}")
    badge = head[1].empty()
    try:
        draw(now, local, district)
    except DBAPIError:
        # An unattended screen must not keep old figures as if they were current: it says
        # since when it has not been able to refresh, and tries again at the next tick.
        minutes = int((local - last).total_seconds() // 60) if last else None
        badge.html(badge_html(
            "old", t("wall.old", minutes=minutes if minutes is not None else "—"),
            t("wall.lost", time=last.strftime("%H:%M") if last else "—"),
            config.wall_refresh_seconds, moment,
        ))  # fmt: skip
        st.error(
            t("wall.stale", time=last.strftime("%H:%M") if last else "—",
              seconds=config.wall_refresh_seconds)
        )  # fmt: skip
        return
    st.session_state["wall_updated_at"] = local
    badge.html(badge_html(
        "live", t("wall.live", time=local.strftime("%H:%M")),
        t("wall.lost", time=local.strftime("%H:%M")), config.wall_refresh_seconds, moment,
    ))  # fmt: skip


def draw(now: datetime, local: datetime, district: str | None) -> None:
    today = local.date()
    wards = allowed_wards(Filter(today, today, district), scope)
    if wards is not None and not wards:
        st.warning(t("auth.outside_scope"))
        return
    n = config.small_count_threshold
    lang = language()
    kpis = data.kpis(config.database_url, today, config.timezone, wards, local.hour + 1)
    hour = data.last_hour(config.database_url, now, wards)
    cases = data.open_cases(config.database_url, wards)
    figures = data.areas(config.database_url, today, today, config.timezone, wards,
                         "ward" if district else "district")  # fmt: skip

    left, right = st.columns([3, 2], gap="medium")
    shapes = city_shapes(str(config.boundary_file) if config.boundary_file else None)
    areas = (
        shapes.wards[shapes.wards["district_code"] == district] if district else shapes.districts
    )
    hidden = hidden_on_map(figures, metric, AREA_RATES, n)
    fig, bounds, colours = choropleth(
        areas[["code", "name", "geometry"]],
        figures.drop(columns=["name"]).assign(
            shown=[count(int(v), n, lang) for v in figures["declarations"]], hidden=hidden
        ),
        metric,
        [("shown", t("kpi.declarations"))],
        config.map,
        hidden="hidden",  # small figures in one grey class, not in the colour classes
    )
    approximate = district or shapes.source == "voronoi"
    legend = legend_html(
        t(f"map.metric.{metric}") + " · " + t("wall.today"), bounds, colours,
        labels=class_labels(bounds, share=metric == "risk_rate", language=lang),
        suppressed_below=n if bool(hidden.any()) else None,
        note=t(f"wall.map_note.{shapes.source}") if approximate else "",
    )  # fmt: skip
    # Today's ward hot spots (Gi*, the whole area the screen may read): outlined on the map,
    # named beside it.
    hot = hot_spots.in_district(hot_spots.hot_spots_for(today, 1, scope), district)
    hot_spots.add_layer(fig, shapes.wards, hot, on_wall=True)
    dress_for_wall(fig, areas[["code", "name", "geometry"]], legend, label_vh=MAP_LABEL_VH,
                   inset=None if district else t("wall.inset"))  # fmt: skip
    with left:
        # The frame's height is set by CSS in viewport units (ui/wall_layout.MAP_VH); this
        # height is only what Streamlit reserves before the CSS applies.
        st_folium(fig, height=640, use_container_width=True, returned_objects=[],
                  key=f"wall_map_{district}")  # fmt: skip
    with right:
        tiles = [
            (f"{t('wall.today')}: {t('kpi.declarations')}", kpis.today.declarations),
            (f"{t('wall.today')}: {t('kpi.at_risk')}", kpis.today.at_risk),
            (t("wall.open_cases"), sum(cases.values())),
            (t("kpi.active_units"), kpis.today.active_units),
        ]
        with st.container(key="wall_tiles"):
            for row in (tiles[:2], tiles[2:]):
                for column, (label, value) in zip(st.columns(2), row, strict=True):
                    column.metric(label, count(value, n, lang))
        if rotate:
            st.caption(t("wall.rotating"))
        hot_spots.wall_line(hot)
        clusters_compact(config.database_url, today, config.timezone, config.clusters, wards, n)
        # Venues crowded now (ui/crowding.py): counts only, refreshed with the rest.
        wall_block(wards, now, n, lang)

    # The last hour's alerts: a strip across the screen, red while there are any.
    quiet = hour["alerts"] == 0 and hour["high"] == 0
    with st.container(key="wall_strip_quiet" if quiet else "wall_strip_alert"):
        strip = st.columns([1.4, 3, 2, 2], vertical_alignment="center")
        strip[0].html(f'<div class="wall-strip-title">{t("wall.last_hour")}</div>')
        strip[1].metric(t("wall.alerts"), count(hour["alerts"], n, lang))
        strip[2].metric(t("wall.high"), count(hour["high"], n, lang))
        strip[3].metric(t("wall.medium"), count(hour["medium"], n, lang))
    with st.container(key="wall_foot"):
        st.caption(
            t("wall.updated", time=local.strftime("%H:%M"), seconds=config.wall_refresh_seconds)
            + " · "
            + t("wall.suppressed", n=n)
        )


board()
