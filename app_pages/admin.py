"""Admin page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.admin"))
st.info(t("common.coming", issue="issue [B]"))
