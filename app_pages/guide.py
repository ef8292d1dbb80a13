"""Guide page (public)."""

import streamlit as st

from ui.auth import require
from ui.runtime import t

st.title(t("page.guide"))
require("guide")
st.info(t("common.coming", issue="issue [B]"))
