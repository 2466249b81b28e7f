"""The same files give the same warehouse, however they are batched and split across runs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.ingest import run_pipeline
from tests.conftest import REUTERS, table_snapshot
from wirehouse.settings import Settings

# Every column but the ones that say when or in which load a row was written.
TABLES = {
    "source_files": "select * exclude (loaded_at) from source_files order by path",
    "articles": "select * exclude (loaded_at, load_id) from articles order by article_id",
    "sentences": "select * exclude (load_id) from sentences order by article_id, sentence_no",
    "mentions": "select * exclude (load_id) from mentions order by article_id, start_char",
    "entity_evidence": "select * exclude (load_id) from entity_evidence order by all",
    "entities": "select * from entities order by entity_id",
    # Warehouse-wide person resolution: `Trump` alone resolves to Donald Trump whichever
    # batch or run loaded him first.
    "entity_resolution": "select * from entity_resolution order by entity_id",
}

# Sentences written for these tests. Together they give one person several countries
# (Trump: US from "U.S. President", none from "President"), one company two spellings
# (Amoco Corp. / Amoco Corp), and countries, capitals and international bodies to count.
SENTENCES = [
    "President Donald Trump met Japanese Prime Minister Shinzo Abe in Tokyo on Monday.",
    "U.S. President Donald Trump spoke to reporters in Washington on Tuesday.",
    "Mexican President Enrique Pena Nieto said he would call Donald Trump this week.",
    "Trump said the talks with Abe had gone well.",
    "Amoco Corp. said its profit rose in Canada and Brazil.",
    "Amoco Corp said it would sell its fields in Norway.",
    "Chinese Foreign Minister Wang Yi visited Seoul and Pyongyang.",
    "Prices fell in Germany, France and Italy after the vote.",
    "The European Union and the International Monetary Fund met in Brussels.",
    "British Prime Minister Theresa May flew to Kenya and then to Chile.",
]
HEADLINES = ["Leaders meet", "Markets fall", "Talks go on", "Company results", "Visit ends"]
FOLDERS = ["2017/04/10", "2017/04/11", "2017/05/02", "desk"]
# One fixed modification time, so files copied for each scenario are dated alike.
MTIME = 1_491_800_000  # 2017-04-10 05:33:20 UTC


@st.composite
def corpora(draw: st.DrawFn) -> dict[str, bytes]:
    """A few article files by path under the input folder, some repeating another's text."""
    count = draw(st.integers(min_value=3, max_value=9))
    files: dict[str, bytes] = {}
    texts: list[bytes] = []
    for number in range(count):
        folder = draw(st.sampled_from(FOLDERS))
        if texts and draw(st.integers(0, 3)) == 0:
            text = draw(st.sampled_from(texts))  # the same story under another path
        else:
            body = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4))
            headline = f"{draw(st.sampled_from(HEADLINES))} {number}"
            text = (headline + "\n\n" + "\n\n".join(body) + "\n").encode()
            texts.append(text)
        if draw(st.integers(0, 3)) == 0:
            # A JSON Lines file of two stories: the second new, or repeating another file's.
            head, _, body = text.decode().partition("\n\n")
            second = draw(st.sampled_from(texts)).decode()
            if draw(st.booleans()):
                second = f"Wire {number}\n\n{SENTENCES[number % 10]}\n"
            second_head, _, second_body = second.partition("\n\n")
            items = [
                {"title": head, "body": body},
                {"title": second_head, "body": second_body},
            ]
            files[f"{folder}/feed-{number}.jsonl"] = "".join(
                json.dumps(item) + "\n" for item in items
            ).encode()
        else:
            files[f"{folder}/story-{number}.txt"] = text
    return files


def write(root: Path, files: dict[str, bytes], names: list[str]) -> None:
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
        os.utime(target, (MTIME, MTIME))


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return table_snapshot(db, TABLES)


def load(root: Path, db: Path, batch_size: int, workers: int = 1) -> None:
    """The files under root loaded into db, batches read and transformed on workers threads."""
    settings = Settings(input_dir=root, db_path=db, batch_size=batch_size, workers=workers)
    run_pipeline(settings, as_tasks=False)


