"""User-supplied text shown through Markdown (st.markdown, st.header, alerts) must show as
typed: a venue called "[Mở](http://x)" must not become a link, nor "$x$" a formula. Pure."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def plain(text: str) -> str:
    """Text with every Markdown and HTML-significant character escaped by a backslash."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
