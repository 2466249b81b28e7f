"""Named queries from sql/queries/: parsing, parameter binding and running, for the CLI and report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from warehouse import db

QUERY_DIR = db.SQL_DIR / "queries"
REPORT_DIR = db.SQL_DIR / "report"
PARAM_TYPES = ("date", "int", "text")
DEFAULT_SINCE = date(1900, 1, 1)
DEFAULT_UNTIL = date(2999, 12, 31)
# Parameters that `wirehouse query` also takes as their own flags.
CONVENIENCE_FLAGS = ("since", "until", "country", "limit")

_PARAMS_LINE = re.compile(r"^--\s*params:\s*(?P<spec>.*)$", re.MULTILINE)
_PARAM_SPEC = re.compile(
    r"(?P<name>[a-z_][a-z0-9_]*)\s*\(\s*(?P<type>\w+)\s*(?:,\s*default\s+(?P<default>[^)]*?))?\s*\)"
)
_SQL_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")


class QueryError(ValueError):
    """A named query is unknown, malformed, or was given parameters it cannot take."""


class QueryFailed(RuntimeError):
    """DuckDB could not run a statement; the message names the query or warehouse."""


class QueryRefused(QueryError):
    """SQL given to `wirehouse query` holds a kind of statement, or a number of them, it does not run."""


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query: its name, type and default (None: required)."""

    name: str
    type: str
    default: str | None = None

    def convert(self, query: str, value: object) -> object:
        """The value as the type DuckDB should bind; strings from the command line are parsed."""
        if not isinstance(value, str):
            return value
        try:
            if self.type == "date":
                return date.fromisoformat(value)
            if self.type == "int":
                return int(value)
        except ValueError:
            like = "a date like 2017-04-10" if self.type == "date" else "a whole number"
            raise QueryError(
                f"query {query}: parameter {self.name}: {value!r} is not {like}"
            ) from None
        return value

    def describe(self) -> str:
        """`since (date, default 1900-01-01)` or `country (text, required)`."""
        default = "required" if self.default is None else f"default {self.default}"
        return f"{self.name} ({self.type}, {default})"

    def missing(self, query: str) -> QueryError:
        """The error for a required parameter left out, naming the flag that gives it."""
        if self.name in CONVENIENCE_FLAGS:
            example = f"--{self.name} VALUE"
        else:
            example = f"--param {self.name}=VALUE"
        return QueryError(
            f"query {query}: missing parameter {self.name} ({self.type}); pass {example}"
        )


@dataclass(frozen=True)
class NamedQuery:
    """A .sql file in sql/queries/: its name, one-line description, parameters and text."""

    name: str
    description: str
    params: tuple[Param, ...]
    sql: str
    path: Path

    def bind(self, given: dict[str, object]) -> dict[str, object]:
        """Every declared parameter's value, from `given` or its default, typed for DuckDB."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            takes = ", ".join(declared) if declared else "no parameters"
            raise QueryError(
                f"query {self.name}: unknown parameter {', '.join(unknown)}"
                f" (it takes {takes}; see `wirehouse query --list`)"
            )
        values: dict[str, object] = {}
        for param in self.params:
            if param.name in given:
                values[param.name] = param.convert(self.name, given[param.name])
            elif param.default is not None:
                values[param.name] = param.convert(self.name, param.default)
            else:
                raise param.missing(self.name)
        return values


def _parse_params(path: Path, spec: str) -> tuple[Param, ...]:
    """The parameters a `-- params:` line declares; raise QueryError on an unknown type."""
    if spec.lower() == "none":
        return ()
    params: list[Param] = []
    for match in _PARAM_SPEC.finditer(spec):
        if match.group("type") not in PARAM_TYPES:
            raise QueryError(
                f"{path}: parameter {match.group('name')} has type {match.group('type')!r};"
                f" use one of {', '.join(PARAM_TYPES)}"
            )
        params.append(Param(match.group("name"), match.group("type"), match.group("default")))
    return tuple(params)


def load_query(path: Path) -> NamedQuery:
    """Parse one named-query file; raise QueryError naming the file when its header is wrong."""
    text = path.read_text()
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    if not first.startswith("--") or first.lstrip("- ").startswith("params:"):
        raise QueryError(f"{path}: the first line must be a `--` comment describing the query")
    header = _PARAMS_LINE.search(text)
    if header is None:
        raise QueryError(f"{path}: no `-- params:` line; write `-- params: none` if it takes none")
    params = _parse_params(path, header.group("spec").strip())
    used = set(_SQL_PARAM.findall(_LINE_COMMENT.sub("", text)))
    declared = {p.name for p in params}
    if used != declared:
        raise QueryError(
            f"{path}: declares parameters {sorted(declared)} but uses {sorted(used)};"
            " make the `-- params:` line match the $names in the SQL"
        )
    return NamedQuery(path.stem, first.lstrip("-").strip(), params, text, path)


def named_queries(directory: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query shipped in sql/queries/, by name."""
    return {path.stem: load_query(path) for path in sorted(directory.glob("*.sql"))}


