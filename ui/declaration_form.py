"""Widgets of the checkpoint kiosk (app_pages/kiosk.py): one person's fields, the health answers,
and the confirmation staff see (risk with its reasons and alerts, the unit's procedure)."""

from __future__ import annotations

import uuid

import streamlit as st

from ingest.forms import validate_declarant
from queries.declarations import Confirmation, DeclarationVenue
from rules import safe_text
from rules.declarant import Declarant
from rules.risk import EXPOSURES, SYMPTOMS
from ui.formatting import reason_text
from ui.runtime import settings, t


def person_fields(prefix: str) -> dict:
    """Name and phone of the person at the checkpoint; returns the raw values. (Residents give
    their other details on their own phone, on the public form.)"""
    return {
        "full_name": st.text_input(t("declare.full_name"), key=f"{prefix}_name", max_chars=120),
        "phone": st.text_input(
            t("declare.phone"), key=f"{prefix}_phone", max_chars=20, placeholder="0903 123 456"
        ),
    }


def answers(prefix: str) -> dict:
    """The health answers as symptom and exposure codes."""
    st.markdown(f"**{t('declare.symptoms')}**")
    symptoms = tuple(s for s in SYMPTOMS if st.checkbox(t(f"symptom.{s}"), key=f"{prefix}_s_{s}"))
    st.markdown(f"**{t('declare.exposures')}**")
    exposures = tuple(
        e for e in EXPOSURES if st.checkbox(t(f"exposure.{e}"), key=f"{prefix}_e_{e}")
    )
    return {"symptoms": symptoms, "exposures": exposures}


def check(raw: dict) -> tuple[Declarant | None, dict[str, str]]:
    return validate_declarant(
        raw.get("full_name", ""),
        raw.get("phone", ""),
        symptoms=raw.get("symptoms", ()),
        exposures=raw.get("exposures", ()),
    )


def show_errors(errors: dict[str, str], who: str = "") -> None:
    for key in dict.fromkeys(errors.values()):
        st.error(f"{who}{t(key)}")


def submission_key(flow: str) -> str:
    """One key per filled-in form, so that a double tap stores the declaration once."""
    name = f"submission_{flow}"
    if name not in st.session_state:
        st.session_state[name] = uuid.uuid4().hex
    return st.session_state[name]


def new_submission(flow: str) -> None:
    st.session_state.pop(f"submission_{flow}", None)


def was_sent(flow: str) -> bool:
    """Whether this run is the one in which the flow's form was sent (with or without errors)."""
    return bool(st.session_state.get(f"sent_{flow}"))


def confirmation(venue: DeclarationVenue, confirmations: list[Confirmation]) -> None:
    """What the person shows at the door, and what staff must do when they are at risk."""
    zone = settings().zone
    for item in confirmations:
        risk = item.risk
        text = t(f"declare.risk.{risk.level}", reasons=reason_text(";".join(risk.reasons)))
        box = (st.success, st.warning, st.error)[risk.level]
        when = item.checked_in_at.astimezone(zone).strftime("%H:%M %d/%m")
        box(f"**{safe_text.markdown(item.full_name)}** — {t('declare.done', time=when)}\n\n{text}")
        if risk.alert:
            alert_reasons = ";".join(
                r for r in risk.reasons if r in ("open_case", "traced_contact")
            )
            st.error(t("declare.alert", reasons=reason_text(alert_reasons)))
    if any(item.risk.level > 0 for item in confirmations):
        st.markdown(f"**{t('declare.procedure')}**")
        st.info(
            safe_text.markdown(venue.procedure) if venue.procedure else settings().default_procedure
        )


def one_person(flow: str, *, clear: bool = False) -> Declarant | None:
    """The form for one person and their answers; the checked declarant once it is sent
    without errors (the errors are shown otherwise)."""
    with st.form(f"declare_{flow}", clear_on_submit=clear):
        raw = person_fields(flow)
        raw.update(answers(flow))
        sent = st.form_submit_button(t("declare.send"), type="primary", use_container_width=True)
    st.session_state[f"sent_{flow}"] = sent
    if not sent:
        return None
    declarant, errors = check(raw)
    if errors:
        st.error(t("declare.fix"))
        show_errors(errors)
        return None
    return declarant
