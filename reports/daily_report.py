"""The daily report leadership forwards: one self-contained HTML file (no scripts, no links to
fetch), readable on a phone, with the day's KPIs, the trend as an inline SVG and the table."""

from __future__ import annotations

import html
from datetime import datetime

import pandas as pd

from queries.kpis import Kpis

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:16px;color:#222}
h1{font-size:1.3em;margin:0 0 4px}.sub{color:#666;margin:0 0 16px}
.tiles{display:flex;flex-wrap:wrap;gap:8px}.tile{border:1px solid #ddd;border-radius:8px;
padding:8px 12px;min-width:140px}.tile b{display:block;font-size:1.6em}.up{color:#b71c1c}
.down{color:#1b5e20}table{border-collapse:collapse;margin-top:12px;width:100%}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:right}td:first-child,
th:first-child{text-align:left}
"""


def _delta(now: float, before: float) -> str:
    if before == 0:
        return ""
    change = (now - before) / before * 100
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    css = "up" if change > 0 else "down"
    return f'<span class="{css}">{arrow} {abs(change):.0f}%</span>'


def _bars(series: pd.DataFrame, column: str, width: int = 600, height: int = 120) -> str:
    values = series[column].astype(float).tolist()
    top = max(values) if values and max(values) > 0 else 1.0
    step = width / max(len(values), 1)
    bars = []
    for i, value in enumerate(values):
        bar_height = value / top * (height - 20)
        x, y = i * step + 1, height - 15 - bar_height
        day = series["day"].iloc[i].strftime("%d/%m")
        bars.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - 2:.1f}" height="{bar_height:.1f}" '
            f'fill="#c62828"><title>{day}: {int(value):,}</title></rect>'
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
) -> str:
    """The report as HTML; labels maps keys (title, declarations, …) to the reader's language."""
    today, yesterday = kpis.today, kpis.yesterday
    tiles = [
        (
            labels["declarations"],
            f"{today.declarations:,}",
            _delta(today.declarations, yesterday.declarations),
        ),
        (
            labels["at_risk"],
            f"{today.at_risk:,} ({today.risk_rate:.1%})",
            _delta(today.at_risk, yesterday.at_risk),
        ),
        (labels["new_cases"], f"{today.new_cases:,}", _delta(today.new_cases, yesterday.new_cases)),
        (labels["contacts_traced"], f"{today.contacts_traced:,}", ""),
        (
            labels["active_units"],
            f"{today.active_units:,}",
            _delta(today.active_units, yesterday.active_units),
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
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(str(row.name))}</td><td>{int(row.declarations):,}</td>"
        f"<td>{int(row.at_risk):,}</td><td>{row.risk_rate:.2%}</td><td>{int(row.cases):,}</td>"
        "</tr>"
        for row in table.itertuples()
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
        f"<h2>{html.escape(labels['trend'])}</h2>{_bars(series, 'declarations')}"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        "</body></html>"
    )
