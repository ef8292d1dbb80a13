"""The area a query may read: the filter's district or ward within the user's scope.

Every page query takes the Filter and the Scope and applies `area_clause`, so that a URL edited
to another district returns nothing for a district officer: the rule is enforced in SQL.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from sqlalchemy import ColumnElement, false, true

from geo.admin_units import hcmc_wards
from queries.filters import Filter
from rules.access import Scope, narrow


@lru_cache(maxsize=1)
def wards_by_district() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for ward in hcmc_wards():
        grouped[ward.district_code].append(ward.code)
    return {district: tuple(codes) for district, codes in grouped.items()}


def allowed_wards(filter_: Filter, scope: Scope | None) -> frozenset[str] | None:
    """None: the whole city; an empty set: nothing (the filter is outside the scope)."""
    return narrow(
        scope.ward_codes if scope else None,
        filter_.district_code,
        filter_.ward_code,
        wards_by_district(),
    )


def area_clause(
    ward_column: ColumnElement[str], wards: frozenset[str] | None
) -> ColumnElement[bool]:
    if wards is None:
        return true()
    if not wards:
        return false()
    return ward_column.in_(sorted(wards))


def venue_clause(venue_column: ColumnElement[int], scope: Scope | None) -> ColumnElement[bool]:
    """Venue staff read only their own venues."""
    if scope is None or scope.venue_ids is None:
        return true()
    return venue_column.in_(sorted(scope.venue_ids))
