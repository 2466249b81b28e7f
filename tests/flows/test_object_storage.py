"""Input from and export to object storage: an S3-compatible server (moto) on loopback.

The server runs in this process, on 127.0.0.1 and a free port; the AWS variables the clients
read are set to dummy values for this module only. Nothing leaves the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from flows.ingest import RunSummary, run_pipeline
from tests.conftest import SAMPLES, SEED, query
from warehouse.export import ExportRefused, export_warehouse
from wirehouse.settings import Settings

pytest.importorskip("s3fs", reason="s3fs is a dependency: pip install -e '.[dev]'")
moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the dev extra")

# The shipped samples, counted by hand: 11 .txt files of one article each, and feed.jsonl
# holding 3, so 12 files and 14 articles.
SAMPLE_FILES = sorted(
    p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.suffix in (".txt", ".jsonl")
)
SAMPLE_ARTICLES = 14
# The seed goes where its dateline's year comes from the path, as for the samples.
SEED_KEY = "kyodo/2017/04/10/000_9931ddaee67d88b9.txt"
CHANGED = "2017/06/12/plain-note.txt"

DUMMY_AWS = {
    "AWS_ACCESS_KEY_ID": "wirehouse-test",
    "AWS_SECRET_ACCESS_KEY": "wirehouse-test",
    "AWS_DEFAULT_REGION": "us-east-1",
    # No profile or config of the machine's user may leak in.
    "AWS_CONFIG_FILE": "/nonexistent/wirehouse-test",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/wirehouse-test",
    "NO_PROXY": "127.0.0.1,localhost",
}


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """An S3-compatible server on loopback for this module, and the AWS variables it needs."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in DUMMY_AWS.items():
            env.setenv(name, value)
        for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
            env.delenv(name, raising=False)
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def options(endpoint: str) -> dict[str, Any]:
    return {"endpoint_url": endpoint}


@pytest.fixture
def bucket(options: dict[str, Any]) -> tuple[Any, str]:
    """(s3fs filesystem, a new empty bucket's name)."""
    import s3fs

    fs = s3fs.S3FileSystem(**options)
    name = f"wirehouse-{uuid.uuid4().hex[:12]}"
    fs.mkdir(name)
    return fs, name


@pytest.fixture
def feed(bucket: tuple[Any, str], tmp_path: Path) -> tuple[str, Path, list[str]]:
    """(URL of a prefix holding the samples, and the seed when there is one; a local folder
    holding the same files; their paths under both)."""
    fs, name = bucket
    local = tmp_path / "feed"
    files = {rel: (SAMPLES / rel).read_bytes() for rel in SAMPLE_FILES}
    if SEED.exists():
        files[SEED_KEY] = SEED.read_bytes()  # uploaded to the test's bucket, never to the repo
    else:
        print(f"seed not loaded: {SEED} is absent (../shared is not on this machine)")
    for rel, data in files.items():
        fs.pipe_file(f"{name}/feed/{rel}", data)
        (local / rel).parent.mkdir(parents=True, exist_ok=True)
        (local / rel).write_bytes(data)
    # Not article files: a folder marker and a name no pattern matches are never listed.
    fs.pipe_file(f"{name}/feed/2017/", b"")
    fs.pipe_file(f"{name}/feed/notes.md", b"# not an article")
    return f"s3://{name}/feed", local, sorted(files)


def run(input_dir: Path | str, db_path: Path, options: dict[str, Any], **more: Any) -> RunSummary:
    settings = Settings(input_dir=input_dir, db_path=db_path, storage_options=options, **more)
    return run_pipeline(settings, as_tasks=False)


# Every table's content, with the columns that name the source (or derive from it) left out:
# article_id is made from the path, so rows are keyed by the article's content hash instead.
CONTENT = {
    "articles": "select * exclude (article_id, source_path, loaded_at, load_id)"
    " from articles order by content_hash",
    "sentences": "select a.content_hash, s.* exclude (article_id, load_id)"
    " from sentences as s inner join articles as a using (article_id) order by all",
    "mentions": "select a.content_hash, m.* exclude (article_id, load_id)"
    " from mentions as m inner join articles as a using (article_id) order by all",
    "entities": "select * from entities order by entity_id",
    "entity_evidence": "select a.content_hash, e.* exclude (article_id, load_id)"
    " from entity_evidence as e inner join articles as a using (article_id) order by all",
}


def content(db_path: Path) -> dict[str, list[tuple]]:
    return {name: query(db_path, sql) for name, sql in CONTENT.items()}


def ledger(db_path: Path, prefix: str) -> list[tuple]:
    """The source_files rows, each path relative to the input."""
    return query(
        db_path,
        "select replace(path, $1, ''), sha256, size_bytes, status, article_count"
        " from source_files order by 1",
        [prefix],
    )


