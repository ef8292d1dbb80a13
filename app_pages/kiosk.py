"""The checkpoint kiosk for venue staff: declare for a person who needs help, or confirm a code
declared in advance. Residents declare on the plain form their venue's QR opens
(web/declare_form.py); this page needs a signed-in account with a venue (or a district
officer's area)."""

from datetime import UTC, datetime

import streamlit as st

from queries.declarations import AdvanceError, confirm_advance, declare, venue_by_id
from ui import declaration_form as form
from ui.auth import require_signed_in
from ui.runtime import checkout_key, engine, settings, t

st.title(t("page.kiosk"))
scope = require_signed_in("kiosk")
high_risk = settings().risk.high_risk_symptoms
RESULT = "kiosk_result"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


venue_ids = sorted(scope.venue_ids) if scope and scope.venue_ids else []
if not venue_ids:
    st.info(t("declare.no_venue"))
    st.stop()
with engine().connect() as connection:
    choices = [v for v in (venue_by_id(connection, i) for i in venue_ids) if v is not None]
venue = st.selectbox(t("declare.kiosk_venue"), choices, format_func=lambda v: v.name)
if not venue.active:
    st.warning(t("declare.inactive"))
    st.stop()

mode = st.segmented_control(
    " ", ("staff", "confirm"), default="staff", format_func=lambda m: t(f"declare.mode.{m}"),
    key="declare_mode", label_visibility="collapsed",
) or "staff"  # fmt: skip

# Every attempt replaces what the screen showed: the next person must never see the last
# person's confirmation under a failed code or a form with errors.
if mode == "staff":
    declarant = form.one_person("staff", clear=True)
    if declarant:
        with engine().begin() as connection:
            st.session_state[RESULT] = declare(
                connection, venue.id, [declarant], "staff", now(), form.submission_key("staff"),
                checkout_key(), high_risk_symptoms=high_risk,
            )  # fmt: skip
        form.new_submission("staff")
    elif form.was_sent("staff"):
        st.session_state.pop(RESULT, None)
else:
    with st.form("confirm_advance", clear_on_submit=True):
        typed = st.text_input(t("declare.code"), max_chars=12, placeholder="ABCD-EFGH")
        sent = st.form_submit_button(t("declare.confirm"), type="primary")
    if sent:
        st.session_state.pop(RESULT, None)
        try:
            with engine().begin() as connection:
                confirmed = confirm_advance(
                    connection, typed, scope.venue_ids, scope.username, now(), checkout_key(),
                    high_risk,
                )  # fmt: skip
        except AdvanceError as error:
            st.error(t(str(error)))
        else:
            st.session_state[RESULT] = [confirmed]

shown = st.session_state.get(RESULT)
if shown:
    st.divider()
    form.confirmation(venue, shown)
