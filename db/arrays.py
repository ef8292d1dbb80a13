"""Many values sent as one parameter. PostgreSQL array literals (cast to an array and unnested,
or compared with = ANY), parsed by the server in one go; tables of integer rows (row_table:
arrays on PostgreSQL, one JSON document on SQLite) sent a batch at a time. One encoding for the
write path (queries/writes.py), the trace engine and its contact records (queries/trace.py,
queries/contact_records.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast as cast_type

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import BigInteger, String, bindparam, cast, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import FromClause

from rules.exposure_arrays import Ints

# From this many integers on, a numpy array's literal is written by Arrow's CSV writer: three
# to four times str() and join (860,000 rollup figures a 100,000-row import chunk: 0.04 s
# against 0.14 s); below it, the writer's fixed cost is more than it saves.
_ARROW_FROM = 2_000


def pg_array(values: Sequence[object] | np.ndarray) -> str:
    """A PostgreSQL array literal of integers, or of text when the values are strings (one
    parameter, parsed in one go; built with C-level string operations, not per item)."""
    if not len(values):
        return "{}"
    if isinstance(values, np.ndarray) and values.dtype.kind not in "iu":
        values = values.tolist()  # text
    if isinstance(values, np.ndarray):
        if len(values) < _ARROW_FROM:
            return "{" + ",".join(map(str, values.tolist())) + "}"
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(pa.table({"v": values}), sink, pa_csv.WriteOptions(include_header=False))
        lines = sink.getvalue().to_pybytes()  # one number a line, each ending in \n
        return "{" + lines[:-1].replace(b"\n", b",").decode("ascii") + "}"
    if isinstance(values[0], str):
        # NUL cannot occur in PostgreSQL text, so it can stand for the separator while the
        # whole batch is escaped at once.
        texts = cast_type("Sequence[str]", values)  # the first is text, so all are (one column)
        joined = "\0".join(texts).replace("\\", "\\\\").replace('"', '\\"')
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


def row_table(dialect: str, name: str, columns: Sequence[str]) -> FromClause:
    """A table of integer rows sent as parameters (see row_params): one text array literal
    per column, unnested, on PostgreSQL (parsed far faster than ARRAY[...] of thousands of
    parameters); one JSON document on SQLite. Unlike a VALUES list, it compiles once."""
    if dialect == "postgresql":
        arrays = [cast(bindparam(f"{name}_{c}", type_=String), ARRAY(BigInteger)) for c in columns]
        return (
            func.unnest(*arrays)
            .table_valued(*[column(c, BigInteger) for c in columns])
            .render_derived(name=name)
        )
    each = (
        func.json_each(bindparam(f"{name}_rows", type_=String))
        .table_valued("value")
        .alias(f"{name}_rows")
    )
    return select(
        *[func.json_extract(each.c.value, f"$[{i}]").label(c) for i, c in enumerate(columns)]
    ).subquery(name)


def row_params(
    dialect: str, name: str, columns: Sequence[str], values: Sequence[Ints]
) -> dict[str, str]:
    """The parameters of a row_table: one column of integers per name in columns."""
    if dialect == "postgresql":
        return {
            f"{name}_{c}": pg_array(np.asarray(column))
            for c, column in zip(columns, values, strict=True)
        }
    rows = np.stack(values, axis=1).tolist() if len(values[0]) else []
    return {f"{name}_rows": json.dumps(rows)}


def row_batches(columns: Sequence[Ints], size: int) -> list[list[Ints]]:
    """The columns (of equal length) cut into batches of at most size rows; slices, not
    copies."""
    return [[c[start : start + size] for c in columns] for start in range(0, len(columns[0]), size)]
