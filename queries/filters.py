"""The shared filter every page query takes: local days and an area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rules.local_time import local_range_bounds


@dataclass(frozen=True)
class Filter:
    first_day: date
    last_day: date
    district_code: str | None = None
    ward_code: str | None = None

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the chosen local days as UTC instants."""
        return local_range_bounds(self.first_day, self.last_day, zone)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1
