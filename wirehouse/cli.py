"""The `wirehouse` command: run, query, export, serve."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import io
import json
import math
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn, TextIO, TypeVar

from wirehouse import lifetime
from wirehouse.settings import DEFAULT_DB, FOLLOW_SYMLINKS, FORMATS, Settings, location
from wirehouse.terminal import printable

if TYPE_CHECKING:
    from flows.ingest import RunSummary

# The most countries, people and bodies `report --top` shows; warehouse/report.py MAX_TOP,
# repeated here so that parsing the command line imports neither polars nor DuckDB.
REPORT_MAX_TOP = 100


def _prefect_env() -> None:
    # The machines running this have no internet: never let Prefect phone home, neither the
    # server it may start nor the client (DO_NOT_TRACK also keeps its first-run telemetry
    # notice off the terminal). Set before Prefect is imported: it reads them then.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # Prefect gives its temporary server 20 s to answer; its first start on a new
    # PREFECT_HOME (creating its database) on a busy machine can take longer.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2017-04-10") from exc


def _country_code(value: str) -> str:
    """An argparse type: an ISO 3166-1 alpha-2 code in ASCII letters, either case; upper-cased."""
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a two-letter country code like IT")
    return value.upper()


def _whole_number(least: int, most: int | None = None) -> Callable[[str], int]:
    """An argparse type: ASCII digits only (int() would take '١٢', ' 5' and '1_0'), in range."""
    bounds = f"from {least} to {most}" if most is not None else f"of at least {least}"

    def parse(value: str) -> int:
        number = int(value) if re.fullmatch(r"[0-9]+", value) else None
        if number is None or number < least or (most is not None and number > most):
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number {bounds}")
        return number

    return parse


def _row_limit(value: str) -> str:
    """--limit: a whole number of rows, at least 1, kept as text to bind like --param limit=."""
    return str(_whole_number(1)(value))


def _amount(*, zero_allowed: bool, unit: str) -> Callable[[str], float]:
    """An argparse type: a finite number above zero (or zero too), e.g. seconds or megabytes."""
    bounds = "zero or more" if zero_allowed else "more than zero"

    def parse(value: str) -> float:
        try:
            number = float(value) if value.isascii() else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or number < 0 or (number == 0 and not zero_allowed):
            raise argparse.ArgumentTypeError(f"{value!r} is not a number of {unit}, {bounds}")
        return number

    return parse


_seconds = _amount(zero_allowed=True, unit="seconds")


def _add_db(parser: argparse.ArgumentParser, env: Settings) -> None:
    parser.add_argument(
        "--db", type=Path, default=env.db_path, help=f"warehouse file (default {DEFAULT_DB})"
    )


def _storage_option(value: str) -> tuple[str, object]:
    """--storage-option KEY=VALUE: true/false as booleans, {...} or [...] as JSON, else text."""
    key, sep, text = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(
            f"{value!r}: write it as KEY=VALUE, e.g. endpoint_url=http://127.0.0.1:9000"
        )
    if text in ("true", "false"):
        return key.strip(), text == "true"
    if text.startswith(("{", "[")):
        try:
            return key.strip(), json.loads(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{value!r}: the value is not JSON ({exc})") from None
    return key.strip(), text


def _add_storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--storage-option",
        type=_storage_option,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an fsspec option for s3://... and other URLs, e.g. endpoint_url=http://host:9000"
        " (repeatable; credentials belong in the environment)",
    )


def _add_follow_symlinks(parser: argparse.ArgumentParser, env: Settings) -> None:
    parser.add_argument(
        "--follow-symlinks",
        choices=FOLLOW_SYMLINKS,
        default=env.follow_symlinks,
        help="follow symbolic links under --input only when their target is inside it"
        " (default), all of them, or none; a link not followed is recorded with the reason",
    )


def _add_run(sub: argparse._SubParsersAction, env: Settings) -> None:
    run = sub.add_parser("run", help="load new and changed article files into the warehouse")
    run.add_argument(
        "--input",
        type=location,
        default=env.input_dir,
        help="folder of article files, or a URL of objects (s3://bucket/prefix)",
    )
    _add_follow_symlinks(run, env)
    _add_db(run, env)
    run.add_argument(
        "--reference-date",
        type=_date,
        help="date used to give yearless datelines a year (default: from each path, else mtime)",
    )
    run.add_argument("--format", choices=FORMATS, default="auto", help="force the input format")
    run.add_argument(
        "--export", type=location, help="also export Parquet to this folder or URL afterwards"
    )
    _add_storage_options(run)
    _add_run_scale(run, env)
    run.add_argument(
        "--include-dateline-mentions",
        action="store_true",
        help="count the opening dateline city ('TOKYO, April 10 -') as a mention",
    )
    _add_run_sharing(run, env)
    run.add_argument(
        "--prune",
        action="store_true",
        help="remove the articles of files that are no longer under --input",
    )
    run.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any file was rejected or any folder could not be listed",
    )
    noise = run.add_mutually_exclusive_group()
    noise.add_argument("--quiet", action="store_true", help="only warnings, errors and the summary")
    noise.add_argument("--verbose", action="store_true", help="debug logging, one line per batch")


def _add_run_scale(run: argparse.ArgumentParser, env: Settings) -> None:
    """run's options for how much is read at once and where."""
    run.add_argument(
        "--batch-size",
        type=_whole_number(1),
        default=env.batch_size,
        help="files per batch and per load",
    )
    run.add_argument(
        "--max-file-mb",
        type=_amount(zero_allowed=False, unit="megabytes"),
        default=env.max_file_bytes / 1_048_576,
        help="reject files larger than this",
    )
    run.add_argument(
        "--workers",
        type=_whole_number(1),
        default=env.workers,
        help="batches read and transformed at once",
    )
    run.add_argument(
        "--dask-address",
        default=env.dask_address,
        help="run read/transform tasks on this Dask scheduler (tcp://host:8786)",
    )
    run.add_argument(
        "--dask-local",
        type=_whole_number(0),
        default=0,
        metavar="N",
        help="start a local Dask cluster of N worker processes for this run",
    )


