"""Presence intervals (DESIGN §5). Pure arithmetic on epoch seconds, no I/O."""

from __future__ import annotations

MINUTE = 60
HOUR = 3600


def presence_end(
    checked_in_at: int,
    checked_out_at: int | None,
    dwell_minutes: int,
    max_presence_hours: int = 24,
) -> int:
    """When a visit ends: the time out, or time in plus the venue's dwell; never past the cap."""
    end = checked_out_at if checked_out_at is not None else checked_in_at + dwell_minutes * MINUTE
    return min(end, checked_in_at + max_presence_hours * HOUR)


def overlap_seconds(start_a: int, end_a: int, start_b: int, end_b: int) -> int:
    """Length of the overlap of two half-open intervals; touching end to start is zero."""
    return max(0, min(end_a, end_b) - max(start_a, start_b))
