"""Text forms for searching Vietnamese names without caring about accents or case. Pure."""

from __future__ import annotations

import unicodedata


def search_key(text: str) -> str:
    """'Chợ Bến Thành' -> 'cho ben thanh'; 'Đà' -> 'da'. The same on every database."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


def like_pattern(query: str) -> str:
    """A LIKE pattern matching the query's words in order, with LIKE's wildcards escaped
    (escape character: backslash)."""
    words = search_key(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").split()
    return "%" + "%".join(words) + "%"
