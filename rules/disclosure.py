"""Small-count suppression for public screens: a count of a few people can identify them. Pure."""

from __future__ import annotations


def shown_count(count: int, threshold: int = 5) -> str:
    """0 -> '0'; 1..threshold-1 -> '<threshold'; otherwise the count with thousands separators."""
    if count <= 0:
        return "0"
    if count < threshold:
        return f"<{threshold}"
    return f"{count:,}"