def test_the_samples_and_the_seed_from_a_bucket_give_the_tables_of_a_local_folder(
    feed, options, tmp_path
):
    url, local, files = feed

    from_bucket = run(url, tmp_path / "bucket.duckdb", options)
    from_folder = run(local, tmp_path / "folder.duckdb", options)

    assert len(SAMPLE_FILES) == 12
    assert from_bucket.files_seen == from_bucket.files_loaded == len(files)
    assert from_bucket.files_rejected == 0 and from_bucket.folders_unlisted == 0
    assert from_bucket.articles == SAMPLE_ARTICLES + (SEED_KEY in files)
    expected = content(tmp_path / "folder.duckdb")
    assert content(tmp_path / "bucket.duckdb") == expected
    assert len(expected["mentions"]) > 100  # compared on something substantial
    assert (from_bucket.articles, from_bucket.mentions) == (
        from_folder.articles,
        from_folder.mentions,
    )
    # The same ledger, by path under the input; an object's identity is its full URL.
    assert ledger(tmp_path / "bucket.duckdb", url + "/") == ledger(
        tmp_path / "folder.duckdb", f"{local.resolve()}/"
    )
    paths = query(tmp_path / "bucket.duckdb", "select path from source_files order by path")
    assert paths == [(f"{url}/{rel}",) for rel in files]


def test_the_ledger_records_each_objects_size_mtime_etag_and_hash(feed, bucket, options, tmp_path):
    url, _, _ = feed
    fs, name = bucket
    run(url, tmp_path / "news.duckdb", options)
    info = fs.info(f"{name}/feed/{CHANGED}")
    data = (SAMPLES / CHANGED).read_bytes()

    [row] = query(
        tmp_path / "news.duckdb",
        "select size_bytes, modified_at, etag, sha256 from source_files where path = $1",
        [f"{url}/{CHANGED}"],
    )

    assert row[0] == len(data) == info["size"]
    assert row[1] == info["LastModified"].astimezone(UTC).replace(tzinfo=None)
    assert row[2] == info["ETag"].strip('"')
    assert row[3] == hashlib.sha256(data).hexdigest()


def test_a_second_run_from_the_bucket_loads_nothing_new(feed, options, tmp_path):
    url, _, files = feed
    run(url, tmp_path / "news.duckdb", options)
    before = content(tmp_path / "news.duckdb")

    again = run(url, tmp_path / "news.duckdb", options)

    assert (again.files_seen, again.files_unchanged) == (len(files), len(files))
    assert (again.files_loaded, again.articles, again.raw_bytes) == (0, 0, 0)
    assert content(tmp_path / "news.duckdb") == before


def test_a_changed_object_is_read_again_and_replaces_its_rows(feed, bucket, options, tmp_path):
    url, _, files = feed
    fs, name = bucket
    run(url, tmp_path / "news.duckdb", options)
    old = (SAMPLES / CHANGED).read_bytes()
    # The same number of bytes, rewritten at once: the listing may give the same size and
    # the same second; the ETag tells.
    new = old.replace(b"Summer bonuses", b"Winter bonuses", 1)
    assert len(new) == len(old) and new != old
    fs.pipe_file(f"{name}/feed/{CHANGED}", new)

    again = run(url, tmp_path / "news.duckdb", options)

    assert (again.files_loaded, again.files_unchanged) == (1, len(files) - 1)
    headlines = query(
        tmp_path / "news.duckdb",
        "select headline from articles where source_path = $1",
        [f"{url}/{CHANGED}"],
    )
    assert headlines == [("Winter bonuses at major firms rise for 5th straight year",)]
    assert run(url, tmp_path / "news.duckdb", options).files_loaded == 0


def test_a_deleted_object_keeps_its_rows_until_a_prune_removes_them(
    feed, bucket, options, tmp_path
):
    url, _, files = feed
    fs, name = bucket
    db_path = tmp_path / "news.duckdb"
    run(url, db_path, options)
    fs.rm_file(f"{name}/feed/{CHANGED}")
    gone = f"{url}/{CHANGED}"
    count = "select count(*) from articles where source_path = $1"

    kept = run(url, db_path, options)
    assert kept.files_seen == len(files) - 1
    assert query(db_path, count, [gone]) == [(1,)]

    pruned = run(url, db_path, options, prune_missing=True)

    assert pruned.prune_skipped is None
    assert query(db_path, count, [gone]) == [(0,)]
    assert query(db_path, "select status from source_files where path = $1", [gone]) == [
        ("removed",)
    ]
    assert query(db_path, "select count(*) from articles") == [
        (SAMPLE_ARTICLES - 1 + (SEED_KEY in files),)
    ]


