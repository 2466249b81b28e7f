"""The DuckDB warehouse: connections, migrations from sql/, batch loads and their checks."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from transforms.schemas import COPY_SCHEMA, DEMOTED_SCHEMA, EVIDENCE_SCHEMA
from warehouse.schema import (
    ARTICLES,
    COUNTRIES,
    ENTITIES,
    ENTITY_EVIDENCE,
    MENTIONS,
    SENTENCE_SPANS,
    SOURCE_FILES,
)

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
log = logging.getLogger("wirehouse.warehouse")


class CheckFailed(RuntimeError):
    """A declared invariant from sql/checks/ did not hold; the load was rolled back."""


@contextmanager
def transaction(
    con: duckdb.DuckDBPyConnection, frames: Mapping[str, pl.DataFrame] | None = None
) -> Iterator[None]:
    """One transaction, with the frames registered as views for its length; any error rolls
    it back."""
    frames = frames or {}
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute("begin transaction")
        try:
            yield
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        for name in frames:
            con.unregister(name)


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower()


# A locked connection installs and loads no extension by itself (those built in, parquet, json
# and icu among them, stay), reaches no file but the warehouse's own (and its spill folder),
# and refuses every later change of setting, these two included.
_NO_AUTO_EXTENSIONS = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_NO_FILES_LOCKED = {"enable_external_access": False, "lock_configuration": True}


@contextmanager
def connect(
    db_path: Path,
    *,
    read_only: bool = False,
    locked: bool = False,
    writable_dirs: Sequence[Path] = (),
    wait_seconds: float = 30.0,
    on_wait: Callable[[str], None] | None = None,
    memory_limit: str = "1GB",
    checkpoint_threshold: str | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection, retried with backoff while another process holds the file's lock.

    locked: read-only, and DuckDB itself refuses every file outside the warehouse (COPY TO,
    read_csv, read_text, glob, ATTACH, EXPORT DATABASE), INSTALL and LOAD, and any change of
    setting; writable_dirs are the only folders it may still write to (export's staging).
    checkpoint_threshold, when given, is the WAL size at which DuckDB checkpoints by itself
    (default 16 MB); closing the connection always checkpoints.
    """
    read_only = read_only or locked
    config: dict[str, object] = {"memory_limit": memory_limit}
    if checkpoint_threshold is not None:
        config["checkpoint_threshold"] = checkpoint_threshold
    if locked:
        config |= _NO_AUTO_EXTENSIONS
        # DuckDB takes allowed_directories only once the database runs and while external
        # access is still on: with folders to allow, the lock is set just after connecting.
        if not writable_dirs:
            config |= _NO_FILES_LOCKED
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.1
    while True:
        try:
            # DuckDB would otherwise cache up to 80% of RAM; a load needs a fraction of that
            # and the batches being transformed beside it need the rest.
            con = duckdb.connect(str(db_path), read_only=read_only, config=config)
            break
        except duckdb.Error as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                raise
            message = f"{db_path} is in use by another process; retrying in {delay:.1f}s"
            (on_wait or log.warning)(message)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        if locked and writable_dirs:
            folders = [str(Path(folder).resolve()) for folder in writable_dirs]
            con.execute("set allowed_directories = ?", [folders])
            con.execute("set enable_external_access = false")
            con.execute("set lock_configuration = true")
        yield con
    finally:
        con.close()


