"""Tables as files for people's spreadsheets: CSV (UTF-8 with BOM, so Excel reads Vietnamese)
and XLSX, with every text cell neutralised against formula injection (see rules.cells)."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.worksheet.worksheet import Worksheet

from rules.cells import neutralise


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return _safe(frame).to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "KBYT") -> bytes:
    book = Workbook()
    table = book.active
    if not isinstance(table, Worksheet):
        raise TypeError(f"a new workbook starts with a worksheet, not {type(table)}")
    table.title = sheet[:31]
    table.append([str(c) for c in frame.columns])
    for row in _safe(frame).itertuples(index=False):
        table.append([None if pd.isna(v) else v for v in row])
    for cells in table.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
