"""The stage contracts (transforms/schemas.py) agree with the tables of a migrated warehouse."""

import ast
from pathlib import Path

import duckdb
import polars as pl
import pytest

from transforms import schemas
from warehouse import db
from warehouse.schema import TABLES

# How DuckDB names the types the stage frames use.
DUCKDB_TYPE = {
    pl.String(): "VARCHAR",
    pl.Int32(): "INTEGER",
    pl.Int64(): "BIGINT",
    pl.Date(): "DATE",
    pl.Datetime("us"): "TIMESTAMP",
    pl.Boolean(): "BOOLEAN",
    pl.Float64(): "DOUBLE",
}


@pytest.fixture(scope="module")
def migrated() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    db.migrate(con)
    return con


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_stored_stage_column_is_a_table_column_of_the_same_type(migrated, table):
    columns = table_columns(migrated, table.name)
    expected = {name: DUCKDB_TYPE[table.frame[name]] for name in table.stored}
    assert {name: columns.get(name) for name in table.stored} == expected


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.name)
def test_every_table_column_comes_from_its_stage_frame_or_the_warehouse(migrated, table):
    columns = table_columns(migrated, table.name)
    assert set(columns) == set(table.stored) | set(table.added)


def test_columns_left_out_of_a_table_are_columns_of_its_frame():
    for table in TABLES:
        assert set(table.not_stored) <= set(table.frame), table.name


def test_every_base_table_but_the_migration_log_stores_a_stage_frame(migrated):
    names = {
        row[0]
        for row in migrated.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
    }
    assert names - {table.name for table in TABLES} == {"schema_migrations"}


def test_every_stage_contract_states_its_grain():
    module = ast.parse(Path(schemas.__file__).read_text(encoding="utf-8"))
    grains = {}
    for node, after in zip(module.body, module.body[1:], strict=False):
        if isinstance(node, ast.Assign) and node.targets[0].id.endswith("_SCHEMA"):
            is_docstring = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            grains[node.targets[0].id] = after.value.value if is_docstring else ""
    assert len(grains) >= 10
    assert {name for name, grain in grains.items() if not grain.startswith("One row per")} == set()
