"""Kept for the modules that still import ``plain`` from here (ui/admin/*): the rule itself,
with the shortcodes and bare links Streamlit also interprets, is rules/safe_text.py."""

from __future__ import annotations

from rules.safe_text import markdown as plain

__all__ = ["plain"]