def _add_run_sharing(run: argparse.ArgumentParser, env: Settings) -> None:
    """run's options for sharing the warehouse with readers and other runs."""
    run.add_argument(
        "--lock-wait",
        type=_seconds,
        default=env.lock_wait_seconds,
        help="seconds to wait while another process holds the warehouse",
    )
    run.add_argument(
        "--write-hold",
        type=_seconds,
        default=env.write_hold_seconds,
        metavar="SECONDS",
        help="keep the warehouse open for writing this long before letting readers in"
        " (fewer checkpoints, faster loads; 0 = after every batch)",
    )
    run.add_argument(
        "--if-running",
        choices=("wait", "fail"),
        default="wait",
        help="when another run is loading the same warehouse: wait for it (default) or exit 3",
    )


def _add_query(sub: argparse._SubParsersAction, env: Settings) -> None:
    query = sub.add_parser(
        "query",
        help="run read-only SQL or a named query against the warehouse",
        description="Run SQL text, or a named query from sql/queries/ (see --list), on a"
        " read-only connection that reads no file but the warehouse and changes no setting:"
        " COPY, EXPORT, ATTACH, INSTALL, LOAD, SET and PRAGMA are refused (write files with"
        " --out or `wirehouse export`). Parameters are bound by DuckDB, never pasted into the SQL.",
    )
    query.add_argument(
        "sql", nargs="?", help="a named query (e.g. top-countries) or the SQL text to run"
    )
    query.add_argument("--list", action="store_true", help="list the named queries and exit")
    query.add_argument(
        "--script",
        action="store_true",
        help="SQL holds several ;-separated statements (e.g. create temp view, then select):"
        " run them in order and print the last one's result",
    )
    _add_db(query, env)
    query.add_argument(
        "--format",
        choices=("table", "csv", "json", "parquet"),
        default="table",
        help="output format (parquet needs --out)",
    )
    query.add_argument("--out", type=Path, help="write csv, json or parquet to this file")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the query, bound as $NAME (repeatable)",
    )
    query.add_argument("--since", help="parameter since: first date, e.g. 2017-04-01")
    query.add_argument("--until", help="parameter until: last date, e.g. 2017-04-30")
    query.add_argument("--country", help="parameter country: ISO alpha-2 code, e.g. KP")
    query.add_argument(
        "--limit",
        type=_row_limit,
        help="parameter limit: how many rows (a whole number, 1 or more)",
    )
    query.add_argument(
        "--wait", type=_seconds, default=30.0, help="seconds to wait while a load holds the file"
    )


