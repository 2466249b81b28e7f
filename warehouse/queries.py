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


# --- `wirehouse query`: a name or SQL text, run read-only ------------------------


@dataclass(frozen=True)
class Statement:
    """What `wirehouse query` runs: the SQL, its bound parameters, and the named query if any."""

    text: str
    sql: str
    params: dict[str, object]
    named: NamedQuery | None = None

    def failure(self, db_path: Path, exc: Exception) -> str:
        """The message for a failed run, hinting when a bare word was meant as a query name."""
        label = f"query {self.named.name}" if self.named else str(db_path)
        hint = ""
        if self.named is None and " " not in self.text.strip():
            hint = f" ({self.text!r} is not a named query either; see `wirehouse query --list`)"
        return f"{label}: {exc}{hint}"


def statement(text: str, given: dict[str, object]) -> Statement:
    """A named query bound to `given`, or SQL text with `given` bound as strings."""
    named = find_query(text)
    if named is None:
        return Statement(text, text, given)
    return Statement(text, named.sql, named.bind(given), named)


def fetch_rows(
    db_path: Path, stmt: Statement, *, wait_seconds: float
) -> tuple[list[str], list[tuple]]:
    """The column names and rows of the statement on a read-only connection (QueryFailed if not)."""
    try:
        with db.connect(db_path, read_only=True, wait_seconds=wait_seconds) as con:
            cursor = con.execute(stmt.sql, stmt.params or None)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            return columns, cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        raise QueryFailed(stmt.failure(db_path, exc)) from exc


def fetch_frame(db_path: Path, stmt: Statement, *, wait_seconds: float) -> pl.DataFrame:
    """The statement's result as a polars frame, keeping DuckDB's types (QueryFailed if not)."""
    try:
        with db.connect(db_path, read_only=True, wait_seconds=wait_seconds) as con:
            return con.sql(stmt.sql, params=stmt.params or None).pl()
    except duckdb.Error as exc:
        raise QueryFailed(stmt.failure(db_path, exc)) from exc
