"""One person declared, as the forms validate it (ingest/forms.py) and the declaration writes
store it (queries/declarations.py). Here, below both, so that queries/ need not import ingest/."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Declarant:
    """One person declared: themselves, a dependant, or a walk-in at a checkpoint."""

    full_name: str
    phone: str
    id_number: str | None
    birth_year: int | None
    home_ward_code: str | None
    symptoms: tuple[str, ...]
    exposures: tuple[str, ...]