def test_a_listing_that_fails_prunes_nothing_and_says_why(feed, bucket, options, tmp_path):
    url, _, files = feed
    fs, name = bucket
    db_path = tmp_path / "news.duckdb"
    run(url, db_path, options)
    fs.rm(f"{name}/feed", recursive=True)
    fs.rmdir(name)  # the bucket is gone: the listing fails

    summary = run(url, db_path, options, prune_missing=True)

    assert summary.files_seen == 0 and summary.folders_unlisted == 1
    assert "could not list the objects under it" in summary.prune_skipped
    assert "NoSuchBucket" in summary.prune_skipped or "bucket" in summary.prune_skipped
    assert query(db_path, "select count(*) from source_files where status = 'loaded'") == [
        (len(files),)
    ]
    assert query(db_path, "select folder_path from unlisted_folders") == [(url,)]


def test_an_object_over_the_size_limit_is_rejected_unread(bucket, options, tmp_path):
    fs, name = bucket
    fs.pipe_file(f"{name}/big/2017/04/10/big.txt", b"Headline\n\n" + b"word " * 400)
    fs.pipe_file(f"{name}/big/2017/04/10/small.txt", (SAMPLES / CHANGED).read_bytes())

    summary = run(f"s3://{name}/big", tmp_path / "news.duckdb", options, max_file_bytes=2000)

    assert (summary.files_loaded, summary.files_rejected) == (1, 1)
    [(path, reason)] = summary.rejected
    assert path == f"s3://{name}/big/2017/04/10/big.txt"
    assert "2,010 bytes, over the limit of 2,000 bytes" in reason


def test_an_object_read_reads_at_most_the_limit_and_one_byte(bucket, options):
    """An object that grew past the limit after it was listed: the read stops at limit + 1."""
    import s3fs

    from flows import objects
    from transforms.schemas import FOUND_SCHEMA

    fs, name = bucket
    fs.pipe_file(f"{name}/grow/a.txt", b"x" * 5000)
    listed = pl.DataFrame(
        [(f"s3://{name}/grow/a.txt", 100, 0, None, None)], schema=FOUND_SCHEMA, orient="row"
    )
    asked: list[int] = []
    real = s3fs.S3FileSystem._cat_file

    async def spy(self, path, version_id=None, start=None, end=None):
        asked.append(end - start)
        return await real(self, path, version_id=version_id, start=start, end=end)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(s3fs.S3FileSystem, "_cat_file", spy)
        [[read]] = list(objects._fetch_batches(s3fs.S3FileSystem(**options), listed, 1000))

    assert asked == [1001]
    assert read.data is None and read.size_bytes is None
    assert read.reason.startswith(f"s3://{name}/grow/a.txt: grew from 100 to 5,000 bytes")


def test_objects_that_changed_or_vanished_after_the_listing_each_get_their_row(bucket, options):
    from flows import objects
    from transforms.schemas import FOUND_SCHEMA

    fs, name = bucket
    story = (SAMPLES / CHANGED).read_bytes()
    fs.pipe_file(f"{name}/in/2017/06/12/shrunk.txt", story)
    fs.pipe_file(f"{name}/in/2017/06/12/empty.txt", b"")
    url = f"s3://{name}/in/2017/06/12"
    listed = pl.DataFrame(
        [
            (f"{url}/empty.txt", 0, 0, "e0", None),
            (f"{url}/gone.txt", 10, 0, "e1", None),  # deleted after the listing
            (f"{url}/shrunk.txt", len(story) + 5, 0, "e2", None),  # rewritten shorter
        ],
        schema=FOUND_SCHEMA,
        orient="row",
    )

    rows, articles, _ = objects.read_objects(
        listed,
        {},
        url=f"s3://{name}/in",
        storage_options=options,
        input_format="auto",
        reference_date=None,
        max_file_bytes=1_000_000,
    )

    by_path = {row["path"].rpartition("/")[2]: row for row in rows.iter_rows(named=True)}
    assert by_path["empty.txt"]["status"] == "rejected"
    assert "empty file (0 bytes)" in by_path["empty.txt"]["reason"]
    assert by_path["gone.txt"]["status"] == "rejected" and by_path["gone.txt"]["size_bytes"] is None
    assert "vanished after it was found" in by_path["gone.txt"]["reason"]
    # An object is written whole: the shorter version read is loaded, said, and its ETag left
    # unknown so that the next run reads it again and records the one it lists.
    shrunk = by_path["shrunk.txt"]
    assert (shrunk["status"], shrunk["size_bytes"], shrunk["etag"]) == ("loaded", len(story), None)
    assert shrunk["reason"].startswith(
        f"changed after it was listed ({len(story) + 5:,} bytes listed, {len(story):,} read);"
    )
    assert articles.get_column("source_path").to_list() == [f"{url}/shrunk.txt"]


