"""The health declaration, reached by a venue's QR (?v=<token>): for oneself, for people
without a smartphone, or in advance; and for venue staff, the checkpoint kiosk and the
confirmation of advance codes. Check-out later with ?checkout=<code>. No sign-in needed."""

from datetime import UTC, datetime

import streamlit as st

from queries.declarations import (
    AdvanceError,
    check_out,
    confirm_advance,
    declare,
    declare_in_advance,
    venue_by_id,
    venue_for_token,
)
from reports.qr_poster import qr_png
from rules.markdown import plain
from ui import declaration_form as form
from ui.auth import require
from ui.runtime import checkout_key, engine, settings, t

st.title(t("page.declare"))
scope = require("declare")
config = settings()
high_risk = config.risk.high_risk_symptoms


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


code = st.query_params.get("checkout")
if code:
    if st.button(t("declare.checkout"), type="primary", key="checkout_button"):
        with engine().begin() as connection:
            done = check_out(connection, code, checkout_key(), now())
        (st.success if done else st.error)(
            t("declare.checked_out" if done else "declare.checkout_failed")
        )
    st.stop()

token = st.query_params.get("v")
kiosk_venues = sorted(scope.venue_ids) if scope and scope.venue_ids else []
if token:
    with engine().connect() as connection:
        venue = venue_for_token(connection, token)
    if venue is None:
        st.error(t("declare.bad_token"))
        st.stop()
elif kiosk_venues:
    with engine().connect() as connection:
        choices = [venue_by_id(connection, v) for v in kiosk_venues]
    venue = st.selectbox(t("declare.kiosk_venue"), choices, format_func=lambda v: v.name)
else:
    st.info(t("declare.no_token"))
    st.page_link("app_pages/guide.py", label=t("page.guide"), icon=":material/help:")
    st.stop()
if not venue.active:
    st.warning(t("declare.inactive"))
    st.stop()
st.markdown(f"{t('declare.at')}: **{plain(venue.name)}**  \n{plain(venue.address)}")

kiosk = bool(kiosk_venues) and not token
modes = ("staff", "confirm") if kiosk else ("self", "proxy", "advance")
mode = st.segmented_control(
    " ", modes, default=modes[0], format_func=lambda m: t(f"declare.mode.{m}"),
    key="declare_mode", label_visibility="collapsed",
) or modes[0]  # fmt: skip

shown = st.session_state.get("declare_confirmations")
if shown:
    form.confirmation(venue, shown)
    if not kiosk:
        if st.session_state.get("checkout_code"):
            if st.button(t("declare.checkout"), key="checkout_now"):
                with engine().begin() as connection:
                    done = check_out(
                        connection, st.session_state["checkout_code"], checkout_key(), now()
                    )
                message = "declare.checked_out" if done else "declare.checkout_failed"
                (st.success if done else st.error)(t(message))
            st.caption(t("declare.checkout_link", link=st.session_state["checkout_link"]))
        if st.button(t("declare.again"), key="declare_again"):
            for name in ("declare_confirmations", "checkout_code", "checkout_link"):
                st.session_state.pop(name, None)
            st.rerun()
        st.stop()  # for a resident, the confirmation is the whole screen
    st.divider()

if mode in ("self", "staff"):
    declarant = form.one_person(mode, with_details=mode == "self", clear=mode == "staff")
    if declarant:
        with engine().begin() as connection:
            confirmations = declare(
                connection, venue.id, [declarant], mode, now(), form.submission_key(mode),
                checkout_key(), high_risk_symptoms=high_risk,
            )  # fmt: skip
        form.new_submission(mode)
        code = confirmations[0].checkout_code
        st.session_state["declare_confirmations"] = confirmations
        st.session_state["checkout_code"] = code
        st.session_state["checkout_link"] = (
            f"{config.public_base_url.rstrip('/')}/declare?checkout={code}"
        )
        st.rerun()

elif mode == "proxy":
    count = int(st.number_input(t("declare.dependants"), 1, 10, 1, key="proxy_count"))
    with st.form("declare_proxy"):
        st.subheader(t("declare.declarer"))
        declarer_raw = form.person_fields("declarer", with_details=False)
        dependants_raw = []
        for n in range(count):
            st.subheader(t("declare.dependant", n=n + 1))
            raw = form.person_fields(f"dep{n}", with_phone=False)
            raw["phone"] = st.text_input(
                t("declare.dependant_phone"), key=f"dep{n}_phone", max_chars=20
            )
            raw.update(form.answers(f"dep{n}"))
            dependants_raw.append(raw)
        sent = st.form_submit_button(t("declare.send"), type="primary", use_container_width=True)
    if sent:
        declarer, errors = form.check(declarer_raw)
        checked = [
            form.check(raw, phone_fallback=declarer_raw.get("phone", "")) for raw in dependants_raw
        ]
        if errors or any(e for _, e in checked):
            st.error(t("declare.fix"))
            form.show_errors(errors, f"{t('declare.declarer')}: ")
            for n, (_, dependant_errors) in enumerate(checked):
                form.show_errors(dependant_errors, f"{t('declare.dependant', n=n + 1)}: ")
        else:
            with engine().begin() as connection:
                confirmations = declare(
                    connection, venue.id, [d for d, _ in checked], "proxy", now(),
                    form.submission_key("proxy"), checkout_key(), declarer, high_risk,
                )  # fmt: skip
            form.new_submission("proxy")
            st.session_state["declare_confirmations"] = confirmations
            st.rerun()

elif mode == "advance":
    declarant = form.one_person("advance", with_details=True)
    if declarant:
        with engine().begin() as connection:
            st.session_state["advance_code"] = declare_in_advance(
                connection, venue.id, declarant, now()
            )
    advance_code = st.session_state.get("advance_code")
    if advance_code:
        st.success(f"{t('declare.advance_code')}: **{advance_code[:4]}-{advance_code[4:]}**")
        st.image(qr_png(advance_code, scale=6), width=180)
        st.caption(t("declare.advance_help"))

else:  # confirm an advance code at the door
    with st.form("confirm_advance", clear_on_submit=True):
        typed = st.text_input(t("declare.code"), max_chars=12, placeholder="ABCD-EFGH")
        sent = st.form_submit_button(t("declare.confirm"), type="primary")
    if sent:
        try:
            with engine().begin() as connection:
                confirmed = confirm_advance(
                    connection,
                    typed,
                    scope.venue_ids,
                    scope.username,
                    now(),
                    checkout_key(),
                    high_risk,
                )
        except AdvanceError as error:
            st.error(t(str(error)))
        else:
            st.session_state["declare_confirmations"] = [confirmed]
            st.rerun()
