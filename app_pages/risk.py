"""Risk page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.risk"))
context = page_context("risk")
st.info(t("common.coming", issue="issue [C]"))