def test_an_export_to_a_bucket_is_read_back_by_polars(feed, bucket, options, endpoint, tmp_path):
    url, _, files = feed
    fs, name = bucket
    db_path = tmp_path / "news.duckdb"
    run(url, db_path, options)
    out = f"s3://{name}/export"

    written = export_warehouse(db_path, out, storage_options=options)

    assert written == out
    polars_options = {"aws_endpoint_url": endpoint, "aws_allow_http": "true"}
    articles = pl.scan_parquet(
        f"{out}/articles/**/*.parquet", hive_partitioning=True, storage_options=polars_options
    ).collect()
    assert articles.height == query(db_path, "select count(*) from articles")[0][0]
    assert sorted(articles.get_column("source_path").to_list()) == [
        path for (path,) in query(db_path, "select source_path from articles order by 1")
    ]
    manifest = json.loads(fs.cat_file(f"{name}/export/manifest.json"))
    listed = {f for table in manifest["tables"].values() for f in table["files"]}
    assert {k.removeprefix(f"{name}/export/") for k in fs.find(f"{name}/export")} == listed | {
        "manifest.json"
    }
    # A second export replaces the first; its stale files go.
    export_warehouse(db_path, out, tables=["countries"], storage_options=options)
    assert fs.find(f"{name}/export") == [
        f"{name}/export/countries/data.parquet",
        f"{name}/export/manifest.json",
    ]


def test_an_export_never_replaces_objects_it_did_not_write(bucket, options, tmp_path):
    fs, name = bucket
    fs.pipe_file(f"{name}/reports/q1.csv", b"keep me")
    db_path = tmp_path / "news.duckdb"
    run(SAMPLES, db_path, {})

    with pytest.raises(ExportRefused, match="holds objects wirehouse did not write"):
        export_warehouse(db_path, f"s3://{name}/reports", storage_options=options)

    assert fs.find(f"{name}/reports") == [f"{name}/reports/q1.csv"]


def test_the_commands_take_urls_and_storage_options(feed, bucket, endpoint, tmp_path, capsys):
    from wirehouse import cli

    url, _, _ = feed
    fs, name = bucket
    args = cli.build_parser().parse_args(
        ["run", "--input", url + "/", "--export", f"s3://{name}/out"]
        + ["--storage-option", f"endpoint_url={endpoint}", "--storage-option", "anon=false"]
    )
    settings = cli._run_settings(args)
    assert (settings.input_dir, settings.export_dir) == (url + "/", f"s3://{name}/out")
    assert settings.storage_options == {"endpoint_url": endpoint, "anon": False}
    local = cli.build_parser().parse_args(["run", "--input", f"file://{SAMPLES}"])
    assert cli._run_settings(local).input_dir == SAMPLES  # a local folder, read as one

    db_path = tmp_path / "news.duckdb"
    run(SAMPLES, db_path, {})
    status = cli.main(
        ["export", "--db", str(db_path), "--out", f"s3://{name}/out", "--tables", "countries"]
        + ["--storage-option", f"endpoint_url={endpoint}"]
    )

    assert status == 0
    assert f"exported {db_path} to s3://{name}/out" in capsys.readouterr().out
    countries = pl.read_parquet(
        f"s3://{name}/out/countries/data.parquet",
        storage_options={"aws_endpoint_url": endpoint, "aws_allow_http": "true"},
    )
    assert countries.height == query(db_path, "select count(*) from countries")[0][0] > 200


@pytest.mark.slow
def test_a_local_dask_cluster_reads_the_objects_in_its_workers_and_exports_to_the_bucket(
    prefect_harness, feed, bucket, options, endpoint, tmp_path
):
    """Two Dask worker processes read the objects themselves: the flow sends them names and
    storage options, and the credentials are in their environment."""
    import socket

    from flows.ingest import run_flow

    url, _, files = feed
    fs, name = bucket
    db_path = tmp_path / "news.duckdb"
    settings = Settings(
        input_dir=url,
        db_path=db_path,
        export_dir=f"s3://{name}/export",
        storage_options=options,
        batch_size=4,
        dask_local_workers=2,
    )

    summary = run_flow(settings)

    assert (summary.files_seen, summary.files_loaded) == (len(files), len(files))
    assert summary.workers and f"{socket.gethostname()}:{os.getpid()}" not in summary.workers
    assert content(db_path) == content_of_plain_run(url, options, tmp_path)
    mentions = pl.scan_parquet(
        f"s3://{name}/export/mentions/**/*.parquet",
        hive_partitioning=True,
        storage_options={"aws_endpoint_url": endpoint, "aws_allow_http": "true"},
    ).collect()
    assert mentions.height == query(db_path, "select count(*) from mentions")[0][0] > 100


def content_of_plain_run(url: str, options: dict[str, Any], tmp_path: Path) -> dict:
    run(url, tmp_path / "plain.duckdb", options)
    return content(tmp_path / "plain.duckdb")
