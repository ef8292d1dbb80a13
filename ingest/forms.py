"""Validation of records typed into the app's forms (a declaration, a venue). The same
normalisation as imports (ingest.normalise); failures come back per field as i18n keys so the
form can say, in the reader's language, what to fix. Pure, no I/O."""

from __future__ import annotations

from datetime import date

from config.settings import SECTORS, VENUE_KINDS
from ingest.normalise import (
    CAPACITY_RANGE,
    Invalid,
    check_inside_hcmc,
    normalise_name,
    normalise_phone,
    normalise_text,
    ward_codes,
)
from rules.declarant import Declarant
from rules.local_time import CITY_ZONE, today_local
from rules.risk import EXPOSURES, SYMPTOMS


def validate_declarant(
    full_name: str,
    phone: str,
    id_number: str = "",
    birth_year: int | None = None,
    home_ward_code: str | None = None,
    symptoms: tuple[str, ...] = (),
    exposures: tuple[str, ...] = (),
    today: date | None = None,
) -> tuple[Declarant | None, dict[str, str]]:
    """The clean declarant, or None and {field: i18n key} for each problem."""
    errors: dict[str, str] = {}
    name = number = ""
    try:
        name = normalise_name(full_name or "")
    except Invalid:
        name = ""
    if len(name) < 2:
        errors["full_name"] = "form.error.full_name"
    try:
        number = normalise_phone(phone or "")
    except Invalid:
        errors["phone"] = "form.error.phone"
    id_clean = "".join((id_number or "").split())
    if id_clean and not (id_clean.isascii() and id_clean.isdigit() and len(id_clean) in (9, 12)):
        errors["id_number"] = "form.error.id_number"
    # The year in the city, not on the server: from 00:00 to 07:00 on 1 January they differ.
    this_year = (today or today_local(CITY_ZONE)).year
    if birth_year is not None and not 1900 <= birth_year <= this_year:
        errors["birth_year"] = "form.error.birth_year"
    if home_ward_code and home_ward_code not in ward_codes():
        errors["home_ward_code"] = "form.error.ward"
    if set(symptoms) - set(SYMPTOMS) or set(exposures) - set(EXPOSURES):
        errors["answers"] = "form.error.answers"
    if errors:
        return None, errors
    return (
        Declarant(
            full_name=name,
            phone=number,
            id_number=id_clean or None,
            birth_year=birth_year,
            home_ward_code=home_ward_code or None,
            symptoms=tuple(s for s in SYMPTOMS if s in symptoms),
            exposures=tuple(e for e in EXPOSURES if e in exposures),
        ),
        {},
    )


def validate_venue(
    name: str,
    sector: str,
    kind: str,
    ward_code: str,
    address: str,
    lat: float | None,
    lon: float | None,
    dwell_minutes: int,
    capacity: int | None = None,
) -> tuple[dict | None, dict[str, str]]:
    """Venue fields ready for queries.writes.upsert_venues, or None and {field: i18n key}."""
    errors: dict[str, str] = {}
    clean: dict = {}
    try:
        clean["name"] = normalise_text(name or "", "name", 200)
    except Invalid:
        clean["name"] = ""
    if len(clean["name"]) < 3:
        errors["name"] = "form.error.venue_name"
    if sector not in SECTORS:
        errors["sector"] = "form.error.sector"
    if kind not in VENUE_KINDS:
        errors["kind"] = "form.error.kind"
    if ward_code not in ward_codes():
        errors["ward_code"] = "form.error.ward"
    try:
        clean["address"] = normalise_text(address or "", "address", 300, required=False)
    except Invalid:
        errors["address"] = "form.error.address"
    try:
        if lat is None or lon is None:
            raise Invalid("missing", field="lat" if lat is None else "lon")
        check_inside_hcmc(float(lat), float(lon))
    except (Invalid, ValueError):
        errors["coordinates"] = "form.error.coordinates"
    if not 1 <= int(dwell_minutes or 0) <= 24 * 60:
        errors["dwell_minutes"] = "form.error.dwell"
    low, high = CAPACITY_RANGE
    if capacity is not None and not low <= int(capacity) <= high:
        errors["capacity"] = "form.error.capacity"
    if errors or lat is None or lon is None:  # a missing coordinate is an error above
        return None, errors
    clean.update(
        sector=sector, kind=kind, ward_code=ward_code, lat=float(lat), lon=float(lon),
        dwell_minutes=int(dwell_minutes), capacity=None if capacity is None else int(capacity),
    )  # fmt: skip
    return clean, {}
