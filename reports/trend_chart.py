"""The overview's trend: declarations by day as bars, at-risk declarations as a line, in the
reader's language. No Streamlit, so the rules it draws by are tested on the figure itself:

- a day still under way is not a fall: its bar is hatched and labelled "đến HH:MM", its at-risk
  point is hollow and not joined to the line;
- counts have whole-number ticks (never 0.286), stepped by rules.kpis.count_axis_step;
- dates are '26 thg 11' in Vietnamese (Plotly only knows English month names), numbers 6.272;
- a small count is not drawn (its height would show it) and its hover says '<n'.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.graph_objects as go

from i18n.numbers import day_month, full_date, plotly_separators
from reports.figures import count
from rules.disclosure import drawable
from rules.kpis import count_axis_step, is_partial

BAR = "#1f77b4"
LINE = "#c62828"
MAX_DAY_TICKS = 10
BAR_WIDTH_MS = 0.8 * 86_400_000  # a bar is 0.8 of a day wide, alone or among others


def _count_axis(values: pd.Series) -> dict:
    top = float(values.max()) if len(values) and values.notna().any() else 0.0
    return {
        "tickformat": ",d",
        "tick0": 0,
        "dtick": count_axis_step(top),
        "rangemode": "tozero",
    }


def trend_figure(
    series: pd.DataFrame,
    labels: dict[str, str],
    now_local: datetime,
    threshold: int = 1,
    language: str = "vi",
) -> go.Figure:
    """series: daily_series' frame (day, declarations, at_risk). labels: 'declarations',
    'at_risk', 'partial' (the hatched bar's legend entry) and 'until' (the note on it)."""
    n = threshold
    partial = series["day"].map(lambda day: is_partial(day, now_local))
    days = series["day"].tolist()
    hover = "%{customdata[0]}: %{customdata[1]}<extra>%{fullData.name}</extra>"

    def points(column: str, rows: pd.Series) -> dict:
        chosen = series[rows]
        return {
            "x": chosen["day"].tolist(),
            "y": drawable(chosen[column], n).tolist(),
            "customdata": [
                [full_date(day, language), count(int(value), n, language)]
                for day, value in zip(chosen["day"], chosen[column], strict=True)
            ],
            "hovertemplate": hover,
        }

    full = ~partial
    figure = go.Figure()
    figure.add_bar(
        name=labels["declarations"], marker_color=BAR, width=BAR_WIDTH_MS,
        **points("declarations", full),
    )  # fmt: skip
    figure.add_scatter(
        name=labels["at_risk"], yaxis="y2", mode="lines+markers", line_color=LINE,
        **points("at_risk", full),
    )  # fmt: skip
    if partial.any():
        figure.add_bar(
            name=labels["partial"],
            marker={"color": "rgba(31,119,180,0.35)", "line": {"color": BAR, "width": 1.5},
                    "pattern": {"shape": "/", "fgcolor": BAR}},
            width=BAR_WIDTH_MS,
            text=[labels["until"]] * int(partial.sum()),
            textposition="outside",
            cliponaxis=False,
            **points("declarations", partial),
        )  # fmt: skip
        figure.add_scatter(
            name=labels["at_risk"], yaxis="y2", mode="markers", showlegend=False,
            marker={"symbol": "circle-open", "size": 9, "color": LINE, "line": {"width": 2}},
            **points("at_risk", partial),
        )  # fmt: skip
    every = max(1, -(-len(days) // MAX_DAY_TICKS))
    ticks = days[::-1][::every][::-1]  # counted back from the last day, which always has one
    figure.update_layout(
        height=340,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        separators=plotly_separators(language),
        barmode="overlay",
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        xaxis={
            "type": "date",
            "tickvals": ticks,
            "ticktext": [day_month(day, language) for day in ticks],
        },
        yaxis=_count_axis(series["declarations"]),
        yaxis2={
            **_count_axis(series["at_risk"]),
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickfont": {"color": LINE},  # the line's axis, in the line's colour
        },
    )
    return figure
