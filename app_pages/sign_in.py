"""Sign in: the way to the sign-in form, single sign-on, or the first administrator."""

import streamlit as st

from ui.auth import sign_in_page
from ui.runtime import t

st.title(t("page.sign_in"))
sign_in_page()