def _add_report(sub: argparse._SubParsersAction, env: Settings) -> None:
    report = sub.add_parser(
        "report",
        help="write a self-contained HTML report with charts",
        description="Write DIR/index.html (charts embedded, opens offline) and each chart as a"
        " PNG, from a locked read-only connection to the warehouse (as `query` uses).",
    )
    report.add_argument("--out", type=Path, required=True, help="output folder")
    _add_db(report, env)
    report.add_argument("--since", type=_date, help="only articles published on or after this")
    report.add_argument("--until", type=_date, help="only articles published on or before this")
    report.add_argument(
        "--top",
        type=_whole_number(1, REPORT_MAX_TOP),
        default=10,
        help=f"countries, people and bodies shown (1 to {REPORT_MAX_TOP}; default 10)",
    )
    report.add_argument(
        "--map-country",
        type=_country_code,
        metavar="CC",
        help="country whose mentioned places are mapped (ISO alpha-2 code such as IT;"
        " default: the most mentioned)",
    )


def _add_export(sub: argparse._SubParsersAction, env: Settings) -> None:
    export = sub.add_parser("export", help="write every table and view as Parquet")
    export.add_argument(
        "--out", type=location, required=True, help="output folder, or a URL (s3://bucket/prefix)"
    )
    _add_storage_options(export)
    _add_db(export, env)
    export.add_argument(
        "--tables", nargs="+", help="only these tables or views (the folder then holds only them)"
    )
    export.add_argument("--since", type=_date, help="only rows dated on or after this day")
    export.add_argument("--until", type=_date, help="only rows dated on or before this day")
    export.add_argument(
        "--force",
        action="store_true",
        help="replace a folder that is not a wirehouse export (never one holding the warehouse)",
    )


