"""Risk at declaration (DESIGN §5): a level and the reasons for it. Pure, no I/O.

Reasons are stable codes (stored with the check-in); i18n turns them into sentences.
SYMPTOMS and EXPOSURES are the one vocabulary of the declaration: the forms, the importer, the
settings (``risk.high_risk_symptoms``) and the benchmarks take them from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NONE, MEDIUM, HIGH = 0, 1, 2

SYMPTOMS: tuple[str, ...] = (
    "fever",
    "cough",
    "sore_throat",
    "shortness_of_breath",
    "loss_of_taste_smell",
    "fatigue",
)
EXPOSURES: tuple[str, ...] = ("case_contact", "lockdown_area", "travel_abroad")


@dataclass(frozen=True)
class RiskAssessment:
    level: int
    reasons: tuple[str, ...]
    alert: bool  # the person is an open case or a traced contact: staff must act now


def assess_risk(
    symptoms: Iterable[str],
    exposures: Iterable[str],
    *,
    high_risk_symptoms: Iterable[str] = ("shortness_of_breath",),
    open_case: bool = False,
    traced_contact: bool = False,
) -> RiskAssessment:
    """Level and reasons for one declaration.

    High: an open case or traced contact; any exposure together with any symptom; or a symptom
    that is high risk on its own (shortness of breath). Medium: any one exposure or symptom.
    """
    symptom_set = _known(symptoms, SYMPTOMS, "symptom")
    exposure_set = _known(exposures, EXPOSURES, "exposure")
    reasons: list[str] = []
    if open_case:
        reasons.append("open_case")
    if traced_contact:
        reasons.append("traced_contact")
    reasons += [f"exposure:{e}" for e in EXPOSURES if e in exposure_set]
    reasons += [f"symptom:{s}" for s in SYMPTOMS if s in symptom_set]

    severe = [s for s in SYMPTOMS if s in symptom_set and s in set(high_risk_symptoms)]
    if open_case or traced_contact or (symptom_set and exposure_set) or severe:
        level = HIGH
    elif symptom_set or exposure_set:
        level = MEDIUM
    else:
        level = NONE
    return RiskAssessment(level, tuple(reasons), alert=open_case or traced_contact)


def parse_codes(text: str) -> list[str]:
    """'fever; cough' -> ['fever', 'cough'] (the stored and imported form)."""
    return [part.strip() for part in text.split(";") if part.strip()]


def join_codes(codes: Iterable[str]) -> str:
    return ";".join(codes)


def _known(values: Iterable[str], known: tuple[str, ...], what: str) -> set[str]:
    found = set(values)
    unknown = sorted(found - set(known))
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; expected one of {list(known)}")
    return found
