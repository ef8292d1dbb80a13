"""Wall page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.wall"))
context = page_context("wall")
st.info(t("common.coming", issue="issue [C]"))