def _add_serve(sub: argparse._SubParsersAction, env: Settings) -> None:
    serve = sub.add_parser("serve", help="run the flow on a schedule against a Prefect server")
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help="cron expression, e.g. '0 * * * *'")
    when.add_argument(
        "--interval", type=_amount(zero_allowed=False, unit="seconds"), help="seconds between runs"
    )
    serve.add_argument("--input", type=location, default=env.input_dir)
    _add_follow_symlinks(serve, env)
    _add_db(serve, env)
    serve.add_argument(
        "--port", type=_whole_number(1, 65535), default=4200, help="port for a server we start"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    env = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="wirehouse",
        description="Raw newswire article files in, a DuckDB analytics warehouse out.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_run, _add_query, _add_report, _add_export, _add_serve):
        add(sub, env)
    return parser


def _progress_mode(args: argparse.Namespace) -> str:
    if args.quiet:
        return "off"
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    return "bar" if interactive and not args.verbose else "log"


def _run_settings(args: argparse.Namespace) -> Settings:
    """The run's settings: the environment's, overridden by the command line."""
    return Settings.from_env().with_overrides(
        input_dir=args.input,
        db_path=args.db,
        reference_date=args.reference_date,
        input_format=args.format,
        export_dir=args.export,
        batch_size=args.batch_size,
        max_file_bytes=int(args.max_file_mb * 1_048_576),
        workers=args.workers,
        dask_address=args.dask_address,
        dask_local_workers=args.dask_local or None,
        include_dateline_mentions=args.include_dateline_mentions or None,
        lock_wait_seconds=args.lock_wait,
        write_hold_seconds=args.write_hold,
        if_running=args.if_running,
        prune_missing=args.prune or None,
        progress=_progress_mode(args),
        follow_symlinks=args.follow_symlinks,
        storage_options=dict(args.storage_option) or None,
    )


def _print_run_summary(summary: RunSummary, args: argparse.Namespace) -> None:
    print(
        f"wirehouse: {summary.files_seen} files seen, {summary.files_unchanged} unchanged,"
        f" {summary.files_loaded} loaded, {summary.files_duplicate} duplicate,"
        f" {summary.files_rejected} rejected; {summary.articles} articles,"
        f" {summary.sentences} sentences, {summary.mentions} mentions -> {printable(args.db)}"
    )
    for path, reason in summary.rejected:
        print(f"  rejected: {printable(reason or path)}", file=sys.stderr)
    for _, reason in summary.unlisted:
        print(f"  not listed: {printable(reason)}", file=sys.stderr)
    if summary.prune_skipped:
        print(
            f"wirehouse: --prune removed nothing: {printable(summary.prune_skipped)}",
            file=sys.stderr,
        )


def _exit_status(summary: RunSummary, args: argparse.Namespace) -> int:
    """0, or 1 when nothing was found, nothing could be loaded, or --strict saw a problem."""
    if summary.files_seen == 0:
        print(f"wirehouse: no article files found under {printable(args.input)}", file=sys.stderr)
        return 1
    attempted = summary.files_loaded + summary.files_duplicate + summary.files_rejected
    if attempted and summary.files_loaded == 0 and summary.files_rejected:
        print("wirehouse: nothing could be loaded; see the reasons above", file=sys.stderr)
        return 1
    if args.strict and (summary.files_rejected or summary.folders_unlisted):
        return 1
    return 0


def _error(message: object) -> None:
    """One line on standard error, control characters escaped."""
    print(f"wirehouse: {printable(message)}", file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    if args.if_running == "fail":
        # Answered before Prefect and the pipeline are imported and started (seconds): the
        # run takes the lock itself later, and one that beats it there still exits 3.
        from warehouse.locks import WarehouseBusy, ensure_free

        try:
            ensure_free(args.db)
        except WarehouseBusy as exc:
            _error(exc)
            return 3
    _prefect_env()
    if args.quiet:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    elif args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "DEBUG"
    from flows import startup

    startup.warm_up()  # the first batch's lookups load while Prefect imports and starts
    import prefect  # noqa: F401  (first, on this thread, while the warm-up loads the rest)

    from flows.ingest import run_flow
    from warehouse.export import ExportRefused
    from warehouse.locks import WarehouseBusy

    try:
        with startup.prefect_for_run(verbose=args.verbose, quiet=args.quiet):
            summary = run_flow(_run_settings(args))
    except WarehouseBusy as exc:
        _error(exc)
        return 3
    except ExportRefused as exc:
        # The load is committed; only the export was refused.
        _error(f"loaded, but not exported: {exc}")
        return 2
    _print_run_summary(summary, args)
    return _exit_status(summary, args)


def _print_table(columns: list[str], rows: list[tuple], out: TextIO) -> None:
    """The rows as aligned text for a terminal, control characters in cells escaped."""
    cells = [[("" if v is None else printable(v)) for v in row] for row in rows]
    header = [printable(c) for c in columns]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(header)]
    print("  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(), file=out)
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=out)


# A spreadsheet opening a CSV runs a cell that starts like this as a formula
# (=HYPERLINK(...), +cmd|..., @SUM(...)); OWASP's advice: such text cells get a leading '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell that no spreadsheet reads as a formula: text starting like one gets a ' first.

    Only text is touched: numbers (a negative count included) and dates stay as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_rows(out: TextIO, fmt: str, columns: list[str], rows: list[tuple]) -> None:
    """The rows as csv, json or a table."""
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow([spreadsheet_safe(c) for c in columns])
        writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    elif fmt == "json":
        records = [dict(zip(columns, r, strict=True)) for r in rows]
        print(json.dumps(records, default=str, indent=1), file=out)
    else:
        _print_table(columns, rows, out)


def _as_text(write: Callable[[TextIO], None]) -> Callable[[BinaryIO], None]:
    """write(), given a UTF-8 text stream over the binary file it is handed."""

    def write_binary(binary: BinaryIO) -> None:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        write(text)
        text.flush()
        text.detach()  # the binary file is closed by its owner

    return write_binary


def _query_params(args: argparse.Namespace) -> dict[str, object]:
    """The parameters given as --param NAME=VALUE and the convenience flags."""
    from warehouse.queries import CONVENIENCE_FLAGS

    given: dict[str, object] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(
                f"--param {item!r}: write it as NAME=VALUE, e.g. --param since=2017-04-01"
            )
        given[name.strip()] = value
    for name in CONVENIENCE_FLAGS:
        if getattr(args, name) is not None:
            given[name] = getattr(args, name)
    if "limit" in given:
        try:
            given["limit"] = _row_limit(str(given["limit"]))
        except argparse.ArgumentTypeError as exc:
            raise ValueError(f"limit: {exc}") from None
    return given


def _query_usage_problem(args: argparse.Namespace) -> str | None:
    """Why the query command's arguments do not go together, or None."""
    if not args.sql:
        return "give SQL text or a query name (see --list)"
    if args.format == "parquet" and args.out is None:
        return "--format parquet needs --out FILE"
    if args.format == "table" and args.out is not None:
        return "--out needs --format csv, json or parquet"
    return None


def _list_queries() -> int:
    from warehouse.queries import QUERY_DIR, named_queries

    queries = named_queries()
    width = max((len(name) for name in queries), default=0)
    for name, named in queries.items():
        print(f"{name.ljust(width)}  {named.description}")
        params = ", ".join(p.describe() for p in named.params) or "none"
        print(f"{' ' * width}  params: {params}")
    print(f"({len(queries)} named queries in {QUERY_DIR})")
    return 0


def _missing_warehouse(db_path: Path) -> bool:
    """Whether db_path is missing, saying so."""
    if db_path.exists():
        return False
    _error(f"{db_path} does not exist; run `wirehouse run` first")
    return True


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse import output_files, queries

    if args.list:
        return _list_queries()
    if problem := _query_usage_problem(args):
        print(f"wirehouse query: {printable(problem)}", file=sys.stderr)
        return 2
    try:
        stmt = queries.statement(args.sql, _query_params(args), script=args.script)
        if args.out is not None:
            # Refused before the query runs: a missing folder, a folder, a symbolic link.
            output_files.check_file(args.out)
    except (queries.QueryError, ValueError) as exc:  # OutputRefused is a ValueError
        _error(exc)
        return 2
    if _missing_warehouse(args.db):
        return 1
    try:
        if args.format == "parquet":
            frame = queries.fetch_frame(args.db, stmt, wait_seconds=args.wait)
            output_files.write_file(args.out, frame.write_parquet)
            print(f"wirehouse: {frame.height} rows -> {printable(args.out)}", file=sys.stderr)
            return 0
        columns, rows = queries.fetch_rows(args.db, stmt, wait_seconds=args.wait)
        if args.out is None:
            _write_rows(sys.stdout, args.format, columns, rows)
        else:
            write = _as_text(lambda out: _write_rows(out, args.format, columns, rows))
            output_files.write_file(args.out, write)
    except queries.QueryRefused as exc:
        print(f"wirehouse query: {printable(str(exc))}", file=sys.stderr)
        return 2
    except queries.QueryFailed as exc:
        _error(exc)
        return 1
    except output_files.OutputRefused as exc:  # a link planted while the query ran
        _error(exc)
        return 2
    except OSError as exc:
        _error(f"{args.out}: cannot write it ({exc.strerror or exc})")
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from warehouse.output_files import OutputRefused
    from warehouse.report import write_report

    if _missing_warehouse(args.db):
        return 1
    page, failed = _write_output(
        lambda: write_report(
            args.db,
            args.out,
            since=args.since,
            until=args.until,
            top=args.top,
            map_country=args.map_country,
        ),
        OutputRefused,
        f"{args.db}: cannot read the warehouse",
        args.out,
        "cannot write the report",
    )
    if failed:
        return failed
    print(f"wirehouse: report written to {printable(page)}")
    return 0


T = TypeVar("T")


def _write_output(
    write: Callable[[], T],
    refused: type[Exception],
    cannot_read: str,
    out: object,
    cannot_write: str,
) -> tuple[T | None, int]:
    """write()'s result and 0, or None and the exit status after a one-line error: 2 when it
    refused its output (or an argument), 1 when the warehouse could not be read or the
    output written."""
    import duckdb

    try:
        return write(), 0
    except (refused, ValueError) as exc:
        _error(exc)
        return None, 2
    except duckdb.Error as exc:
        _error(f"{cannot_read}: {exc}")
        return None, 1
    except OSError as exc:
        _error(f"{exc.filename or out}: {cannot_write} ({exc.strerror or exc})")
        return None, 1


def cmd_export(args: argparse.Namespace) -> int:
    from warehouse.export import ExportRefused, export_warehouse

    if _missing_warehouse(args.db):
        return 1
    out, failed = _write_output(
        lambda: export_warehouse(
            args.db,
            args.out,
            tables=args.tables,
            force=args.force,
            since=args.since,
            until=args.until,
            storage_options=dict(args.storage_option),
        ),
        ExportRefused,
        f"{args.db}: cannot export the warehouse",
        args.out,
        "cannot write the export",
    )
    if failed:
        return failed
    print(
        f"wirehouse: exported {printable(args.db)} to {printable(out)}"
        f" (see {printable(f'{out}/manifest.json')})"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _prefect_env()
    from flows.serve import serve

    return serve(
        cron=args.cron,
        interval=args.interval,
        input_dir=args.input,
        db_path=args.db,
        port=args.port,
        follow_symlinks=args.follow_symlinks,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `wirehouse` command."""
    args = build_parser().parse_args(argv)
    handlers = {
        "run": cmd_run,
        "query": cmd_query,
        "report": cmd_report,
        "export": cmd_export,
        "serve": cmd_serve,
    }
    try:
        if args.command in ("run", "serve"):
            # These start processes (Prefect's server, Dask workers): see wirehouse/lifetime.py.
            with lifetime.guard():
                return handlers[args.command](args)
        return handlers[args.command](args)
    except lifetime.Terminated as exc:
        _error(f"stopped by {exc}")
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stderr.close()
        return 0


def entry() -> NoReturn:
    """The `wirehouse` console command: main(), then an exit that skips the interpreter's
    teardown.

    Taking apart the modules Prefect, pydantic and polars built at import takes 0.5-1 s after
    every command and serves nothing once it is done. The exit handlers still run (Prefect's
    among them: sending its last logs and events, stopping its temporary server), waited-for
    threads are still waited for, and the output is flushed.
    """
    status = 1  # an exception that escapes main(): Python's own status for it

    def exit_now() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # e.g. a reader that went away
                stream.flush()
        os._exit(status)

    # Registered before anything else is (exit handlers run last in, first out): it runs last.
    atexit.register(exit_now)
    try:
        status = main()
    except SystemExit as exc:  # --help, a usage error
        status = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
        raise
    sys.exit(status)


if __name__ == "__main__":
    entry()
