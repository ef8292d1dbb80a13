"""Accounts: list, create (with the role's area), deactivate. No default passwords."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from queries.audit import about, record
from queries.users import create_user, list_users, set_active
from queries.venues import venue_id_for_ref
from rules.access import ROLES, AccessError, Scope
from rules.markdown import plain
from ui.admin.areas import district_names, ward_names
from ui.formatting import blank_missing, headers, local_times, table_height
from ui.runtime import engine, t


def users_tab(scope: Scope) -> None:
    with engine().connect() as connection:
        users = list_users(connection)
    frame = pd.DataFrame(users)
    districts = {"": "—", **district_names()}
    if not frame.empty:
        ward_of = {code: name for d in districts if d for code, name in ward_names(d).items()}
        frame = blank_missing(frame, ("venue_id",)).assign(
            role=frame["role"].map(lambda r: t(f"role.{r}")),
            district_code=frame["district_code"].map(lambda c: districts.get(c or "", "")),
            ward_code=frame["ward_code"].map(lambda c: ward_of.get(c, "") if c else ""),
            last_login_at=local_times(frame["last_login_at"], with_year=True),
        )
        st.dataframe(headers(frame), hide_index=True, height=table_height(len(frame)))

    st.subheader(t("admin.users.create"))
    # The district is outside the form so that the ward list is that district's wards only.
    district = st.selectbox(
        t("admin.users.district"), list(districts), format_func=districts.__getitem__,
        key="create_user_district", placeholder=t("admin.choose"),
    )  # fmt: skip
    wards = {"": "—", **(ward_names(district) if district else {})}
    with st.form("create_user", clear_on_submit=True):
        username = st.text_input(t("auth.username"), max_chars=64)
        role = st.selectbox(
            t("admin.users.role"), ROLES, format_func=lambda r: t(f"role.{r}"),
            placeholder=t("admin.choose"),
        )  # fmt: skip
        ward = st.selectbox(
            t("admin.users.ward"), list(wards), format_func=wards.__getitem__,
            placeholder=t("admin.choose"),
        )  # fmt: skip
        venue_ref = st.text_input(t("admin.users.venue"), max_chars=64)
        password = st.text_input(t("auth.password"), type="password", max_chars=200)
        sent = st.form_submit_button(t("admin.users.create"), type="primary")
    if sent:
        try:
            with engine().begin() as connection:
                venue_id = None
                if venue_ref.strip():
                    venue_id = venue_id_for_ref(connection, venue_ref)
                    if venue_id is None:
                        raise AccessError(f"unknown venue_ref {venue_ref.strip()!r}")
                create_user(
                    connection, username, password, role, district or None, ward or None, venue_id
                )
                record(
                    connection, scope.username, "edit",
                    about("user_created", role=role, username=username.strip().lower()),
                )  # fmt: skip
        except AccessError as error:
            st.error(plain(str(error)))
        else:
            st.success(t("admin.users.created", username=plain(username.strip().lower())))

    active = [u["username"] for u in users if u["active"] and u["username"] != scope.username]
    if active:
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            t("admin.users.deactivate"), active, key="deactivate_user",
            placeholder=t("admin.choose"),
        )  # fmt: skip
        if right.button(t("admin.users.deactivate"), key="deactivate_button"):
            with engine().begin() as connection:
                set_active(connection, chosen, False)
                record(
                    connection, scope.username, "edit", about("user_deactivated", username=chosen)
                )
            st.success(t("admin.users.deactivated", username=chosen))
