"""Declare page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.declare"))
st.info(t("common.coming", issue="issue [B]"))
