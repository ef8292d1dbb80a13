"""Venues page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.venues"))
context = page_context("venues")
st.info(t("common.coming", issue="issue [C]"))
