"""Frames into tables: COPY on PostgreSQL (CSV written by Arrow's C++ writer), executemany on
SQLite, and the temporary staging tables the write path joins against."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table
from sqlalchemy.exc import DBAPIError

_COPY_READ_BYTES = 1 << 20


def stage_table(connection: Connection, name: str, columns: list[Column]) -> Table:
    table = Table(
        name, MetaData(), Column("line", Integer, nullable=False), *columns, prefixes=["TEMPORARY"]
    )
    table.drop(connection, checkfirst=True)
    table.create(connection)
    return table


def csv_bytes(frame: pd.DataFrame | pa.Table) -> pa.Buffer:
    """The frame as CSV for COPY … (FORMAT csv): strings always quoted, so '' stays '' and an
    empty unquoted field is NULL. Arrow's C++ writer: about five times DataFrame.to_csv."""
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return sink.getvalue()


def copy_frame(
    connection: Connection,
    table: str,
    frame: pd.DataFrame | pa.Table,
    not_null_text: Sequence[str] = (),
) -> None:
    """COPY the frame's rows (a pandas or an Arrow table) into the table (PostgreSQL), columns
    by the frame's names. A failure is raised as SQLAlchemy's error of its kind (IntegrityError
    for a key already present), as a statement executed through SQLAlchemy would raise it."""
    columns = frame.column_names if isinstance(frame, pa.Table) else frame.columns
    names = ", ".join(f'"{n}"' for n in columns)
    options = "FORMAT csv"
    if not_null_text:
        options += ", FORCE_NOT_NULL (" + ", ".join(f'"{n}"' for n in not_null_text) + ")"
    import psycopg2  # PostgreSQL only
    from psycopg2.extensions import connection as PsycopgConnection

    dbapi_connection = connection.connection.dbapi_connection
    if not isinstance(dbapi_connection, PsycopgConnection):
        raise TypeError(f"COPY needs a psycopg2 connection, not {type(dbapi_connection)}")
    statement = f"COPY {table} ({names}) FROM STDIN WITH ({options})"
    cursor = dbapi_connection.cursor()
    try:
        cursor.copy_expert(statement, pa.BufferReader(csv_bytes(frame)), size=_COPY_READ_BYTES)
    except psycopg2.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg2.Error) from error
    finally:
        cursor.close()


def frame_records(frame: pd.DataFrame) -> list[tuple]:
    """Rows as tuples of plain Python values, None for missing (for executemany)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype.kind in "iub":
            columns.append(series.to_numpy().tolist())
        else:
            columns.append(series.to_numpy(dtype=object, na_value=None).tolist())  # type: ignore[call-overload]  # pandas-stubs refuses na_value=None; pandas does not
    return list(zip(*columns, strict=True))


def insert_frame(connection: Connection, table: str, frame: pd.DataFrame) -> None:
    """executemany INSERT of the frame's rows (SQLite)."""
    names = list(frame.columns)
    marks = ", ".join("?" for _ in names)
    # Names come from our own tables, never from input.
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    connection.exec_driver_sql(sql, frame_records(frame))


def fill_stage(connection: Connection, stage: Table, frame: pd.DataFrame) -> None:
    """Put the rows of frame (columns named as the stage's, 'line' included) into the stage."""
    frame = frame[[c.name for c in stage.columns]].copy()
    for column in stage.columns:
        if isinstance(column.type, Integer) and frame[column.name].dtype.kind not in "iu":
            frame[column.name] = pd.array(frame[column.name], dtype="Int64")  # type: ignore[call-overload]  # pandas-stubs takes no Series here; pandas does
    if connection.dialect.name == "postgresql":
        not_null_text = [
            c.name for c in stage.columns if isinstance(c.type, String) and not c.nullable
        ]
        copy_frame(connection, stage.name, frame, not_null_text)
        return
    insert_frame(connection, stage.name, frame)
