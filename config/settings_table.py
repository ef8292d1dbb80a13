"""README's settings table, written from the settings declaration (config/settings.py): a
setting added there shows up here, and tests/test_settings_table.py fails until README.md is
brought up to date (`python manage.py settings-table` prints the table to paste)."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from config.settings import REPO_ROOT, Settings, env_name, setting_names

BEGIN = (
    "<!-- settings table: written by `.venv/bin/python manage.py settings-table`; do not edit -->"
)
END = "<!-- end of the settings table -->"
LONGEST_DEFAULT = 40


def _field(name: str) -> FieldInfo:
    group, _, inner = name.partition(".")
    field = Settings.model_fields[group]
    if not inner:
        return field
    model = field.annotation
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise KeyError(name)
    return model.model_fields[inner]


def _default(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return ", ".join(f"{key} {minutes}" for key, minutes in value.items())
    if isinstance(value, list):
        return "`" + ", ".join(map(str, value)) + "`"
    if isinstance(value, str):
        value = value.replace(str(REPO_ROOT) + "/", "")
        if not value:
            return "empty"
        if len(value) > LONGEST_DEFAULT:
            value = value[: LONGEST_DEFAULT - 1].rstrip() + "…"
        return f"`{value}`"
    return f"{value:,}" if isinstance(value, int) and value >= 10_000 else str(value)


def settings_table() -> str:
    """The Markdown table: setting, environment variable, default, what it does."""
    lines = ["| setting | environment | default | what it does |", "|---|---|---|---|"]
    for name in setting_names():
        field = _field(name)
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `{name}` | `{env_name(name)}` | {_default(field)} | {description} |")
    return "\n".join(lines)


def readme_block() -> str:
    """The table with the markers that delimit it in README.md."""
    return f"{BEGIN}\n{settings_table()}\n{END}"
