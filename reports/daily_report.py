"""The daily report leadership forwards: one self-contained HTML file (no scripts, no links to
fetch), readable on a phone, with the day's KPIs, the trend as an inline SVG and the table."""

from __future__ import annotations

import html
from datetime import datetime

import pandas as pd

from queries.kpis import Kpis
from rules.disclosure import (
    AREA_COUNTS,
    AREA_RATES,
    drawable,
    is_small,
    shown_count,
    shown_rate,
    suppressed_table,
)

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:16px;color:#222}
h1{font-size:1.3em;margin:0 0 4px}.sub{color:#666;margin:0 0 16px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{border:1px solid #ddd;border-radius:8px;
padding:8px 12px;min-width:140px}.tile b{display:block;font-size:1.6em}.up{color:#b71c1c}
.down{color:#1b5e20}table{border-collapse:collapse;margin-top:12px;width:100%}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:right}td:first-child,
th:first-child{text-align:left}
"""


def _delta(now: int, before: int, threshold: int) -> str:
    """The change in per cent, or nothing: against zero, or when either count is small (the
    other one exact and the percentage give it away)."""
    if before == 0 or is_small(now, threshold) or is_small(before, threshold):
        return ""
    change = (now - before) / before * 100
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    css = "up" if change > 0 else "down"
    return f'<span class="{css}">{arrow} {abs(change):.0f}%</span>'


def _bars(
    series: pd.DataFrame, column: str, threshold: int, width: int = 600, height: int = 120
) -> str:
    """Bars of a column by day; a small count gets no bar (its height would show it) and its
    label says "<threshold"."""
    values = drawable(series[column], threshold).fillna(0.0).tolist()
    labels = [shown_count(int(value), threshold) for value in series[column]]
    top = max(values) if values and max(values) > 0 else 1.0
    step = width / max(len(values), 1)
    bars = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_height = value / top * (height - 20)
        x, y = i * step + 1, height - 15 - bar_height
        day = series["day"].iloc[i].strftime("%d/%m")
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{bar_height:.1f}" '
            f'fill="#c62828"><title>{day}: {html.escape(label)}</title></rect>'
        )
        if len(values) <= 16:
            bars.append(f'<text x="{x:.1f}" y="{height - 2}" font-size="9">{day}</text>')
    return f'<svg viewBox="0 0 {width} {height}" width="100%" role="img">{"".join(bars)}</svg>'


def render(
    kpis: Kpis,
    series: pd.DataFrame,
    table: pd.DataFrame,
    area_name: str,
    generated_at: datetime,
    labels: dict[str, str],
    threshold: int = 1,
) -> str:
    """The report as HTML; labels maps keys (title, declarations, …) to the reader's language.

    threshold: counts from 1 to threshold - 1 show as "<threshold", with no change or rate
    derived from them (rules.disclosure); 1, the default, shows every figure exactly.
    """
    today, yesterday, n = kpis.today, kpis.yesterday, threshold
    tiles = [
        (
            labels["declarations"],
            shown_count(today.declarations, n),
            _delta(today.declarations, yesterday.declarations, n),
        ),
        (
            labels["at_risk"],
            f"{shown_count(today.at_risk, n)} ({shown_rate(today.at_risk, today.risk_rate, n)})",
            _delta(today.at_risk, yesterday.at_risk, n),
        ),
        (
            labels["new_cases"],
            shown_count(today.new_cases, n),
            _delta(today.new_cases, yesterday.new_cases, n),
        ),
        (labels["contacts_traced"], shown_count(today.contacts_traced, n), ""),
        (
            labels["active_units"],
            shown_count(today.active_units, n),
            _delta(today.active_units, yesterday.active_units, n),
        ),
        (
            labels["units"],
            f"{kpis.units_by_sector['health']:,} / {kpis.units_by_sector['state']:,}",
            "",
        ),
    ]
    tile_html = "".join(
        f'<div class="tile">{html.escape(name)}<b>{html.escape(value)}</b>{delta}</div>'
        for name, value, delta in tiles
    )
    shown = suppressed_table(table, AREA_COUNTS, AREA_RATES, n)
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
    title = html.escape(f"{labels['title']} — {today.day.strftime('%d/%m/%Y')} — {area_name}")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1><p class='sub'>{html.escape(labels['generated'])} "
        f"{generated_at.strftime('%H:%M %d/%m/%Y')}</p>"
        f"<div class='tiles'>{tile_html}</div>"
        f"<h2>{html.escape(labels['trend'])}</h2>{_bars(series, 'declarations', n)}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>"
    )