@pytest.mark.slow  # a dozen examples of 3-5 pipeline runs each: about 40 s
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    files=corpora(),
    one_batch_size=st.integers(1, 6),
    runs=st.integers(2, 4),
    data=st.data(),
)
def test_one_run_and_random_splits_across_runs_give_identical_tables(
    tmp_path: Path, files: dict[str, bytes], one_batch_size: int, runs: int, data: st.DataObject
) -> None:
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    root = work / "in"  # the same full path in both scenarios: it is the files' identity

    write(root, files, sorted(files))
    load(root, work / "one.duckdb", one_batch_size)
    expected = snapshot(work / "one.duckdb")

    shutil.rmtree(root)
    # The files arrive in a random order, in 2-4 runs of random batch sizes and worker counts.
    order = data.draw(st.permutations(sorted(files)))
    cuts = sorted(
        data.draw(st.lists(st.integers(0, len(order)), min_size=runs - 1, max_size=runs - 1))
    )
    bounds = [0, *cuts, len(order)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        write(root, files, list(order[start:end]))
        load(
            root, work / "split.duckdb", data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
        )
    assert snapshot(work / "split.duckdb") == expected


def test_a_person_takes_the_country_most_of_their_mentions_give(tmp_path: Path) -> None:
    # Two articles give Trump US ("U.S. President"), one gives none: US, in either order.
    root = tmp_path / "in"
    files = {
        "2017/04/10/a.txt": f"Talks\n\n{SENTENCES[1]}\n".encode(),
        "2017/04/10/b.txt": f"More talks\n\n{SENTENCES[0]}\n".encode(),
        "2017/04/10/c.txt": f"Trade\n\n{SENTENCES[1]} {SENTENCES[3]}\n".encode(),
    }
    for order, db in (
        (["b.txt", "a.txt", "c.txt"], "one.duckdb"),
        (["c.txt", "a.txt", "b.txt"], "two.duckdb"),
    ):
        shutil.rmtree(root, ignore_errors=True)
        for name in order:
            write(root, files, [f"2017/04/10/{name}"])
            load(root, tmp_path / db, 10)
        con = duckdb.connect(str(tmp_path / db), read_only=True)
        row = con.execute(
            "select name, country_code from entities where entity_id = 'person:donald-trump'"
        ).fetchone()
        con.close()
        assert row == ("Donald Trump", "US")


def test_a_later_file_that_sorts_first_becomes_the_canonical_copy(tmp_path: Path) -> None:
    root = tmp_path / "in"
    text = b"Leaders meet\n\nPrices fell in Germany, France and Italy after the vote.\n"
    write(root, {"b/story.txt": text}, ["b/story.txt"])
    load(root, tmp_path / "news.duckdb", 10)
    write(root, {"a/story.txt": text}, ["a/story.txt"])
    load(root, tmp_path / "news.duckdb", 10)
    con = duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True)
    files = con.execute(
        "select path, status, duplicate_of, article_count from source_files order by path"
    ).fetchall()
    articles = con.execute("select source_path from articles").fetchall()
    con.close()
    first, second = str(root.resolve() / "a/story.txt"), str(root.resolve() / "b/story.txt")
    assert files == [(first, "loaded", None, 1), (second, "duplicate", first, 0)]
    assert articles == [(first,)]


def test_a_file_repeating_two_files_is_read_again_when_either_changes(tmp_path: Path) -> None:
    # both.jsonl repeats a.txt's story and b.txt's: editing b.txt must bring its story back.
    root = tmp_path / "in"
    story = {n: f"Story {n}\n\n{SENTENCES[n]}\n" for n in (1, 2)}
    files = {
        "a.txt": story[1].encode(),
        "b.txt": story[2].encode(),
        "both.jsonl": "".join(
            json.dumps({"title": text.split("\n")[0], "body": text.split("\n\n")[1]}) + "\n"
            for text in story.values()
        ).encode(),
    }
    write(root, files, sorted(files))
    load(root, tmp_path / "news.duckdb", 10)
    files["b.txt"] = f"Story 3\n\n{SENTENCES[3]}\n".encode()
    write(root, files, ["b.txt"])
    load(root, tmp_path / "news.duckdb", 1)
    con = duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True)
    counted = con.execute(
        "select source_path, headline from articles order by source_path, headline"
    ).fetchall()
    both = con.execute(
        "select status, article_count, duplicate_of from source_files where path like '%both.jsonl'"
    ).fetchone()
    con.close()
    base = str(root.resolve())
    assert counted == [
        (f"{base}/a.txt", "Story 1"),
        (f"{base}/b.txt", "Story 3"),
        (f"{base}/both.jsonl", "Story 2"),
    ]
    assert both == ("loaded", 1, f"{base}/a.txt")


@pytest.mark.slow
def test_reuters_loaded_in_one_run_or_folder_by_folder_in_reverse_gives_identical_tables(
    tmp_path: Path,
) -> None:
    if not (REUTERS / "reut2-000.sgm").exists():
        pytest.skip(f"Reuters-21578 not found at {REUTERS} (../shared is absent on this machine)")
    from benchmarks import reuters_convert

    root = tmp_path / "reuters"
    reuters_convert.convert(REUTERS, root)
    (root / "labels.csv").unlink()
    load(root, tmp_path / "one.duckdb", 10_000)
    expected = snapshot(tmp_path / "one.duckdb")
    assert len(expected["articles"]) > 15_000

    # Every month's folder on its own, latest first (so copies of a story arrive before the
    # file that sorts first), in small batches; then the whole tree, which must change nothing.
    months = sorted({p.parent.parent for p in root.rglob("*.txt")}, reverse=True)
    for number, month in enumerate(months):
        load(month, tmp_path / "split.duckdb", [500, 3000, 20_000][number % 3])
    load(root, tmp_path / "split.duckdb", 10_000)
    assert snapshot(tmp_path / "split.duckdb") == expected
