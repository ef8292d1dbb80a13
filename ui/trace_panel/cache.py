"""The trace results a session keeps, bounded: a busy F2 holds over a million contacts, and a
session that traced case after case kept every result until it closed.

The most recently used results are kept: at most MAX_RESULTS of them (a case and the ten people
a trail can follow, with one to spare) and at most MAX_CONTACTS contacts in all (about two of
the largest F2s measured, 1.25 million contacts each); the one just added is always kept. A
result dropped is traced again when asked for; a trail whose step was dropped is cut there
(app_pages/trace.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, MutableMapping
from typing import Any

MAX_RESULTS = 12
MAX_CONTACTS = 2_500_000
SESSION_KEY = "traces"


class TraceCache(OrderedDict[Hashable, Any]):
    """A mapping of trace keys to results, least recently used first, within the bounds."""

    def __init__(self, max_results: int = MAX_RESULTS, max_contacts: int = MAX_CONTACTS) -> None:
        super().__init__()
        self.max_results = max_results
        self.max_contacts = max_contacts

    def get(self, key: Hashable, default: Any = None) -> Any:  # noqa: ANN401 - any result
        if key not in self:
            return default
        self.move_to_end(key)
        return self[key]

    def __setitem__(self, key: Hashable, value: Any) -> None:  # noqa: ANN401 - any result
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > 1 and (
            len(self) > self.max_results or self.contacts() > self.max_contacts
        ):
            self.popitem(last=False)

    def contacts(self) -> int:
        """Contacts held by all the results kept."""
        return sum(len(getattr(result, "contacts", ())) for result in self.values())


def session_traces(state: MutableMapping[Any, Any]) -> TraceCache:
    """The session's trace cache (made on first use; a plain dict left by an older version of
    the page is replaced)."""
    cache = state.get(SESSION_KEY)
    if not isinstance(cache, TraceCache):
        cache = TraceCache()
        state[SESSION_KEY] = cache
    return cache
