"""The `wirehouse` command: run, query, export, serve."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path

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
    run.add_argument("--batch-size", type=int, default=500, help="files per load transaction")
    run.add_argument(
        "--max-file-mb",
        type=float,
        default=env.max_file_bytes / 1_048_576,
        help="reject files larger than this",
    )
    run.add_argument("--strict", action="store_true", help="exit 1 if any file was rejected")

    query = sub.add_parser("query", help="run read-only SQL against the warehouse")
    query.add_argument("sql", help="the SQL to run")
    add_db(query)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument(
        "--wait", type=float, default=30.0, help="seconds to wait while a load holds the file"
    )

    export = sub.add_parser("export", help="write every table and view as Parquet")
    export.add_argument("--out", type=Path, required=True, help="output folder")
    add_db(export)
    export.add_argument("--tables", nargs="+", help="only these tables or views")
    export.add_argument(
        "--force", action="store_true", help="replace a folder that wirehouse did not create"
    )

    serve = sub.add_parser("serve", help="run the flow on a schedule against a Prefect server")
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", help="cron expression, e.g. '0 * * * *'")
    when.add_argument("--interval", type=float, help="seconds between runs")
    serve.add_argument("--input", type=Path, default=env.input_dir)
    add_db(serve)
    serve.add_argument("--port", type=int, default=4200, help="port for a server we start")
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    _prefect_env()
    from flows.ingest import ingest

    summary = ingest(
        input_dir=args.input,
        db_path=args.db,
        reference_date=args.reference_date,
        input_format=args.format,
        export_dir=args.export,
        batch_size=args.batch_size,
        max_file_mb=args.max_file_mb,
    )
    print(
        f"wirehouse: {summary.files_seen} files seen, {summary.files_unchanged} unchanged,"
        f" {summary.files_loaded} loaded, {summary.files_duplicate} duplicate,"
        f" {summary.files_rejected} rejected; {summary.articles} articles,"
        f" {summary.sentences} sentences, {summary.mentions} mentions -> {args.db}"
    )
    for path, reason in summary.rejected:
        print(f"  rejected: {reason or path}", file=sys.stderr)
    if summary.files_seen == 0:
        print(f"wirehouse: no article files found under {args.input}", file=sys.stderr)
        return 1
    attempted = summary.files_loaded + summary.files_duplicate + summary.files_rejected
    if attempted and summary.files_loaded == 0 and summary.files_rejected:
        print("wirehouse: nothing could be loaded; see the reasons above", file=sys.stderr)
        return 1
    if args.strict and summary.files_rejected:
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


def cmd_query(args: argparse.Namespace) -> int:
    from warehouse import db

    if not args.db.exists():
        print(f"wirehouse: {args.db} does not exist; run `wirehouse run` first", file=sys.stderr)
        return 1
    import duckdb

    try:
        with db.connect(args.db, read_only=True, wait_seconds=args.wait) as con:
            cursor = con.execute(args.sql)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        print(f"wirehouse: {args.db}: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif args.format == "json":
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, indent=1))
    else:
        _print_table(columns, rows)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from warehouse.export import ExportRefused, export_warehouse

    try:
        out = export_warehouse(args.db, args.out, tables=args.tables, force=args.force)
    except ExportRefused as exc:
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
    handlers = {"run": cmd_run, "query": cmd_query, "export": cmd_export, "serve": cmd_serve}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; that is not an error of ours.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
