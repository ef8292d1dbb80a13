"""Map page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.map"))
context = page_context("map")
st.info(t("common.coming", issue="issue [C]"))
