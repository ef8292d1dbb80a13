"""Admin page."""

import streamlit as st

from ui.context import page_context
from ui.runtime import t

st.title(t("page.admin"))
context = page_context("admin")
st.info(t("common.coming", issue="issue [B]"))