def find_query(name: str, directory: Path = QUERY_DIR) -> NamedQuery | None:
    """The named query called `name`, or None when no file has that name (so it is SQL text)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return None
    path = directory / f"{name}.sql"
    return load_query(path) if path.is_file() else None


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> pl.DataFrame:
    """The result of a named query, its parameters bound (never pasted) by DuckDB."""
    query = find_query(name)
    if query is None:
        raise QueryError(f"no named query {name!r} in {QUERY_DIR}")
    return con.sql(query.sql, params=query.bind(params)).pl()


def report_sql(name: str) -> str:
    """The text of sql/report/<name>.sql, a query the product's own summaries run."""
    return (REPORT_DIR / f"{name}.sql").read_text()


def top_countries(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[tuple[str, str, int]]:
    """(country_code, country_name, mention_count) of the most mentioned countries, all dates."""
    return con.execute(report_sql("run_summary_top_countries"), {"limit": limit}).fetchall()


# --- `wirehouse query`: a name or SQL text, run on a locked connection ------------

# The kinds of statement `wirehouse query` runs, as DuckDB's parser types them. SELECT covers
# with, from, values, describe, show and summarize; MULTI is PIVOT; CALL runs a table function
# as select * from it would; CREATE can only make temporary views, tables and macros on the
# read-only warehouse. What a statement reads or changes beyond that, DuckDB's locked
# connection refuses by itself (db.connect(locked=True)).
_RUNS = frozenset(
    {
        duckdb.StatementType.SELECT,
        duckdb.StatementType.EXPLAIN,
        duckdb.StatementType.MULTI,
        duckdb.StatementType.CALL,
        duckdb.StatementType.CREATE,
    }
)
WRITING_FILES = (
    "to write files use `wirehouse export --out DIR` (Parquet of every table) or"
    " `wirehouse query SQL --format csv|json|parquet --out FILE` (one result)"
)
_REFUSALS = {
    duckdb.StatementType.COPY: "COPY is refused: query reads no file and writes none; "
    + WRITING_FILES,
    duckdb.StatementType.EXPORT: "EXPORT DATABASE is refused: query writes no file; "
    + WRITING_FILES,
    duckdb.StatementType.COPY_DATABASE: "COPY FROM DATABASE is refused: query changes no"
    " database; " + WRITING_FILES,
    duckdb.StatementType.ATTACH: "ATTACH is refused: query reads only the warehouse named by"
    " --db; pass another --db to read another warehouse",
    duckdb.StatementType.DETACH: "DETACH is refused: query reads only the warehouse named by --db",
    duckdb.StatementType.LOAD: "INSTALL and LOAD are refused: query runs with DuckDB's built-in"
    " extensions only",
    duckdb.StatementType.SET: "SET, RESET and USE are refused: query runs with fixed settings"
    " (for a value used twice, write a CTE)",
    duckdb.StatementType.PRAGMA: "PRAGMA is refused, as some change settings: use describe TABLE,"
    " show tables, or a table function such as select * from pragma_table_info('articles')",
}
# Added to DuckDB's own refusal of a file (read_csv, read_text, glob, a path in FROM).
_NO_FILES_HINT = "query reads only the warehouse's tables and views; " + WRITING_FILES


def _refusal(kind: duckdb.StatementType) -> str | None:
    """Why `wirehouse query` does not run a statement of this kind, or None when it does."""
    if kind in _RUNS:
        return None
    return _REFUSALS.get(kind) or (
        f"{kind.name} is refused: query is read-only; `wirehouse run` is what changes the warehouse"
    )


@dataclass(frozen=True)
class Statement:
    """What `wirehouse query` runs: the SQL, its bound parameters, and the named query if any.

    script: the SQL may hold several statements, run in order; the last one's result counts.
    """

    text: str
    sql: str
    params: dict[str, object]
    named: NamedQuery | None = None
    script: bool = False

    def failure(self, db_path: Path, exc: Exception) -> str:
        """The message for a failed run, hinting when a bare word was meant as a query name."""
        label = f"query {self.named.name}" if self.named else str(db_path)
        if isinstance(exc, duckdb.PermissionException):
            # DuckDB's line names the file; the rest of its text only repeats the SQL.
            return f"{label}: {str(exc).splitlines()[0]} ({_NO_FILES_HINT})"
        hint = ""
        if self.named is None and " " not in self.text.strip():
            hint = f" ({self.text!r} is not a named query either; see `wirehouse query --list`)"
        return f"{label}: {exc}{hint}"

    def parts(self, con: duckdb.DuckDBPyConnection) -> list[tuple[str, dict[str, object]]]:
        """Each statement to run with the parameters it uses; QueryRefused for what query does
        not run (a statement it refuses, or several without script)."""
        parsed = con.extract_statements(self.sql)
        if not parsed:
            raise QueryRefused("no SQL statement given; see `wirehouse query --list`")
        if len(parsed) > 1 and not self.script:
            raise QueryRefused(
                f"{len(parsed)} statements given; query runs one at a time. Pass --script to"
                " run them in order and print the last one's result"
            )
        for number, part in enumerate(parsed, start=1):
            if (why := _refusal(part.type)) is not None:
                where = f"statement {number}: " if len(parsed) > 1 else ""
                raise QueryRefused(where + why)
        if not self.script:
            return [(self.sql, self.params)]
        unused = sorted(set(self.params) - {n for p in parsed for n in p.named_parameters})
        if unused:
            raise QueryRefused(f"parameter {', '.join(unused)} is used by no statement")
        return [
            (part.query, {name: self.params[name] for name in part.named_parameters})
            for part in parsed
        ]


def statement(text: str, given: dict[str, object], *, script: bool = False) -> Statement:
    """A named query bound to `given`, or SQL text with `given` bound as strings."""
    named = find_query(text)
    if named is None:
        return Statement(text, text, given, script=script)
    return Statement(text, named.sql, named.bind(given), named)


def _run_all_but_last(
    con: duckdb.DuckDBPyConnection, stmt: Statement
) -> tuple[str, dict[str, object]]:
    """Run every statement of stmt but the last (checked first); returns the last, to run."""
    parts = stmt.parts(con)
    for sql, params in parts[:-1]:
        con.execute(sql, params or None)
    return parts[-1]


def fetch_rows(
    db_path: Path, stmt: Statement, *, wait_seconds: float
) -> tuple[list[str], list[tuple]]:
    """The column names and rows of the statement on a locked connection (QueryRefused or
    QueryFailed if not)."""
    try:
        with db.connect(db_path, locked=True, wait_seconds=wait_seconds) as con:
            sql, params = _run_all_but_last(con, stmt)
            cursor = con.execute(sql, params or None)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            return columns, cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise QueryFailed(stmt.failure(db_path, exc)) from exc


def fetch_frame(db_path: Path, stmt: Statement, *, wait_seconds: float) -> pl.DataFrame:
    """The statement's result as a polars frame, keeping DuckDB's types (QueryRefused or
    QueryFailed if not)."""
    try:
        with db.connect(db_path, locked=True, wait_seconds=wait_seconds) as con:
            sql, params = _run_all_but_last(con, stmt)
            relation = con.sql(sql, params=params or None)
            return relation.pl() if relation is not None else pl.DataFrame()
    except duckdb.Error as exc:
        raise QueryFailed(stmt.failure(db_path, exc)) from exc
