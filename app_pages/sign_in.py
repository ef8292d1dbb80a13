"""Sign in with a local account or the city's single sign-on."""

import streamlit as st

from ui.auth import sign_in_form
from ui.runtime import t

st.title(t("page.sign_in"))
sign_in_form()
