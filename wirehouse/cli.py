"""The `wirehouse` command: run, query, export, serve."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from wirehouse import lifetime
from wirehouse.settings import DEFAULT_DB, FOLLOW_SYMLINKS, FORMATS, Settings

if TYPE_CHECKING:
    from flows.ingest import RunSummary


def _prefect_env() -> None:
    # The machines running this have no internet: never let Prefect phone home.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2017-04-10") from exc


def _add_db(parser: argparse.ArgumentParser, env: Settings) -> None:
    parser.add_argument(
        "--db", type=Path, default=env.db_path, help=f"warehouse file (default {DEFAULT_DB})"
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
    run.add_argument("--input", type=Path, default=env.input_dir, help="folder of article files")
    _add_follow_symlinks(run, env)
    _add_db(run, env)
    run.add_argument(
        "--reference-date",
        type=_date,
        help="date used to give yearless datelines a year (default: from each path, else mtime)",
    )
    run.add_argument("--format", choices=FORMATS, default="auto", help="force the input format")
    run.add_argument("--export", type=Path, help="also export Parquet to this folder afterwards")
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
        "--batch-size", type=int, default=env.batch_size, help="files per batch and per load"
    )
    run.add_argument(
        "--max-file-mb",
        type=float,
        default=env.max_file_bytes / 1_048_576,
        help="reject files larger than this",
    )
    run.add_argument(
        "--workers", type=int, default=env.workers, help="batches read and transformed at once"
    )
    run.add_argument(
        "--dask-address",
        default=env.dask_address,
        help="run read/transform tasks on this Dask scheduler (tcp://host:8786)",
    )
    run.add_argument(
        "--dask-local",
        type=int,
        default=0,
        metavar="N",
        help="start a local Dask cluster of N worker processes for this run",
    )


def _add_run_sharing(run: argparse.ArgumentParser, env: Settings) -> None:
    """run's options for sharing the warehouse with readers and other runs."""
    run.add_argument(
        "--lock-wait",
        type=float,
        default=env.lock_wait_seconds,
        help="seconds to wait while another process holds the warehouse",
    )
    run.add_argument(
        "--write-hold",
        type=float,
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
    query.add_argument("--limit", help="parameter limit: how many rows")
    query.add_argument(
        "--wait", type=float, default=30.0, help="seconds to wait while a load holds the file"
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
    report.add_argument("--top", type=int, default=10, help="countries, people and bodies shown")


def _add_export(sub: argparse._SubParsersAction, env: Settings) -> None:
    export = sub.add_parser("export", help="write every table and view as Parquet")
    export.add_argument("--out", type=Path, required=True, help="output folder")
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
    when.add_argument("--interval", type=float, help="seconds between runs")
    serve.add_argument("--input", type=Path, default=env.input_dir)
    _add_follow_symlinks(serve, env)
    _add_db(serve, env)
    serve.add_argument("--port", type=int, default=4200, help="port for a server we start")


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
    )


def _print_run_summary(summary: RunSummary, args: argparse.Namespace) -> None:
    print(
        f"wirehouse: {summary.files_seen} files seen, {summary.files_unchanged} unchanged,"
        f" {summary.files_loaded} loaded, {summary.files_duplicate} duplicate,"
        f" {summary.files_rejected} rejected; {summary.articles} articles,"
        f" {summary.sentences} sentences, {summary.mentions} mentions -> {args.db}"
    )
    for path, reason in summary.rejected:
        print(f"  rejected: {reason or path}", file=sys.stderr)
    for _, reason in summary.unlisted:
        print(f"  not listed: {reason}", file=sys.stderr)
    if summary.prune_skipped:
        print(f"wirehouse: --prune removed nothing: {summary.prune_skipped}", file=sys.stderr)


def _exit_status(summary: RunSummary, args: argparse.Namespace) -> int:
    """0, or 1 when nothing was found, nothing could be loaded, or --strict saw a problem."""
    if summary.files_seen == 0:
        print(f"wirehouse: no article files found under {args.input}", file=sys.stderr)
        return 1
    attempted = summary.files_loaded + summary.files_duplicate + summary.files_rejected
    if attempted and summary.files_loaded == 0 and summary.files_rejected:
        print("wirehouse: nothing could be loaded; see the reasons above", file=sys.stderr)
        return 1
    if args.strict and (summary.files_rejected or summary.folders_unlisted):
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    _prefect_env()
    if args.quiet:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    elif args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "DEBUG"
    from flows.ingest import run_flow
    from warehouse.export import ExportRefused
    from warehouse.locks import WarehouseBusy

    try:
        summary = run_flow(_run_settings(args))
    except WarehouseBusy as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 3
    except ExportRefused as exc:
        # The load is committed; only the export was refused.
        print(f"wirehouse: loaded, but not exported: {exc}", file=sys.stderr)
        return 2
    _print_run_summary(summary, args)
    return _exit_status(summary, args)


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _print_rows(args: argparse.Namespace, columns: list[str], rows: list[tuple]) -> None:
    """The rows as a table, csv or json, to --out or standard output."""
    out = args.out.open("w", newline="", encoding="utf-8") if args.out else sys.stdout
    try:
        if args.format == "csv":
            writer = csv.writer(out)
            writer.writerow(columns)
            writer.writerows(rows)
        elif args.format == "json":
            records = [dict(zip(columns, r, strict=True)) for r in rows]
            print(json.dumps(records, default=str, indent=1), file=out)
        else:
            _print_table(columns, rows)
    finally:
        if args.out:
            out.close()


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


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse import queries

    if args.list:
        return _list_queries()
    if problem := _query_usage_problem(args):
        print(f"wirehouse query: {problem}", file=sys.stderr)
        return 2
    try:
        stmt = queries.statement(args.sql, _query_params(args), script=args.script)
    except (queries.QueryError, ValueError) as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 2
    if not args.db.exists():
        print(f"wirehouse: {args.db} does not exist; run `wirehouse run` first", file=sys.stderr)
        return 1
    try:
        if args.format == "parquet":
            frame = queries.fetch_frame(args.db, stmt, wait_seconds=args.wait)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            frame.write_parquet(args.out)
            print(f"wirehouse: {frame.height} rows -> {args.out}", file=sys.stderr)
            return 0
        columns, rows = queries.fetch_rows(args.db, stmt, wait_seconds=args.wait)
    except queries.QueryRefused as exc:
        print(f"wirehouse query: {exc}", file=sys.stderr)
        return 2
    except queries.QueryFailed as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 1
    _print_rows(args, columns, rows)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from warehouse.report import write_report

    if not args.db.exists():
        print(f"wirehouse: {args.db} does not exist; run `wirehouse run` first", file=sys.stderr)
        return 1
    if args.top < 1:
        print("wirehouse report: --top must be at least 1", file=sys.stderr)
        return 2
    page = write_report(args.db, args.out, since=args.since, until=args.until, top=args.top)
    print(f"wirehouse: report written to {page}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from warehouse.export import ExportRefused, export_warehouse

    if not args.db.exists():
        print(f"wirehouse: {args.db} does not exist; run `wirehouse run` first", file=sys.stderr)
        return 1
    try:
        out = export_warehouse(
            args.db,
            args.out,
            tables=args.tables,
            force=args.force,
            since=args.since,
            until=args.until,
        )
    except (ExportRefused, ValueError) as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 2
    print(f"wirehouse: exported {args.db} to {out} (see {out / 'manifest.json'})")
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
        print(f"wirehouse: stopped by {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
