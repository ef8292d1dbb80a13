"""The follow-up workflow on a risky person (DESIGN §4): which status may follow which. Pure."""

from __future__ import annotations

STATUSES = ("new", "contacted", "tested", "isolated", "cleared")
NEXT: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "tested", "isolated", "cleared"),
    "contacted": ("tested", "isolated", "cleared"),
    "tested": ("isolated", "cleared"),
    "isolated": ("cleared",),
    "cleared": (),
}


class FollowUpError(ValueError):
    pass


def check_transition(current: str | None, wanted: str) -> None:
    """Raise FollowUpError unless wanted may follow current (None: no follow-up yet)."""
    if wanted not in STATUSES:
        raise FollowUpError(f"unknown status {wanted!r}; statuses: {', '.join(STATUSES)}")
    allowed = ("new", *NEXT["new"]) if current is None else NEXT[current]
    if wanted not in allowed:
        raise FollowUpError(f"{current} cannot become {wanted}")
