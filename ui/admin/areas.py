"""District and ward choices for the administration forms: a district first, then that
district's wards, so no list is longer than a district's wards (the city has ~270). Built once
per process: the geography is the package's and does not change while the app runs."""

from __future__ import annotations

import streamlit as st

from geo.admin_units import hcmc_districts, hcmc_wards


@st.cache_data(ttl=None, show_spinner=False)
def district_names() -> dict[str, str]:
    """District code → name, in the package's order."""
    return {d.code: d.name for d in hcmc_districts()}


@st.cache_data(ttl=None, show_spinner=False)
def ward_names(district_code: str) -> dict[str, str]:
    """Ward code → name for one district's wards."""
    return {w.code: w.name for w in hcmc_wards() if w.district_code == district_code}


@st.cache_data(ttl=None, show_spinner=False)
def district_of_ward(ward_code: str) -> str | None:
    return next((w.district_code for w in hcmc_wards() if w.code == ward_code), None)
