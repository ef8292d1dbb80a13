"""The venue registry: register, edit, deactivate; QR codes and printable posters."""

from __future__ import annotations

from typing import Any

import streamlit as st
from sqlalchemy import Connection

from config.settings import SECTORS, VENUE_KINDS
from ingest.forms import validate_venue
from queries.audit import about, record
from queries.venue_registry import poster_venues, register_venue, set_active, update_venue
from queries.venues import VenueDetail, search_venues, venue_detail
from reports.qr_poster import declaration_url, posters_pdf, qr_png, qr_svg
from rules.access import Scope
from rules.local_time import today_local
from rules.markdown import plain
from ui.admin.areas import district_names, district_of_ward, ward_names
from ui.declaration_form import show_errors
from ui.runtime import engine, settings, t


def _venue_form(
    key: str, current: VenueDetail | None
) -> tuple[dict[str, Any] | None, dict[str, str], str, bool]:
    # The district is outside the form so that its wards follow it; one list of the city's
    # ~270 wards, with a label each, was most of the page's time.
    districts = district_names()
    codes = list(districts)
    current_ward = getattr(current, "ward_code", None)
    current_district = district_of_ward(current_ward) if current_ward else None
    district = st.selectbox(
        t("filter.district"), codes, format_func=districts.__getitem__, key=f"{key}_district",
        index=codes.index(current_district) if current_district in districts else 0,
        placeholder=t("admin.choose"),
    )  # fmt: skip
    wards = ward_names(district or codes[0])
    ward_codes = list(wards)
    with st.form(key):
        name = st.text_input(t("admin.venue.name"), getattr(current, "name", ""), max_chars=200)
        left, right = st.columns(2)
        sector = left.selectbox(
            t("admin.venue.sector"), SECTORS, format_func=lambda s: t(f"sector.{s}"),
            index=SECTORS.index(getattr(current, "sector", "public")),
        )  # fmt: skip
        kind = right.selectbox(
            t("admin.venue.kind"),
            VENUE_KINDS,
            index=VENUE_KINDS.index(getattr(current, "kind", "other")),
            format_func=lambda k: t(f"kind.{k}"),
        )
        ward_code = st.selectbox(
            t("admin.venue.ward"), ward_codes, format_func=wards.__getitem__,
            index=ward_codes.index(current_ward) if current_ward in wards else 0,
            placeholder=t("admin.choose"),
        )  # fmt: skip
        address = st.text_input(
            t("admin.venue.address"), getattr(current, "address", ""), max_chars=300
        )
        left, right, dwell_column = st.columns(3)
        lat = left.number_input(
            t("admin.venue.lat"), value=getattr(current, "lat", 10.7769), format="%.6f"
        )
        lon = right.number_input(
            t("admin.venue.lon"), value=getattr(current, "lon", 106.7009), format="%.6f"
        )
        dwell = dwell_column.number_input(
            t("admin.venue.dwell"), 1, 1440,
            int(getattr(current, "dwell_minutes", settings().dwell_minutes[kind])),
        )  # fmt: skip
        capacity = st.number_input(
            t("admin.venue.capacity"), 1, 1_000_000, getattr(current, "capacity", None),
            placeholder=t("admin.venue.capacity_none"), help=t("admin.venue.capacity_help"),
        )  # fmt: skip
        procedure = st.text_area(
            t("admin.venue.procedure"), getattr(current, "procedure", ""), max_chars=2000
        )
        sent = st.form_submit_button(t("admin.venue.save"), type="primary")
    # No ward chosen is refused like an unknown one.
    clean, errors = validate_venue(
        name, sector, kind, ward_code or "", address, lat, lon, dwell,
        None if capacity is None else int(capacity),
    )  # fmt: skip
    return clean, errors, procedure, sent