class HeldConnection:
    """The run's write connection, held across consecutive loads and given up every
    hold_seconds (and at the end), so readers get in between.

    Every load still commits its own transaction, durable in the WAL the moment it commits.
    What holding saves is the checkpoint DuckDB makes when the last connection closes: each
    one rewrites the partly filled row groups of every table it appends to, so a checkpoint
    per small load recompresses the same rows again and again (measured: 40 loads of 5,000
    rows took 5.7 s closing after each, 1.6 s held, and made a file 38% larger). The holder
    gives it up before waiting for anything else (flows/pump.py), so a reader waits at most
    hold_seconds plus one load and one checkpoint; hold_seconds=0 gives up the connection
    after every load.
    """

    def __init__(
        self,
        db_path: Path,
        *,
        hold_seconds: float,
        wait_seconds: float = 30.0,
        on_wait: Callable[[str], None] | None = None,
        # A load needs little: 256 MB kept the 1,000,000-article run flat at 1,053 MiB peak RSS
        # (512 MB: 1,280 MiB, as DuckDB's cache filled with the growing warehouse), no slower.
        memory_limit: str = "256MB",
    ) -> None:
        self._open = functools.partial(
            connect,
            db_path,
            wait_seconds=wait_seconds,
            on_wait=on_wait,
            memory_limit=memory_limit,
            # Checkpoints happen when the connection is given up, not whenever the WAL
            # passes DuckDB's 16 MB default.
            checkpoint_threshold="1TB",
        )
        self._hold_seconds = hold_seconds
        self._held: contextlib.AbstractContextManager[duckdb.DuckDBPyConnection] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._since = 0.0

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The held connection, opened (waiting for the file's lock) if it is not."""
        if self._con is None:
            self._held = self._open()
            self._con = self._held.__enter__()
            self._since = time.monotonic()
        return self._con

    def seconds_left(self) -> float:
        """How much longer the connection may stay held (0 when it is not held)."""
        if self._con is None:
            return 0.0
        return max(0.0, self._hold_seconds - (time.monotonic() - self._since))

    def release_if_due(self) -> None:
        """Give the connection up (checkpoint, let readers in) once held long enough."""
        if self._con is not None and time.monotonic() - self._since >= self._hold_seconds:
            self.release()

    def release(self) -> None:
        """Close the connection, which checkpoints the loads committed since it opened."""
        held, self._held, self._con = self._held, None, None
        if held is not None:
            held.__exit__(None, None, None)

    def __enter__(self) -> HeldConnection:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def migration_files() -> list[Path]:
    """Numbered schema changes, in the order they apply."""
    return sorted((SQL_DIR / "migrations").glob("[0-9]*.sql"))


def view_files() -> list[Path]:
    """One view per file, created in file order so later views may use earlier ones."""
    return sorted((SQL_DIR / "views").glob("[0-9]*.sql"))


def check_files() -> list[Path]:
    """Invariant queries: each returns the rows that break it."""
    return sorted((SQL_DIR / "checks").glob("[0-9]*.sql"))


_CREATE_VIEW = re.compile(r"^create or replace view ([a-z_][a-z0-9_]*) as$", re.MULTILINE)


def _view_name(path: Path, sql: str) -> str:
    """The view a file in sql/views/ creates (one per file)."""
    names = _CREATE_VIEW.findall(sql)
    if len(names) != 1:
        raise ValueError(f"{path}: expected one `create or replace view NAME as` line")
    return names[0]


def _view_stamp(path: Path, sql: str) -> str:
    """What a view created from path says in its comment: the file and its SQL's digest."""
    return f"wirehouse {path.name} sha256:{hashlib.sha256(sql.encode()).hexdigest()}"


def _views_current(con: duckdb.DuckDBPyConnection, views: dict[Path, str]) -> bool:
    """Whether every view is there as its file in sql/views/ now creates it."""
    stamps = {row[0] for row in con.execute("select comment from duckdb_views()").fetchall()}
    return all(_view_stamp(path, sql) in stamps for path, sql in views.items())


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every migration not yet recorded, then (re)create the views unless every one is as
    its file creates it; returns what was applied."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    done = {row[0] for row in con.execute("select version from schema_migrations").fetchall()}
    files = migration_files()
    views = {path: path.read_text() for path in view_files()}
    if {int(path.name.split("_", 1)[0]) for path in files} <= done and _views_current(con, views):
        # The common case, every run after the first: nothing to write, so nothing for the
        # run's first checkpoint to rewrite either.
        return []
    applied: list[str] = []
    for path in files:
        version = int(path.name.split("_", 1)[0])
        if version in done:
            continue
        con.execute("begin transaction")
        try:
            con.execute(path.read_text())
            con.execute(
                "insert into schema_migrations values (?, ?, now()::timestamp)",
                [version, path.name],
            )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        applied.append(path.name)
    for path, sql in views.items():
        con.execute(sql)
        # Stamped, so a later run can tell the view is current without creating it again.
        con.execute(f"comment on view {_view_name(path, sql)} is '{_view_stamp(path, sql)}'")
    return applied


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this warehouse."""
    row = con.execute("select coalesce(max(version), 0) from schema_migrations").fetchone()
    return int(row[0]) if row else 0


def refresh_reference(
    con: duckdb.DuckDBPyConnection, countries: pl.DataFrame, entities: pl.DataFrame
) -> None:
    """Upsert the gazetteer's countries and entities."""
    frames = {
        "new_countries": countries.select(COUNTRIES.stored),
        "new_entities": entities.select(ENTITIES.stored),
    }
    with transaction(con, frames):
        con.execute(
            f"insert or replace into countries ({COUNTRIES.columns})"
            f" select {COUNTRIES.columns} from new_countries"
        )
        con.execute(
            f"insert or replace into entities ({ENTITIES.columns})"
            f" select {ENTITIES.columns} from new_entities"
        )


def ledger(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """What the warehouse knows of every file it has seen."""
    return con.sql(
        "select path, sha256, size_bytes, modified_at, etag, status, duplicate_of,"
        " coalesce(copies.repeats, []::varchar[]) as repeats"
        " from source_files left join ("
        "   select path, list(distinct duplicate_of) as repeats from duplicate_copies group by path"
        " ) as copies using (path)"
    ).pl()


def marked_to_read_again(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Files whose counted text was deleted since they were read as its copy (column path)."""
    return con.sql(
        "select path from source_files"
        " where sha256 is null and status in ('loaded', 'duplicate') order by path"
    ).pl()


def known_hashes(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> pl.DataFrame:
    """Loaded articles whose normalised text has one of these hashes: content_hash, source_path,
    article_id."""
    frame = pl.DataFrame({"content_hash": hashes}, schema={"content_hash": pl.String()})
    con.register("probe_hashes", frame)
    try:
        return con.sql(
            "select articles.content_hash, articles.source_path, articles.article_id from articles"
            " inner join probe_hashes on probe_hashes.content_hash = articles.content_hash"
        ).pl()
    finally:
        con.unregister("probe_hashes")


@dataclass(frozen=True)
class Batch:
    """Everything one load writes: ledger rows for its files and the rows of their articles."""

    files: pl.DataFrame  # LEDGER_SCHEMA
    articles: pl.DataFrame
    sentences: pl.DataFrame
    mentions: pl.DataFrame
    # EVIDENCE_SCHEMA: what each article says of the people and organisations it mentions.
    entities: pl.DataFrame | None = None
    # DEMOTED_SCHEMA: loaded articles that this batch's copies of the same text outrank.
    demoted: pl.DataFrame | None = None
    # COPY_SCHEMA: the texts this batch's files and the demoted files hold but do not count.
    copies: pl.DataFrame | None = None


_ARTICLE_COLUMNS = ARTICLES.columns
_SENTENCE_SPAN_COLUMNS = SENTENCE_SPANS.columns
_MENTION_COLUMNS = MENTIONS.columns
_LEDGER_COLUMNS = SOURCE_FILES.columns


def run_checks(
    con: duckdb.DuckDBPyConnection, load_id: int, run_first_load_id: int | None = None
) -> None:
    """Raise CheckFailed naming the first invariant in sql/checks/ that this load breaks.

    Checks marked "-- scope: run" need the whole run's rows: they run only when
    run_first_load_id is given, i.e. in the transaction of a run's last load.
    """
    for path in check_files():
        sql = path.read_text()
        if sql.startswith("-- scope: run"):
            if run_first_load_id is None:
                continue
            params: dict[str, int] = {"run_first_load_id": run_first_load_id}
        else:
            params = {"load_id": load_id} if "$load_id" in sql else {}
        bad = con.execute(f"select * from ({sql}) limit 3", params).fetchall()
        if bad:
            raise CheckFailed(
                f"check {path.name} failed, load rolled back; first offending rows: {bad}"
            )


def next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    """A lower bound for the load_id the next load will get (loads are numbered in order)."""
    return int(con.execute("select coalesce(max(load_id), 0) + 1 from articles").fetchall()[0][0])


_EVIDENCE_COLUMNS = ENTITY_EVIDENCE.columns

# An entity's name is the one its articles give most often (ties: the first in code-point
# order); its country likewise among the mentions that give one. Computed from every article
# in the warehouse, for the entities a load touched: the result does not depend on which load
# came last. Entities no article mentions any more go.
_RECOMPUTE_ENTITIES = """
create or replace temp table settled_entities as
with evidence as (
    select entity_evidence.*
    from entity_evidence
    where entity_evidence.entity_id in (select entity_id from touched_entities)
),

names as (
    select entity_id, name, sum(mention_count) as mention_count,
    from evidence
    group by entity_id, name
),

countries as (
    select entity_id, country_code, sum(mention_count) as mention_count,
    from evidence
    where country_code is not null
    group by entity_id, country_code
),

types as (
    select entity_id, min(entity_type) as entity_type,
    from evidence
    group by entity_id
),

final as (
    select
        types.entity_id,
        types.entity_type,
        (
            select first(names.name order by names.mention_count desc, names.name)
            from names where names.entity_id = types.entity_id
        ) as name,
        (
            select first(countries.country_code
                order by countries.mention_count desc, countries.country_code)
            from countries where countries.entity_id = types.entity_id
        ) as country_code,
    from types
)

select * from final
"""


def _begin_changes(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables a transaction fills as it deletes articles, for _settle_* to finish."""
    con.execute("create or replace temp table touched_entities (entity_id varchar)")
    con.execute("create or replace temp table dropped_hashes (content_hash varchar)")


def _drop_articles(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Delete every row of the articles listed in temp table `table` (column article_id),
    noting the entities they mentioned in touched_entities and their texts in
    dropped_hashes; returns how many articles."""
    count = con.execute(f"select count(*) from {table}").fetchone()[0]
    if not count:
        return 0
    con.execute(
        "insert into touched_entities select distinct entity_id from entity_evidence"
        f" where article_id in (select article_id from {table})"
    )
    con.execute(
        "insert into dropped_hashes select distinct content_hash from articles"
        f" where article_id in (select article_id from {table})"
    )
    for name in ("mentions", "sentence_spans", "entity_evidence", "articles"):
        con.execute(f"delete from {name} where article_id in (select article_id from {table})")
    return int(count)


def _settle_copies(con: duckdb.DuckDBPyConnection, exclude: str) -> None:
    """Point the copies of every text deleted in this transaction at the file that counts it
    now; a copy whose text no file counts any more is read again on its next run.

    exclude names a relation (column path) of files whose rows this transaction wrote anew.
    """
    if not con.execute("select count(*) from dropped_hashes").fetchone()[0]:
        return  # a first load of its files deleted no text
    con.execute(
        "update duplicate_copies set duplicate_of = counted.source_path"
        " from (select content_hash, min(source_path) as source_path from articles"
        "   where content_hash in (select content_hash from dropped_hashes)"
        "   group by content_hash) as counted"
        " where duplicate_copies.content_hash = counted.content_hash"
        " and duplicate_copies.duplicate_of <> counted.source_path"
    )
    con.execute(
        "create or replace temp table affected_copies as"
        " select distinct path from duplicate_copies"
        " where content_hash in (select content_hash from dropped_hashes)"
        f" and path not in (select path from {exclude})"
    )
    # Forgetting size and hash makes the next run read the file again (as for a file to retry).
    con.execute(
        "update source_files set size_bytes = null, sha256 = null"
        " where path in (select path from duplicate_copies"
        "   where content_hash in (select content_hash from dropped_hashes)"
        "   and content_hash not in (select content_hash from articles))"
        f" and path not in (select path from {exclude})"
    )
    con.execute(
        "update source_files set duplicate_of = first_copy.duplicate_of, reason = "
        + _DUPLICATE_REASON.format(dup="first_copy.duplicate_of", reason="source_files.reason")
        + " from (select path, min(duplicate_of) as duplicate_of from duplicate_copies"
        "   where path in (select path from affected_copies) group by path) as first_copy"
        " where source_files.path = first_copy.path"
    )


def _settle_entities(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the touched entities from all their evidence; drop the people and
    organisations left with none."""
    con.execute(_RECOMPUTE_ENTITIES)  # one scan of the evidence, for the touched entities
    # A place's point is the gazetteer's (refresh_reference), whatever its evidence says.
    con.execute(
        "insert or replace into entities"
        " (entity_id, entity_type, name, country_code, latitude, longitude)"
        " select settled.entity_id, settled.entity_type, settled.name, settled.country_code,"
        " stored.latitude, stored.longitude"
        " from settled_entities as settled"
        " left join entities as stored on stored.entity_id = settled.entity_id"
    )
    # The context places (place:US-GA) are gazetteer entities like every US state: they stay.
    con.execute(
        "delete from entities where entity_id in (select entity_id from touched_entities)"
        " and entity_id not in (select entity_id from settled_entities)"
        " and entity_type <> 'place'"
    )


def load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    before_commit: Callable[[], None] | None = None,
    run_first_load_id: int | None = None,
) -> int:
    """Replace the files' previous rows with this batch in one transaction, checks included.

    Returns the load_id stamped on every row written.
    """
    entities = (
        batch.entities if batch.entities is not None else pl.DataFrame(schema=EVIDENCE_SCHEMA)
    )
    demoted = batch.demoted if batch.demoted is not None else pl.DataFrame(schema=DEMOTED_SCHEMA)
    copies = batch.copies if batch.copies is not None else pl.DataFrame(schema=COPY_SCHEMA)
    frames = {
        "batch_files": batch.files,
        "batch_new_articles": batch.articles,
        "batch_sentences": batch.sentences,
        "batch_mentions": batch.mentions,
        "batch_evidence": entities.select(list(EVIDENCE_SCHEMA)),
        "batch_demoted": demoted.select(list(DEMOTED_SCHEMA)),
        "batch_copies": copies.select(list(COPY_SCHEMA)),
    }
    with transaction(con, frames):
        load_id = con.execute("select nextval('load_id_seq')").fetchall()[0][0]
        _begin_changes(con)
        con.execute("insert into touched_entities select distinct entity_id from batch_evidence")
        # Everything these files produced before goes, whatever their new status:
        # the warehouse mirrors the files as they are now.
        con.execute(
            "create or replace temp table replaced_articles as"
            " select article_id from articles"
            " where source_path in (select path from batch_files)"
            " union all select article_id from batch_demoted"
        )
        _drop_articles(con, "replaced_articles")
        con.execute(
            f"insert into articles ({_ARTICLE_COLUMNS}, loaded_at, load_id)"
            f" select {_ARTICLE_COLUMNS}, now()::timestamp, $load_id from batch_new_articles",
            {"load_id": load_id},
        )
        con.execute(
            f"insert into sentence_spans ({_SENTENCE_SPAN_COLUMNS}, load_id)"
            f" select {_SENTENCE_SPAN_COLUMNS}, $load_id from batch_sentences",
            {"load_id": load_id},
        )
        con.execute(
            f"insert into mentions ({_MENTION_COLUMNS}, load_id)"
            f" select {_MENTION_COLUMNS}, $load_id from batch_mentions",
            {"load_id": load_id},
        )
        con.execute(
            f"insert into entity_evidence ({_EVIDENCE_COLUMNS}, load_id)"
            f" select {_EVIDENCE_COLUMNS}, $load_id from batch_evidence",
            {"load_id": load_id},
        )
        _settle_entities(con)
        con.execute(
            f"insert or replace into source_files ({_LEDGER_COLUMNS}, loaded_at)"
            f" select {_LEDGER_COLUMNS}, now()::timestamp from batch_files"
        )
        con.execute("delete from duplicate_copies where path in (select path from batch_files)")
        if demoted.height:
            _demote_files(con)
        con.execute("insert into duplicate_copies select * from batch_copies")
        _settle_copies(con, exclude="batch_files")
        run_checks(con, load_id, run_first_load_id)
        if before_commit is not None:
            before_commit()  # the crash tests' hook: everything written, nothing committed
    return int(load_id)


# A demoted file's reason as transforms/ledger.py duplicate_reason writes it: the canonical
# file first, then the notes the file had (any earlier "same text as" prefix replaced).
_DUPLICATE_REASON = """
'same text as ' || {dup} || ' (already loaded); not counted twice'
|| coalesce('; ' || nullif(regexp_replace(coalesce({reason}, ''),
    '(?s)^same text as .*? \\(already loaded\\); not counted twice(; )?', ''), ''), '')
"""


def _demote_files(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the files of demoted articles as copies of the canonical file."""
    con.execute(
        "create or replace temp table demoted_files as"
        " select source_path as path, min(duplicate_of) as duplicate_of,"
        " count(*)::integer as dropped_count"
        " from batch_demoted group by source_path"
    )
    con.execute(
        "update source_files set"
        " status = case when source_files.status = 'loaded'"
        " and source_files.article_count - demoted_files.dropped_count <= 0"
        " then 'duplicate' else source_files.status end,"
        " article_count = greatest(source_files.article_count - demoted_files.dropped_count, 0),"
        " duplicate_of = least(coalesce(source_files.duplicate_of, demoted_files.duplicate_of),"
        " demoted_files.duplicate_of),"
        " reason = "
        + _DUPLICATE_REASON.format(
            dup="least(coalesce(source_files.duplicate_of, demoted_files.duplicate_of),"
            " demoted_files.duplicate_of)",
            reason="source_files.reason",
        )
        + ", loaded_at = now()::timestamp"
        " from demoted_files where source_files.path = demoted_files.path"
    )


def remove_files(con: duckdb.DuckDBPyConnection, paths: list[str]) -> int:
    """Delete the rows of files that left the input folder and mark them 'removed'; returns articles removed."""
    if not paths:
        return 0
    gone = pl.DataFrame({"path": paths}, schema={"path": pl.String()})
    with transaction(con, {"gone_files": gone}):
        _begin_changes(con)
        con.execute(
            "create or replace temp table gone_articles as select article_id from articles"
            " where source_path in (select path from gone_files)"
        )
        removed = _drop_articles(con, "gone_articles")
        _settle_entities(con)
        con.execute("delete from duplicate_copies where path in (select path from gone_files)")
        _settle_copies(con, exclude="gone_files")
        con.execute(
            # size_bytes empties so the file is read again if it ever comes back unchanged.
            "update source_files set status = 'removed', article_count = 0, size_bytes = null,"
            " reason = path || ': no longer under the input folder; its articles were removed',"
            " loaded_at = now()::timestamp"
            " where path in (select path from gone_files)"
        )
    return int(removed)


def touch_files(con: duckdb.DuckDBPyConnection, files: pl.DataFrame) -> None:
    """Record new size, mtime and ETag for files whose bytes did not change."""
    con.register("touched_files", files.select("path", "size_bytes", "modified_at", "etag"))
    try:
        con.execute(
            "update source_files set size_bytes = touched_files.size_bytes,"
            " modified_at = touched_files.modified_at, etag = touched_files.etag"
            " from touched_files where source_files.path = touched_files.path"
        )
    finally:
        con.unregister("touched_files")
