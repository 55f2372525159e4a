"""One real SQL table per events / records dataset, so the rows stay queryable with SQL.

Column names come from the user's file, so they are always quoted and never formatted into SQL
unquoted; the table name is ours (``data_<dataset id>``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import Connection

from anomaly_desk.model import Mapping

BATCH_ROWS = 50_000


def table_name(dataset_id: int) -> str:
    return f"data_{int(dataset_id)}"


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type):
        return "INTEGER"
    if pa.types.is_timestamp(arrow_type):
        return "INTEGER"  # ns since the epoch, UTC
    if pa.types.is_floating(arrow_type):
        return "REAL"
    return "TEXT"


def create_data_table(
    conn: Connection, dataset_id: int, table: pa.Table, on_rows: Callable[[int], None]
) -> str:
    name = table_name(dataset_id)
    columns = ", ".join(
        f"{quote(f.name)} {_sql_type(f.type)}" for f in table.schema if f.name != "_row"
    )
    conn.exec_driver_sql(f"CREATE TABLE {name} (_row INTEGER PRIMARY KEY, {columns})")
    placeholders = ", ".join("?" for _ in range(table.num_columns + 1))
    sql = f"INSERT INTO {name} VALUES ({placeholders})"
    for start in range(0, table.num_rows, BATCH_ROWS):
        batch = table.slice(start, BATCH_ROWS)
        cols: list[list[Any]] = [list(range(start + 1, start + 1 + batch.num_rows))]
        for column, field in zip(batch.columns, batch.schema, strict=True):
            if pa.types.is_timestamp(field.type):
                column = column.cast(pa.int64())
            cols.append(column.to_pylist())
        conn.exec_driver_sql(sql, list(zip(*cols, strict=True)))
        on_rows(start + batch.num_rows)
    return name


def drop_data_table(conn: Connection, dataset_id: int) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table_name(dataset_id)}")


def read_data_table(conn: Connection, dataset_id: int, mapping: Mapping) -> pd.DataFrame:
    cursor = conn.exec_driver_sql(f"SELECT * FROM {table_name(dataset_id)} ORDER BY _row")
    names = [d[0] for d in cursor.cursor.description]
    frame = pd.DataFrame(cursor.fetchall(), columns=names).drop(columns="_row")
    if mapping.timestamp and mapping.timestamp in frame.columns:
        frame[mapping.timestamp] = pd.to_datetime(frame[mapping.timestamp], unit="ns", utc=True)
    return frame
