"""Who may see what: roles, their pages, their area and whether they see personal data. Pure.

The area is resolved to a set of ward codes once, at sign-in; every query filters by it in SQL,
so hiding a menu item is never the only protection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ROLES = (
    "admin",
    "command_centre",
    "leadership",
    "district_officer",
    "ward_officer",
    "epidemiologist",
    "venue_staff",
)

# Pages each role sees, in menu order. The declaration page and the guide are public.
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    "admin": ("overview", "map", "venues", "risk", "trace", "wall", "kiosk", "guide", "admin"),
    "command_centre": ("wall", "overview", "map", "guide"),
    "leadership": ("overview", "map", "guide"),
    "district_officer": ("overview", "map", "venues", "risk", "kiosk", "guide"),
    "ward_officer": ("overview", "map", "venues", "risk", "kiosk", "guide"),
    "epidemiologist": ("overview", "map", "venues", "risk", "trace", "guide"),
    "venue_staff": ("kiosk", "venues", "guide"),
}
PUBLIC_PAGES = ("guide",)
PERSONAL_DATA_ROLES = frozenset(
    {"admin", "district_officer", "ward_officer", "epidemiologist", "venue_staff"}
)
# Roles whose area must be given when the account is created.
DISTRICT_ROLES = frozenset({"district_officer"})
WARD_ROLES = frozenset({"ward_officer"})
VENUE_ROLES = frozenset({"venue_staff"})


class AccessError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """What one signed-in user may read.

    ward_codes None means the whole city. venue_ids None means every venue of the area.
    """

    username: str
    role: str
    ward_codes: frozenset[str] | None = None
    venue_ids: frozenset[int] | None = None
    district_code: str | None = None

    @property
    def personal_data(self) -> bool:
        return self.role in PERSONAL_DATA_ROLES

    def pages(self) -> tuple[str, ...]:
        return ROLE_PAGES[self.role]

    def allows_page(self, page: str) -> bool:
        return page in PUBLIC_PAGES or page in ROLE_PAGES[self.role]


def check_account(
    role: str, district_code: str | None, ward_code: str | None, venue_id: int | None
) -> None:
    """Raise AccessError unless the role and its area fit together."""
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if role in DISTRICT_ROLES and not district_code:
        raise AccessError(f"a {role} needs --district")
    if role in WARD_ROLES and not ward_code:
        raise AccessError(f"a {role} needs --ward")
    if role in VENUE_ROLES and venue_id is None:
        raise AccessError(f"a {role} needs --venue")


def area_of(
    district_code: str | None,
    ward_code: str | None,
    wards_by_district: Mapping[str, Iterable[str]],
) -> frozenset[str] | None:
    """The ward codes an account covers: one ward, a district's wards, or None (the city)."""
    if ward_code:
        return frozenset({ward_code})
    if district_code:
        return frozenset(wards_by_district.get(district_code, ()))
    return None


def narrow(
    scope_wards: frozenset[str] | None,
    district_code: str | None,
    ward_code: str | None,
    wards_by_district: Mapping[str, Iterable[str]],
) -> frozenset[str] | None:
    """The wards a query may read: the filter's area within the user's area.

    An empty set means the filter lies outside the user's area: the query returns nothing.
    """
    wanted = area_of(district_code, ward_code, wards_by_district)
    if scope_wards is None:
        return wanted
    if wanted is None:
        return scope_wards
    return scope_wards & wanted


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' -> 'N. V. A.'"""
    return " ".join(f"{word[0]}." for word in full_name.split() if word)


def mask_phone(phone: str) -> str:
    """'+84903123456' -> '+84••••••456'"""
    if len(phone) <= 6:
        return "•" * len(phone)
    return phone[:3] + "•" * (len(phone) - 6) + phone[-3:]


def mask_id_number(id_number: str | None) -> str:
    if not id_number:
        return ""
    return "•" * max(0, len(id_number) - 3) + id_number[-3:]
