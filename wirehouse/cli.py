"""The `wirehouse` command: run, query, export, serve."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path

from wirehouse import lifetime
from wirehouse.settings import DEFAULT_DB, FORMATS, Settings


def _prefect_env() -> None:
    # The machines running this have no internet: never let Prefect phone home.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2017-04-10") from exc


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    env = Settings.from_env()
    parser = argparse.ArgumentParser(
        prog="wirehouse",
        description="Raw newswire article files in, a DuckDB analytics warehouse out.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add_db(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db", type=Path, default=env.db_path, help=f"warehouse file (default {DEFAULT_DB})"
        )

    run = sub.add_parser("run", help="load new and changed article files into the warehouse")
    run.add_argument("--input", type=Path, default=env.input_dir, help="folder of article files")
    add_db(run)
    run.add_argument(
        "--reference-date",
        type=_date,
        help="date used to give yearless datelines a year (default: from each path, else mtime)",
    )
    run.add_argument("--format", choices=FORMATS, default="auto", help="force the input format")
    run.add_argument("--export", type=Path, help="also export Parquet to this folder afterwards")
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
    run.add_argument(
        "--include-dateline-mentions",
        action="store_true",
        help="count the opening dateline city ('TOKYO, April 10 -') as a mention",
    )
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

    query = sub.add_parser(
        "query",
        help="run read-only SQL or a named query against the warehouse",
        description="Run SQL text, or a named query from sql/queries/ (see --list), on a"
        " read-only connection. Parameters are bound by DuckDB, never pasted into the SQL.",
    )
    query.add_argument(
        "sql", nargs="?", help="a named query (e.g. top-countries) or the SQL text to run"
    )
    query.add_argument("--list", action="store_true", help="list the named queries and exit")
    add_db(query)
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

    report = sub.add_parser(
        "report",
        help="write a self-contained HTML report with charts",
        description="Write DIR/index.html (charts embedded, opens offline) and each chart as a"
        " PNG, from a read-only connection to the warehouse.",
    )
    report.add_argument("--out", type=Path, required=True, help="output folder")
    add_db(report)
    report.add_argument("--since", type=_date, help="only articles published on or after this")
    report.add_argument("--until", type=_date, help="only articles published on or before this")
    report.add_argument("--top", type=int, default=10, help="countries, people and bodies shown")

    export = sub.add_parser("export", help="write every table and view as Parquet")
    export.add_argument("--out", type=Path, required=True, help="output folder")
    add_db(export)
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

    serve = sub.add_parser("serve", help="run the flow on a schedule against a Prefect server")
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help="cron expression, e.g. '0 * * * *'")
    when.add_argument("--interval", type=float, help="seconds between runs")
    serve.add_argument("--input", type=Path, default=env.input_dir)
    add_db(serve)
    serve.add_argument("--port", type=int, default=4200, help="port for a server we start")
    return parser


def _progress_mode(args: argparse.Namespace) -> str:
    if args.quiet:
        return "off"
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    return "bar" if interactive and not args.verbose else "log"


def cmd_run(args: argparse.Namespace) -> int:
    _prefect_env()
    if args.quiet:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    elif args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "DEBUG"
    from flows.ingest import run_flow

    settings = Settings.from_env().with_overrides(
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
    )
    from warehouse.export import ExportRefused
    from warehouse.locks import WarehouseBusy

    try:
        summary = run_flow(settings)
    except WarehouseBusy as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 3
    except ExportRefused as exc:
        # The load is committed; only the export was refused.
        print(f"wirehouse: loaded, but not exported: {exc}", file=sys.stderr)
        return 2
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


def _print_table(columns: list[str], rows: list[tuple]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _query_params(args: argparse.Namespace) -> dict[str, object]:
    """The parameters given as --param NAME=VALUE and the convenience flags."""
    given: dict[str, object] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(
                f"--param {item!r}: write it as NAME=VALUE, e.g. --param since=2017-04-01"
            )
        given[name.strip()] = value
    for name in ("since", "until", "country", "limit"):
        if getattr(args, name) is not None:
            given[name] = getattr(args, name)
    return given


def _list_queries() -> int:
    from warehouse.report import QUERY_DIR, named_queries

    queries = named_queries()
    width = max((len(name) for name in queries), default=0)
    for name, named in queries.items():
        print(f"{name.ljust(width)}  {named.description}")
        params = ", ".join(p.describe() for p in named.params) or "none"
        print(f"{' ' * width}  params: {params}")
    print(f"({len(queries)} named queries in {QUERY_DIR})")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse import db
    from warehouse.report import QueryError, find_query

    if args.list:
        return _list_queries()
    if not args.sql:
        print("wirehouse query: give SQL text or a query name (see --list)", file=sys.stderr)
        return 2
    if args.format == "parquet" and args.out is None:
        print("wirehouse query: --format parquet needs --out FILE", file=sys.stderr)
        return 2
    if args.format == "table" and args.out is not None:
        print("wirehouse query: --out needs --format csv, json or parquet", file=sys.stderr)
        return 2
    try:
        given = _query_params(args)
        named = find_query(args.sql)
        # SQL text may use $names too; its values are bound as given (strings).
        sql, params = (named.sql, named.bind(given)) if named else (args.sql, given)
    except (QueryError, ValueError) as exc:
        print(f"wirehouse: {exc}", file=sys.stderr)
        return 2
    if not args.db.exists():
        print(f"wirehouse: {args.db} does not exist; run `wirehouse run` first", file=sys.stderr)
        return 1
    import duckdb

    label = f"query {named.name}" if named else str(args.db)
    try:
        with db.connect(args.db, read_only=True, wait_seconds=args.wait) as con:
            if args.format == "parquet":
                frame = con.sql(sql, params=params or None).pl()
                args.out.parent.mkdir(parents=True, exist_ok=True)
                frame.write_parquet(args.out)
                print(f"wirehouse: {frame.height} rows -> {args.out}", file=sys.stderr)
                return 0
            cursor = con.execute(sql, params or None)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        hint = ""
        if named is None and " " not in args.sql.strip():
            hint = f" ({args.sql!r} is not a named query either; see `wirehouse query --list`)"
        print(f"wirehouse: {label}: {exc}{hint}", file=sys.stderr)
        return 1
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
