"""Heat map: districts (or a district's wards) coloured by a chosen figure, a density layer of
check-ins, tooltips with the figures; clicking a district filters the whole app to it. Below,
the ward hot spots of the last chosen day (or the 3 days ending on it), as a layer and a table."""

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import SUPPRESSED_COLOUR, add_density, choropleth, city_shapes
from i18n.numbers import percent, whole_number
from reports.figures import count, rate
from rules.disclosure import AREA_RATES, hidden_on_map, threshold_for, without_small
from ui import data, hot_spots
from ui.clusters_panel import clusters_panel
from ui.context import page_context
from ui.filters import request_area
from ui.runtime import language, settings, t

METRICS = ("declarations", "at_risk", "risk_rate", "cases")

st.title(t("page.map"))
context = page_context("map")
config = settings()
chosen, wards = context.filter, context.wards
# Command centre and leadership: small counts as "<n" in tooltips, such areas in a grey class of
# their own and legend bounds only from the figures that may be shown (rules/disclosure.py).
n = threshold_for(context.scope.role if context.scope else None, config.small_count_threshold)

left, right = st.columns([3, 1])
metric = (
    left.segmented_control(
        t("map.metric"),
        METRICS,
        default="declarations",
        format_func=lambda m: t(f"map.metric.{m}"),
        key="map_metric",
    )
    or "declarations"
)
with_density = right.toggle(t("map.density"), value=False, key="map_density")
with_hot_spots = right.toggle(t("hot.layer"), value=False, key="map_hot_spots")
days = hot_spots.window_choice(right, "map_hot_window")
hot = hot_spots.in_district(
    hot_spots.hot_spots_for(chosen.last_day, days, context.scope), chosen.district_code
)

shapes = city_shapes(str(config.boundary_file) if config.boundary_file else None)
by = "ward" if chosen.district_code else "district"
figures = data.areas(
    config.database_url, chosen.first_day, chosen.last_day, config.timezone, wards, by
)
areas = shapes.wards if by == "ward" else shapes.districts
if chosen.district_code:
    areas = areas[areas["district_code"] == chosen.district_code]
elif wards is not None:
    areas = areas[areas["code"].isin(figures["code"])]
# Tooltips in the reader's language (6.272; 0,88 %), small counts withheld.
lang = language()
shown = figures.assign(
    **{
        f"{column}_text": [count(int(value), n, lang) for value in figures[column]]
        for column in ("declarations", "at_risk", "cases")
    },
    risk_rate_text=[
        rate(int(top), float(value), n, lang)
        for top, value in zip(figures["at_risk"], figures["risk_rate"], strict=True)
    ],
    hidden=hidden_on_map(figures, metric, AREA_RATES, n),
)
fig, bounds, colours = choropleth(
    areas[["code", "name", "geometry"]],
    shown.drop(columns=["name"]),
    metric,
    [
        ("declarations_text", t("column.declarations")),
        ("at_risk_text", t("column.at_risk")),
        ("risk_rate_text", t("column.rate")),
        ("cases_text", t("column.cases")),
    ],
    config.map,
    highlight=chosen.ward_code,
    hidden="hidden",
)
if with_density:
    points = data.density(
        config.database_url, chosen.first_day, chosen.last_day, config.timezone, wards
    )
    # A venue with a few check-ins is not drawn for roles that see small counts suppressed.
    add_density(fig, without_small(points, "weight", n), config.map)
if with_hot_spots:
    hot_spots.add_layer(fig, shapes.wards, hot)

clicked = st_folium(
    fig,
    height=560,
    use_container_width=True,
    returned_objects=["last_active_drawing"],
    key=f"map_{by}_{chosen.district_code}_{metric}_{with_density}_{with_hot_spots}_{days}",
)
feature = (clicked or {}).get("last_active_drawing") or {}
code = (feature.get("properties") or {}).get("code")
if code and by == "district" and code != chosen.district_code:
    request_area(code)
elif code and by == "ward" and code != chosen.ward_code:
    request_area(chosen.district_code, code)

fmt = (
    (lambda v: percent(v, 2, lang)) if metric == "risk_rate" else (lambda v: whole_number(v, lang))
)
legend = " ".join(
    f'<span style="background:{colour};padding:2px 10px;margin-right:4px;'
    f'border:1px solid #999">&nbsp;</span>≤ {fmt(bound)}'
    for bound, colour in zip(bounds, colours, strict=True)
)
if shown["hidden"].any():
    legend = (
        f'<span style="background:{SUPPRESSED_COLOUR};padding:2px 10px;margin-right:4px;'
        f'border:1px solid #999">&nbsp;</span>&lt;{n} ' + legend
    )
st.markdown(
    f"**{t('map.legend')}** ({t(f'map.metric.{metric}')}): {legend}", unsafe_allow_html=True
)
if n > 1:
    st.caption(t("map.suppressed", n=n))
st.caption(t(f"map.shapes.{shapes.source}"))
if not config.map.tiles:
    st.caption(t("map.no_tiles"))
if by == "district":
    st.caption(t("map.click"))
if with_hot_spots:
    st.markdown(hot_spots.legend(), unsafe_allow_html=True)
hot_spots.hot_table(hot, n, days, chosen.last_day)

# Space-time clusters of at-risk declarations still going on on the chosen range's last day.
clusters_panel(
    config.database_url, chosen.last_day, config.timezone, config.clusters, wards,
    context.scope, n,
)  # fmt: skip
