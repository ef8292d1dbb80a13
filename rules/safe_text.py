"""What a person or a venue typed, made safe for the place it is shown. Pure.

One rule for every name, address, username or note: it shows exactly as typed and never as
markup. Two places interpret markup:

- Streamlit's Markdown (st.markdown, headers, captions, alerts, button, metric, tab, expander
  and radio labels): Markdown itself, raw HTML, ``:red[…]`` directives, ``:smile:`` and
  ``:material/…:`` shortcodes, ``$…$`` LaTeX, and bare ``http://``, ``www.`` and e-mail
  addresses, which GFM links by itself. Use :func:`markdown`.
- Plotly's hover text, tick and legend labels (``<a href>``, ``<span style>``, ``<b>``, ``<br>``)
  and folium's tooltips and popups (raw HTML). Use :func:`html`.

Checked in Chromium against Streamlit 1.67: a backslash stops Markdown, HTML, directives and
LaTeX, but the shortcodes and GFM's bare links are found in the text after the backslashes are
gone, so a word joiner (U+2060, invisible and unbreakable) follows every ``:`` and ``@`` and
sits between ``www`` and its dot.
"""

from __future__ import annotations

import html as _html
import re

WORD_JOINER = "\u2060"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&^\"'])")
# After the backslashes are added: after each ":" or "@", and in "www\." before the escape.
_LINK_BREAKS = re.compile(r"(?<=[:@])|(?i:(?<=www)(?=\\\.))")


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def markdown(text: object) -> str:
    """Text for Streamlit's Markdown that shows as typed: every Markdown, HTML, directive and
    LaTeX character backslash-escaped, shortcodes and bare links broken by a word joiner, runs
    of white space (line breaks included) made one space."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))
    return _LINK_BREAKS.sub(WORD_JOINER, escaped)


def html(text: object) -> str:
    """Text for Plotly labels and folium tooltips that shows as typed: ``& < >`` as named
    entities and the quotes as numeric ones (Plotly decodes ``&#34;`` but shows ``&quot;`` as
    typed), runs of white space made one space."""
    escaped = _html.escape(_one_line(text), quote=False)
    return escaped.replace('"', "&#34;").replace("'", "&#39;")
