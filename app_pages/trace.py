"""Trace page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.trace"))
st.info(t("common.coming", issue="issue [D]"))
