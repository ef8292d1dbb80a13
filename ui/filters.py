"""The shared filters (date range, district, ward) in the sidebar, kept in the session across
pages and written to the URL so that a filtered view can be shared as a link.

URL parameters: from, to (YYYY-MM-DD, local days), district (3-digit code), ward (5-digit).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from queries.filters import Filter
from rules.local_time import today_local
from ui.runtime import settings, t

MAX_DAYS = 92
ALL = "all"  # the "whole city" / "all wards" choice (None would show an empty selectbox)
KEYS = {"dates": "filter_dates", "district": "filter_district", "ward": "filter_ward"}


def _parse_day(text: str) -> date:
    return date.fromisoformat(text)


def _load_from_url(districts: pd.DataFrame, wards: pd.DataFrame, today: date) -> list[str]:
    """Seed the widgets from the link once per session; return warnings for bad parameters."""
    params = st.query_params
    warnings: list[str] = []
    first, last = today - timedelta(days=6), today
    try:
        if "from" in params:
            first = _parse_day(params["from"])
        if "to" in params:
            last = _parse_day(params["to"])
        if first > last or (last - first).days >= MAX_DAYS or last > today:
            raise ValueError
    except ValueError:
        warnings.append(
            t("filter.bad_param", name="from/to", value=f"{params.get('from')}…{params.get('to')}")
        )
        first, last = today - timedelta(days=6), today
    district = params.get("district")
    if district is not None and district not in set(districts["code"]):
        warnings.append(t("filter.bad_param", name="district", value=district))
        district = None
    ward = params.get("ward")
    if ward is not None:
        row = wards[wards["code"] == ward]
        if row.empty or (district is not None and row.iloc[0]["district_code"] != district):
            warnings.append(t("filter.bad_param", name="ward", value=ward))
            ward = None
        else:
            district = row.iloc[0]["district_code"]
    st.session_state[KEYS["dates"]] = (first, last)
    st.session_state[KEYS["district"]] = district or ALL
    st.session_state[KEYS["ward"]] = ward or ALL
    return warnings


def _district_changed() -> None:
    st.session_state[KEYS["ward"]] = ALL


def sidebar_filters(districts: pd.DataFrame, wards: pd.DataFrame) -> Filter:
    """Draw the filters in the sidebar and return the chosen Filter."""
    today = today_local(settings().zone)
    if "filter_loaded" not in st.session_state:
        st.session_state["filter_warnings"] = _load_from_url(districts, wards, today)
        st.session_state["filter_loaded"] = True
    for warning in st.session_state.get("filter_warnings", []):
        st.sidebar.warning(warning)

    district_names = dict(zip(districts["code"], districts["name"], strict=True))
    with st.sidebar:
        st.subheader(t("filter.heading"))
        chosen = st.date_input(
            t("filter.dates"),
            min_value=today - timedelta(days=365),
            max_value=today,
            format="DD/MM/YYYY",
            key=KEYS["dates"],
        )
        district = st.selectbox(
            t("filter.district"),
            [ALL, *districts["code"]],
            format_func=lambda code: district_names.get(code, t("filter.all_districts")),
            key=KEYS["district"],
            on_change=_district_changed,
        )
        in_district = wards[wards["district_code"] == district]
        ward_names = dict(zip(in_district["code"], in_district["name"], strict=True))
        ward = st.selectbox(
            t("filter.ward"),
            [ALL, *in_district["code"]],
            format_func=lambda code: ward_names.get(code, t("filter.all_wards")),
            key=KEYS["ward"],
            disabled=district == ALL,
        )
    first, last = _range(chosen, today)
    district_code = None if district == ALL else district
    ward_code = None if ward == ALL or district_code is None else ward
    current = Filter(first, last, district_code, ward_code)
    _write_to_url(current)
    return current


def _range(chosen: object, today: date) -> tuple[date, date]:
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        return chosen[0], chosen[1]
    if isinstance(chosen, tuple | list) and len(chosen) == 1:
        return chosen[0], chosen[0]  # the second day is still being picked
    if isinstance(chosen, date):
        return chosen, chosen
    return today - timedelta(days=6), today


def _write_to_url(current: Filter) -> None:
    wanted = {
        "from": current.first_day.isoformat(),
        "to": current.last_day.isoformat(),
        "district": current.district_code,
        "ward": current.ward_code,
    }
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
