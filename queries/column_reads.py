"""Reading many rows as numpy columns, for the trace's probes and look-ups.

On PostgreSQL the compiled statement is wrapped in COPY ... TO STDOUT (CSV) and the text is parsed
by pandas in C: no Python tuple or int per value, which cost more than the statement itself once
an F2 read hundreds of thousands of check-ins. SQLite, small by nature, fetches rows as usual.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import Connection
from sqlalchemy.engine import Compiled, Dialect
from sqlalchemy.sql import Select


def _dtype(i: int, nullable: Sequence[int], text: Sequence[int]) -> Any:
    return object if i in text else np.float64 if i in nullable else np.int64


@lru_cache(maxsize=64)
def _compiled(statement: Select[*tuple[Any, ...]], dialect: Dialect) -> Compiled:
    """The statement compiled once: the trace's statements are built once and reused, and
    compiling one took longer than running a small probe."""
    return statement.compile(dialect=dialect)


def read_columns(
    connection: Connection,
    statement: Select[*tuple[Any, ...]],
    params: Mapping[str, Any],
    nullable: Sequence[int] = (),
    text: Sequence[int] = (),
) -> list[NDArray[Any]]:
    """The statement's columns as arrays: int64, except at the positions in `nullable` float64
    with NaN for NULL (epoch seconds and ids are exact in a float64), and at the positions in
    `text` Python strings (never NULL). The statement's parameters must need no type processing
    (integers and strings)."""
    width = len(statement.selected_columns)
    if connection.dialect.name != "postgresql":
        rows = connection.execute(statement, dict(params)).all()
        return [
            np.array(
                [np.nan if row[i] is None else row[i] for row in rows],
                dtype=_dtype(i, nullable, text),
            )
            for i in range(width)
        ]
    from psycopg2 import sql  # only PostgreSQL connections come here
    from psycopg2.extensions import connection as PsycopgConnection

    compiled = _compiled(statement, connection.dialect)
    values = compiled.construct_params(dict(params))
    buffer = io.BytesIO()
    dbapi_connection = connection.connection.dbapi_connection
    if not isinstance(dbapi_connection, PsycopgConnection):
        raise TypeError(f"COPY needs a psycopg2 connection, not {type(dbapi_connection)}")
    with dbapi_connection.cursor() as cursor:
        # Listeners of the engine (statement logs, tests and benchmarks that EXPLAIN the
        # probes) see the SELECT with its parameters as if it had been executed plainly.
        events = connection.dispatch
        events.before_cursor_execute(connection, cursor, compiled.string, values, None, False)
        query = cursor.mogrify(compiled.string, values).decode()
        cursor.copy_expert(
            sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv)").format(sql.SQL(query)), buffer
        )
        events.after_cursor_execute(connection, cursor, compiled.string, values, None, False)
    if not buffer.tell():
        return [np.zeros(0, dtype=_dtype(i, nullable, text)) for i in range(width)]
    buffer.seek(0)
    frame = pd.read_csv(
        buffer,
        header=None,
        names=[str(i) for i in range(width)],
        encoding="utf-8",
        keep_default_na=False,
        na_values={str(i): [""] for i in nullable},  # an unquoted empty field is NULL in CSV
        dtype={str(i): _dtype(i, nullable, text) for i in range(width)},
        engine="c",
    )
    return [frame[str(i)].to_numpy() for i in range(width)]
