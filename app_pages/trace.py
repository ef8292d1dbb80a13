"""Trace page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.trace"))
context = page_context("trace")
st.info(t("common.coming", issue="issue [D]"))
