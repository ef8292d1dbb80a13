"""A long job's progress callback (demo city, import, trace) drawn on a Streamlit progress bar:
the jobs take a function that returns nothing, and the bar's update returns the bar."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.delta_generator import DeltaGenerator


def on_bar(bar: DeltaGenerator, text: Callable[[str], str] = str) -> Callable[[float, str], None]:
    """Each step shown on bar with text(message); a fraction past 1 shows as a full bar."""

    def show(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0), text=text(message))

    return show
