"""How to declare (residents) and how to run a venue's checkpoint (units). Public."""

import streamlit as st

from ui.auth import require
from ui.runtime import settings, t

st.title(t("page.guide"))
require("guide")
residents, units = st.tabs([t("guide.residents"), t("guide.units")])
with residents:
    st.markdown(t("guide.residents.body", days=settings().retention_days))
with units:
    st.markdown(t("guide.units.body", procedure=settings().default_procedure))
