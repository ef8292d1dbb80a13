"""PostgreSQL array literals: many values sent as one text parameter (cast to an array and
unnested, or compared with = ANY), parsed by the server in one go. One encoding for the write
path (queries/writes.py) and the trace engine's row tables and id lookups (queries/trace.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def pg_array(values: Sequence[object]) -> str:
    """A PostgreSQL array literal of integers, or of text when the values are strings (one
    parameter, parsed in one go; built with C-level string operations, not per item)."""
    if not len(values):
        return "{}"
    if isinstance(values[0], str):
        # NUL cannot occur in PostgreSQL text, so it can stand for the separator while the
        # whole batch is escaped at once.
        joined = "\0".join(values).replace("\\", "\\\\").replace('"', '\\"')
        return '{"' + joined.replace("\0", '","') + '"}'
    return "{" + ",".join(map(str, values)) + "}"


def pg_array_or_nulls(values: pd.Series) -> str:
    """A PostgreSQL array literal of the values as text, NULL for missing ones."""
    missing = values.isna().to_numpy()
    if not missing.any():
        cells = values.astype(str).tolist()
        return pg_array(cells) if cells else "{}"
    if values.dtype.kind == "f":  # whole numbers held as floats beside NaN
        values = values.astype("Int64")
    quoted = [
        "NULL" if gone else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v, gone in zip(values.tolist(), missing, strict=True)
    ]
    return "{" + ",".join(quoted) + "}"