def venue_tab(scope: Scope) -> None:
    with st.expander(t("admin.venue.new")):
        clean, errors, procedure, sent = _venue_form("new_venue", None)
        if sent:
            if errors or clean is None:  # validate_venue returns no fields only with errors
                show_errors(errors)
            else:
                with engine().begin() as connection:
                    venue_id = register_venue(connection, clean, today_local(settings().zone))
                    update_venue(connection, venue_id, clean, procedure)
                    detail = _venue(connection, venue_id)
                    record(
                        connection, scope.username, "edit",
                        about("venue_registered", venue=detail.venue_ref),
                    )  # fmt: skip
                st.success(t("admin.venue.created", name=plain(detail.name), ref=detail.venue_ref))

    text = st.text_input(t("venues.search"), key="admin_venue_search", max_chars=100)
    with engine().connect() as connection:
        found = search_venues(connection, text, None, None, limit=30)
    if found.empty:
        st.info(t("venues.none"))
    else:
        labels = {
            int(venue_id): f"{name} — {venue_ref}"
            for venue_id, name, venue_ref in zip(
                found["id"], found["name"], found["venue_ref"], strict=True
            )
        }
        chosen = st.selectbox(
            t("admin.venue.pick"), list(labels), format_func=labels.__getitem__,
            key="admin_venue_id", placeholder=t("admin.choose"),
        )  # fmt: skip
        if chosen is None:  # the first venue is chosen until another is
            raise ValueError("the venue list offers no choice")
        with engine().connect() as connection:
            detail = _venue(connection, chosen)
        url = declaration_url(settings().public_base_url, detail.token)
        st.caption(url)
        downloads = st.columns(4)
        # The files are made when their button is pressed, not on every run: the poster alone
        # (fonts loaded and subset) took over half a second.
        downloads[0].download_button(
            t("admin.qr.png"), lambda: qr_png(url), f"{detail.venue_ref}.png", "image/png",
            on_click="ignore", key="admin_qr_png",
        )  # fmt: skip
        downloads[1].download_button(
            t("admin.qr.svg"), lambda: qr_svg(url), f"{detail.venue_ref}.svg", "image/svg+xml",
            on_click="ignore", key="admin_qr_svg",
        )  # fmt: skip

        def poster() -> bytes:
            with engine().connect() as connection:
                venues = poster_venues(connection, venue_ids=[detail.id])
            return posters_pdf(venues, settings().public_base_url)

        downloads[2].download_button(
            t("admin.qr.pdf"), poster, f"{detail.venue_ref}.pdf", "application/pdf",
            on_click="ignore", key="admin_qr_pdf",
        )  # fmt: skip
        toggle = "admin.venue.activate" if not detail.active else "admin.venue.deactivate"
        if downloads[3].button(t(toggle), key="admin_venue_toggle"):
            with engine().begin() as connection:
                set_active(connection, detail.id, not detail.active)
                # The log's words are the action's, whatever the language it was done in.
                if detail.active:
                    done = about("venue_deactivated", venue=detail.venue_ref)
                else:
                    done = about("venue_reactivated", venue=detail.venue_ref)
                record(connection, scope.username, "edit", done)
            st.rerun()
        with st.expander(t("admin.venue.edit")):
            clean, errors, procedure, sent = _venue_form(f"edit_venue_{detail.id}", detail)
            if sent:
                if errors or clean is None:  # validate_venue returns no fields only with errors
                    show_errors(errors)
                else:
                    with engine().begin() as connection:
                        update_venue(connection, detail.id, clean, procedure)
                        record(
                            connection, scope.username, "edit",
                            about("venue_edited", venue=detail.venue_ref),
                        )  # fmt: skip
                    st.success(t("admin.venue.saved"))

    st.subheader(t("admin.qr.bulk"))
    districts = district_names()
    district = st.selectbox(
        t("filter.district"), list(districts), format_func=districts.__getitem__, key="admin_bulk",
        placeholder=t("admin.choose"),
    )  # fmt: skip

    def bulk() -> bytes:
        with engine().connect() as connection:
            return posters_pdf(
                poster_venues(connection, district_code=district), settings().public_base_url
            )

    with engine().connect() as connection:
        count = len(poster_venues(connection, district_code=district))
    st.download_button(
        t("admin.qr.bulk_download", district=districts[district], count=count), bulk,
        f"kbyt-posters-{district}.pdf", "application/pdf", on_click="ignore",
    )  # fmt: skip


def _venue(connection: Connection, venue_id: int) -> VenueDetail:
    """A venue the administrator just registered or picked from the list: it exists."""
    detail = venue_detail(connection, venue_id, None, None)
    if detail is None:
        raise LookupError(f"venue {venue_id} is not in the registry")
    return detail
