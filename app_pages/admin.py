"""Administration: the venue registry and QR posters, imports, accounts, wall screens and
sessions, audit log, retention."""

import streamlit as st

from ui.admin.audit import audit_tab
from ui.admin.imports import imports_tab
from ui.admin.retention import retention_tab
from ui.admin.screens import screens_tab
from ui.admin.users import users_tab
from ui.admin.venues import venue_tab
from ui.auth import require_signed_in
from ui.runtime import t

st.title(t("page.admin"))
scope = require_signed_in("admin")
venues, imports, users, screens, audit, retention = st.tabs(
    [
        t("admin.tab.venues"),
        t("admin.tab.imports"),
        t("admin.tab.users"),
        t("admin.tab.screens"),
        t("admin.tab.audit"),
        t("admin.tab.retention"),
    ]
)
with venues:
    venue_tab(scope)
with imports:
    imports_tab(scope)
with users:
    users_tab(scope)
with screens:
    screens_tab(scope)
with audit:
    audit_tab()
with retention:
    retention_tab(scope)
