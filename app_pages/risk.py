"""Risk page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.risk"))
st.info(t("common.coming", issue="issue [C]"))
