"""The plain load the write path is measured against (bench/seed.py, bench/import_checkins.py):
check-in rows as they are, no validation, no people resolved, no rollups: COPY of the frame's
CSV on PostgreSQL, executemany of INSERT on SQLite."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import Engine

from queries.writes import CHECKIN_COLUMNS


def plain_load(engine: Engine, frame: pd.DataFrame) -> None:
    """Insert the frame's check-in columns into checkin in one transaction."""
    columns = list(CHECKIN_COLUMNS)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            buffer = io.StringIO()
            frame[columns].to_csv(buffer, index=False, header=False)
            buffer.seek(0)
            raw = connection.connection.dbapi_connection
            if raw is None:  # only a closed connection has none
                raise RuntimeError("COPY needs an open connection")
            cursor = raw.cursor()
            cursor.copy_expert(
                f"COPY checkin ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, "
                "FORCE_NOT_NULL (symptoms, exposures, risk_reasons))",
                buffer,
            )
        else:
            rows = frame[columns].astype(object).where(frame[columns].notna(), None)
            marks = ", ".join("?" for _ in columns)
            connection.exec_driver_sql(
                f"INSERT INTO checkin ({', '.join(columns)}) VALUES ({marks})",
                list(rows.itertuples(index=False, name=None)),
            )
