"""Guide page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.guide"))
st.info(t("common.coming", issue="issue [B]"))
