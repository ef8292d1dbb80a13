"""Overview page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.overview"))
context = page_context("overview")
st.info(t("common.coming", issue="issue [C]"))
