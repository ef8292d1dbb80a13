"""Wall page."""

import streamlit as st

from ui.runtime import t

st.title(t("page.wall"))
st.info(t("common.coming", issue="issue [C]"))
