"""Wall screens and open sessions: register a command-centre screen (its device link is shown
once), revoke one, and see who is signed in where."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from queries.audit import about, record
from queries.sessions import (
    WallScreenError,
    add_wall_screen,
    list_wall_screens,
    open_sessions,
    revoke_wall_screen,
    wall_screen_link,
)
from rules.access import Scope
from rules.markdown import plain
from ui.admin.areas import district_names
from ui.formatting import headers, local_times
from ui.runtime import engine, settings, t


def screens_tab(scope: Scope) -> None:
    now = datetime.now(UTC)
    with engine().connect() as connection:
        screens = list_wall_screens(connection)
        sessions = open_sessions(connection, now, settings().sessions)
    districts = {"": t("area.city"), **district_names()}

    st.subheader(t("admin.screens.title"))
    st.caption(t("admin.screens.help", days=settings().sessions.wall_screen_days))
    if screens:
        frame = pd.DataFrame(screens)
        frame["district_code"] = frame["district_code"].map(lambda c: districts.get(c or ""))
        for column in ("created_at", "last_seen_at", "revoked_at"):
            frame[column] = local_times(frame[column], with_year=True)
        st.dataframe(headers(frame), hide_index=True)
    with st.form("add_wall_screen", clear_on_submit=True):
        name = st.text_input(t("admin.screens.name"), max_chars=80)
        district = st.selectbox(
            t("column.district"), list(districts), format_func=districts.__getitem__,
            key="screen_district", placeholder=t("admin.choose"),
        )  # fmt: skip
        sent = st.form_submit_button(t("admin.screens.add"), type="primary")
    if sent:
        try:
            with engine().begin() as connection:
                secret = add_wall_screen(connection, name, district or None, scope.username, now)
                record(
                    connection, scope.username, "wall_screen.add",
                    about("wall_screen", name=" ".join(name.split())), detail=district or "city",
                )  # fmt: skip
        except WallScreenError as error:
            st.error(plain(str(error)))
        else:
            st.success(t("admin.screens.added"))
            st.code(wall_screen_link(settings().public_base_url, secret), language=None)

    active = [s["name"] for s in screens if s["revoked_at"] is None]
    if active:
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            t("admin.screens.revoke"), active, key="revoke_screen", placeholder=t("admin.choose")
        )
        if right.button(t("admin.screens.revoke"), key="revoke_screen_button"):
            with engine().begin() as connection:
                if revoke_wall_screen(connection, chosen, now):
                    record(connection, scope.username, "wall_screen.revoke",
                           about("wall_screen", name=chosen))  # fmt: skip
            st.success(t("admin.screens.revoked", name=plain(chosen)))

    st.subheader(t("admin.sessions.title"))
    st.caption(
        t("admin.sessions.help", idle=settings().sessions.idle_minutes,
          hours=settings().sessions.lifetime_hours)
    )  # fmt: skip
    if sessions:
        frame = pd.DataFrame(sessions).drop(columns=["id"])
        for column in ("created_at", "last_seen_at", "expires_at"):
            frame[column] = local_times(frame[column], with_year=True)
        frame["method"] = frame["method"].map(lambda m: t(f"admin.sessions.method.{m}"))
        st.dataframe(headers(frame), hide_index=True)
