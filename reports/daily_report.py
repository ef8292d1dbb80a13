"""The daily report leadership forwards: one self-contained HTML file (no scripts, no links to
fetch), readable on a phone, with the day's KPIs, the trend as an inline SVG and the table."""

from __future__ import annotations

import html
from datetime import date, datetime

import pandas as pd

from i18n.numbers import full_date
from queries.kpis import Kpis
from reports.figures import Tile, area_rows, count, tiles
from rules.disclosure import drawable

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:16px;color:#222}
h1{font-size:1.3em;margin:0 0 4px}.sub{color:#666;margin:0 0 16px}h2{font-size:1.1em}
.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{border:1px solid #ddd;border-radius:8px;
padding:8px 12px;min-width:140px}.tile b{display:block;font-size:1.6em}.bad{color:#b71c1c}
.good{color:#1b5e20}.neutral{color:#616161}.tile small{display:block;color:#757575}
table{border-collapse:collapse;margin-top:12px;width:100%}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:right}td:first-child,
th:first-child{text-align:left}td+td{white-space:nowrap}
"""
PARTIAL_FILL = "#ef9a9a"


def _delta(tile: Tile, against: str) -> str:
    """The change against the day before, coloured by what it means (rules.kpis.tone): a rise
    of cases red, no change grey with '='; nothing when the change is withheld."""
    if tile.change is None:
        return ""
    arrow = "=" if tile.change == "0" else "▼" if tile.change.startswith("-") else "▲"
    text = tile.change.lstrip("+-")
    return (
        f'<span class="{tile.tone}">{arrow} {html.escape(text)}</span>'
        f"<small>{html.escape(against)}</small>"
    )


def _bars(
    series: pd.DataFrame,
    column: str,
    threshold: int,
    language: str,
    partial: date | None = None,
    until: str = "",
    width: int = 600,
    height: int = 130,
) -> str:
    """Bars of a column by day; a small count gets no bar (its height would show it) and its
    label says "<threshold". The day still under way (partial) is drawn pale and labelled
    `until`, so that its few hours do not read as a fall."""
    values = drawable(series[column], threshold).fillna(0.0).tolist()
    labels = [count(int(value), threshold, language) for value in series[column]]
    top = max(values) if values and max(values) > 0 else 1.0
    step = width / max(len(values), 1)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = value / top * (height - 32)
        x, y = i * step + 1, height - 15 - bar_height
        day = series["day"].iloc[i]
        shown_day = day.strftime("%d/%m")
        under_way = partial is not None and day >= partial
        tip = f"{shown_day}: {label}" + (f" ({until})" if under_way else "")
        paint = (
            f'fill="{PARTIAL_FILL}" stroke="#c62828" stroke-dasharray="3 2"'
            if under_way
            else 'fill="#c62828"'
        )
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{bar_height:.1f}" '
            f"{paint}><title>{html.escape(tip)}</title></rect>"
        )
        if under_way:
            bars.append(
                f'<text x="{x + step / 2:.1f}" y="{max(y - 3, 10):.1f}" font-size="9" '
                f'text-anchor="middle">{html.escape(until)}</text>'
            )
        if len(values) <= 16:
            bars.append(f'<text x="{x:.1f}" y="{height - 2}" font-size="9">{shown_day}</text>')
    return f'<svg viewBox="0 0 {width} {height}" width="100%" role="img">{"".join(bars)}</svg>'


def render(
    kpis: Kpis,
    series: pd.DataFrame,
    table: pd.DataFrame,
    area_name: str,
    generated_at: datetime,
    labels: dict[str, str],
    threshold: int = 1,
    language: str = "vi",
) -> str:
    """The report as HTML; labels maps keys (title, declarations, …) to the reader's language,
    with the periods already written: 'period' (the tiles' day), 'against' (the day they are
    compared with), 'range' (the trend's and the table's days) and 'until' (the mark of a day
    still under way, which is drawn only when generated_at falls on a day of the series).

    threshold: counts from 1 to threshold - 1 show as "<threshold", with no change or rate
    derived from them (rules.disclosure); 1, the default, shows every figure exactly.
    """
    n = threshold
    tile_html = "".join(
        f'<div class="tile">{html.escape(labels[tile.key])}<b>{html.escape(tile.value)}</b>'
        f"{_delta(tile, labels['against'])}</div>"
        for tile in tiles(kpis, n, language)
    )
    shown = area_rows(table, n, language)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(getattr(row, column)))}</td>"
            for column in ("name", "declarations", "at_risk", "risk_rate", "cases")
        )
        + "</tr>"
        for row in shown.itertuples()
    )
    head = "".join(
        f"<th>{html.escape(labels[k])}</th>"
        for k in ("area", "declarations", "at_risk", "rate", "cases")
    )
    today = generated_at.date()
    partial = today if len(series) and series["day"].iloc[-1] >= today else None
    title = html.escape(f"{labels['title']} — {labels['period']} — {area_name}")
    range_heading = html.escape(labels["range"])
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p class='sub'>{html.escape(labels['generated'])} "
        f"{generated_at.strftime('%H:%M')} {full_date(today, language)}</p>"
        f"<div class='tiles'>{tile_html}</div>"
        f"<h2>{html.escape(labels['trend'])} · {range_heading}</h2>"
        f"{_bars(series, 'declarations', n, language, partial, labels.get('until', ''))}"
        f"<h2>{html.escape(labels['area'])} · {range_heading}</h2>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>"
    )
