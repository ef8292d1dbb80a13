"""Spreadsheet formula injection: neutralise cells on the way out, restore them on the way in.

A spreadsheet opening a CSV runs a cell that starts with = + - @ (and, in some, a tab or a
carriage return) as a formula; luca's exports carried guest names such as
``=HYPERLINK(…)``. Every CSV KBYT writes prefixes such a cell with an apostrophe, which
spreadsheets show as text. So that the prefix can be removed again without loss, a cell that
already starts with an apostrophe gets one too; the importer removes exactly one leading
apostrophe from every CSV cell. The rule is documented in docs/import-format.md.
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(cell: str) -> str:
    """'=1+1' -> "'=1+1"; "'x" -> "''x"; everything else unchanged."""
    return "'" + cell if cell.startswith(TRIGGERS) else cell


def restore(cell: str) -> str:
    """The inverse of neutralise: one leading apostrophe removed."""
    return cell[1:] if cell.startswith("'") else cell
