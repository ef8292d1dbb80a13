"""The shared filters (date range, district, ward) in the sidebar, kept in the session across
pages and written to the URL so that a filtered view can be shared as a link.

URL parameters: from, to (YYYY-MM-DD, local days, at most MAX_DAYS, from earliest_day to
today), district (3-digit code), ward (5-digit).
A scoped user (district or ward officer) chooses only inside their area; a link naming another
area is kept as given, so that the page shows nothing and says why (queries enforce the scope).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from queries.filters import Filter
from rules.access import Scope
from rules.local_time import today_local
from ui import data
from ui.runtime import settings, t

MAX_DAYS = 92
ALL = "all"  # the "whole city" / "all wards" choice (None would show an empty selectbox)
KEYS = {"dates": "filter_dates", "district": "filter_district", "ward": "filter_ward"}


def earliest_day(today: date) -> date:
    """The first day the date filter offers: a year back, or further when the data goes back
    further (the rollups keep their history after check-ins are purged)."""
    first_with_data = data.first_day(settings().database_url, settings().timezone)
    year_ago = today - timedelta(days=365)
    return min(year_ago, first_with_data) if first_with_data else year_ago


def _load_from_url(
    districts: pd.DataFrame, wards: pd.DataFrame, today: date, earliest: date
) -> list[str]:
    """Seed the widgets from the link once per session; return warnings for bad parameters."""
    params = st.query_params
    warnings: list[str] = []
    first, last = today - timedelta(days=6), today
    try:
        if "from" in params:
            first = date.fromisoformat(params["from"])
        if "to" in params:
            last = date.fromisoformat(params["to"])
        if first > last or (last - first).days >= MAX_DAYS or last > today or first < earliest:
            raise ValueError
    except ValueError:
        value = f"{params.get('from')}…{params.get('to')}"
        warnings.append(t("filter.bad_param", name="from/to", value=value))
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


def _choices(scope: Scope | None, districts: pd.DataFrame, wards: pd.DataFrame) -> tuple:
    """District and ward codes this user may pick ([ALL] first where the city is allowed)."""
    if scope is None or scope.ward_codes is None:
        return [ALL, *districts["code"]], None
    own = wards[wards["code"].isin(scope.ward_codes)]
    own_districts = sorted(set(own["district_code"]))
    return own_districts, set(own["code"])


def sidebar_filters(
    districts: pd.DataFrame, wards: pd.DataFrame, scope: Scope | None = None
) -> Filter:
    """Draw the filters in the sidebar and return the chosen Filter."""
    today = today_local(settings().zone)
    earliest = earliest_day(today)
    district_choices, ward_limit = _choices(scope, districts, wards)
    if "filter_loaded" not in st.session_state:
        st.session_state["filter_warnings"] = _load_from_url(districts, wards, today, earliest)
        st.session_state["filter_loaded"] = True
        if ALL not in district_choices and st.session_state[KEYS["district"]] == ALL:
            st.session_state[KEYS["district"]] = district_choices[0]
    elif KEYS["dates"] not in st.session_state and "filter" in st.session_state:
        # Streamlit forgets a widget's value on a run that does not draw it (a page without
        # filters): restore the widgets from the last filter.
        previous: Filter = st.session_state["filter"]
        st.session_state[KEYS["dates"]] = (previous.first_day, previous.last_day)
        st.session_state[KEYS["district"]] = previous.district_code or district_choices[0]
        st.session_state[KEYS["ward"]] = previous.ward_code or ALL
    pending = st.session_state.pop("filter_pending", None)
    if pending is not None:  # a click on a map or a table chose an area
        st.session_state[KEYS["district"]] = pending[0] or ALL
        st.session_state[KEYS["ward"]] = pending[1] or ALL
    for warning in st.session_state.get("filter_warnings", []):
        st.sidebar.warning(warning)

    chosen_district = st.session_state.get(KEYS["district"], ALL)
    if chosen_district not in district_choices:  # a link outside the scope: kept, and refused
        district_choices = [*district_choices, chosen_district]
    district_names = dict(zip(districts["code"], districts["name"], strict=True))
    with st.sidebar:
        st.subheader(t("filter.heading"))
        chosen = st.date_input(
            t("filter.dates"),
            min_value=earliest,
            max_value=today,
            format="DD/MM/YYYY",
            key=KEYS["dates"],
        )
        district = st.selectbox(
            t("filter.district"),
            district_choices,
            format_func=lambda code: district_names.get(code, t("filter.all_districts")),
            key=KEYS["district"],
            on_change=_district_changed,
        )
        allowed = [
            code
            for code in wards.loc[wards["district_code"] == district, "code"]
            if ward_limit is None or code in ward_limit
        ]
        ward_choices = allowed if ward_limit and len(allowed) == 1 else [ALL, *allowed]
        chosen_ward = st.session_state.get(KEYS["ward"], ALL)
        if chosen_ward not in ward_choices:
            if chosen_ward == ALL:  # a ward officer has no "all wards"
                st.session_state[KEYS["ward"]] = ward_choices[0]
            else:  # a link outside the scope: kept, and refused
                ward_choices.append(chosen_ward)
        ward_names = dict(zip(wards["code"], wards["name"], strict=True))
        ward = st.selectbox(
            t("filter.ward"),
            ward_choices,
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


def request_area(district_code: str | None, ward_code: str | None = None) -> None:
    """Choose an area from a page (a clicked district): applied before the next run draws the
    filters, since a drawn widget's value cannot change in the same run."""
    st.session_state["filter_pending"] = (district_code, ward_code)
    st.rerun()


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
