"""Declare page (public)."""

import streamlit as st

from ui.auth import require
from ui.runtime import t

st.title(t("page.declare"))
require("declare")
st.info(t("common.coming", issue="issue [B]"))
