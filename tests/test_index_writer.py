"""The index follows the store: incremental updates, one commit per run, rebuild swaps, stale
locks and damaged indexes; the bulk builder writes what Whoosh's own writer writes. Real Store
(SQLite) and real Whoosh files in tmp dirs."""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh import query, sorting

from bench.synthetic import synthetic_records
from index.datadir import DataDir
from index.errors import NextStep
from index.fulltext.builder import IndexBuilder
from index.fulltext.facets import FACET_FILE
from index.fulltext.impact import IMPACT_FILE
from index.fulltext.schema import build_schema, record_document
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.snapshot import (
    keep_warm,
    open_snapshot,
    result_cache,
    stop_keeping_warm,
    store_reader,
)
from index.fulltext.writer import (
    OWNER_FILE,
    STATE_FILE,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    live_index_path,
    open_index,
    open_searcher,
    rebuild_index,
    update_index,
)
from index.records import Attachment, Record, record_id
from index.store import Store
from tests.store_builders import fetched, outcome, run_crawl

REPO = Path(__file__).resolve().parents[1]


def make_record(slug: str, title: str, body: str = "", **kw: object) -> Record:
    url = f"https://nij.ojp.gov/topics/articles/{slug}"
    fields: dict = {"agency": "NIJ", "content_type": "article", "site": "nij"}
    fields.update(kw)
    return Record(
        id=record_id(url), url=url, title=title, body=body or f"{title}. Body text.", **fields
    ).with_hash()


def sync(store: Store, records: Sequence[Record], gone: Sequence[Record] = ()) -> None:
    """One complete run of site 'nij' that fetched ``records`` and found ``gone`` gone."""
    results = [fetched(r) for r in records]
    results += [outcome(r, "gone", http_status=404) for r in gone]
    run_crawl(store, results)


def titles(data_dir: DataDir, text: str) -> list[str]:
    return [h.title for h in search(data_dir, SearchRequest(text, limit=50)).hits]


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    return DataDir(tmp_path / "data").ensure()


@pytest.fixture
def store(data_dir: DataDir) -> Store:
    with Store.open(data_dir) as s:
        yield s


A = make_record("forensic-dna", "Forensic DNA backlog reduction")
B = make_record("body-cameras", "Body-worn cameras in policing")
C = make_record("reentry-courts", "Reentry courts and recidivism")


def test_first_update_builds_the_index_from_the_store(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B, C])
    update = update_index(store, data_dir)
    assert update.rebuilt and update.documents == 3
    assert data_dir.index_dir.is_symlink()
    assert titles(data_dir, "backlog") == [A.title]


def test_update_upserts_and_deletes_in_one_commit(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B, C])
    update_index(store, data_dir)
    generation_before = open_index(data_dir).latest_generation()

    changed = replace(A, title="Forensic DNA capacity grants", body="New grants.").with_hash()
    added = make_record("elder-abuse", "Elder abuse prevention")
    sync(store, [changed, B, added], gone=[C])
    update = update_index(store, data_dir)

    assert (update.upserted, update.deleted, update.committed) == (2, 1, True)
    assert open_index(data_dir).latest_generation() == generation_before + 1  # one commit
    assert titles(data_dir, "capacity") == [changed.title]
    assert titles(data_dir, "backlog") == []
    assert titles(data_dir, "elder") == [added.title]
    assert titles(data_dir, "reentry") == []
    assert update.documents == 3


def test_no_changes_opens_no_writer(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B])
    first = update_index(store, data_dir)
    path = live_index_path(data_dir)
    before = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    sync(store, [A, B])  # a run where nothing changed

    again = update_index(store, data_dir)

    assert not again.committed and again.generation == first.generation
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == before


def test_reapplying_changes_after_a_kill_is_harmless(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B])
    update_index(store, data_dir)
    # A kill between the commit and the state write: the seq beside the index is behind.
    (live_index_path(data_dir) / STATE_FILE).write_text('{"last_seq": 0}')

    update = update_index(store, data_dir)

    assert update.committed and update.documents == 2
    assert titles(data_dir, "forensic") == [A.title]


def test_rebuild_builds_aside_and_swaps_the_link(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B])
    first = update_index(store, data_dir)
    old_path = live_index_path(data_dir)
    old_searcher = open_index(data_dir).searcher()

    rebuilt = rebuild_index(store, data_dir)

    assert rebuilt.generation != first.generation and rebuilt.documents == 2
    assert os.readlink(data_dir.index_dir) == f"indexes/{rebuilt.generation}"
    # The generation live before is kept (a reader may have just resolved the link) ...
    assert sorted(p.name for p in data_dir.indexes_dir.iterdir()) == [
        first.generation,
        rebuilt.generation,
    ]
    assert old_searcher.doc_count() == 2  # an open reader keeps working
    assert titles(data_dir, "cameras") == [B.title]

    # ... until the next rebuild, which removes it; open readers still keep their files.
    again = rebuild_index(store, data_dir)
    assert sorted(p.name for p in data_dir.indexes_dir.iterdir()) == [
        rebuilt.generation,
        again.generation,
    ]
    assert not old_path.exists()
    assert old_searcher.doc_count() == 2
    old_searcher.close()


def test_missing_index_error(data_dir: DataDir) -> None:
    with pytest.raises(IndexMissingError) as err:
        search(data_dir, SearchRequest("dna"))
    assert err.value.message == f"no search index in {data_dir.index_dir}."
    assert err.value.next_step == NextStep.REFRESH


def damage(data_dir: DataDir) -> None:
    for toc in live_index_path(data_dir).glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage" * 10)


def test_damaged_index_error_and_update_rebuilds_it(
    store: Store, data_dir: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    sync(store, [A, B])
    update_index(store, data_dir)
    damage(data_dir)

    with pytest.raises(IndexCorruptError) as err:
        search(data_dir, SearchRequest("dna"))
    assert err.value.message == f"the search index in {data_dir.index_dir} is damaged."
    assert err.value.next_step == NextStep.REBUILD
    with caplog.at_level(logging.WARNING, logger="index.fulltext.writer"):
        update = update_index(store, data_dir)
    assert update.rebuilt and "damaged" in caplog.text
    assert titles(data_dir, "forensic") == [A.title]


def test_dangling_link_is_a_damaged_index(store: Store, data_dir: DataDir) -> None:
    sync(store, [A])
    update_index(store, data_dir)
    import shutil

    shutil.rmtree(live_index_path(data_dir))
    with pytest.raises(IndexCorruptError):
        search(data_dir, SearchRequest("dna"))


HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from index.datadir import DataDir
    from index.fulltext.writer import hold_write_lock, open_index, live_index_path
    data_dir = DataDir(__import__("pathlib").Path(sys.argv[1]))
    ix = open_index(data_dir)
    with hold_write_lock(ix, live_index_path(data_dir)):
        writer = ix.writer(_lk=False)
        writer.add_document(id="half-written", title="never committed")
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_lock_of_a_killed_writer_is_released(
    store: Store, data_dir: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    sync(store, [A])
    update_index(store, data_dir)
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir.root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    sync(store, [A, B])
    with pytest.raises(IndexBusyError) as busy:
        update_index(store, data_dir)
    assert f"(process {child.pid})" in busy.value.message

    child.send_signal(signal.SIGKILL)
    child.wait()
    with caplog.at_level(logging.WARNING, logger="index.fulltext.writer"):
        update = update_index(store, data_dir)

    assert update.committed and update.documents == 2
    assert f"process {child.pid} was interrupted" in caplog.text
    assert titles(data_dir, "never committed") == []


def test_stuck_lock_of_a_dead_owner_is_cleared(
    store: Store, data_dir: DataDir, caplog: pytest.LogCaptureFixture
) -> None:
    """The lock is still held (an orphan inherited the descriptor) but its owner is gone."""
    sync(store, [A])
    update_index(store, data_dir)
    path = live_index_path(data_dir)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    (path / OWNER_FILE).write_text(dead.stdout.strip())
    fd = os.open(path / "MAIN_WRITELOCK", os.O_CREAT | os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        sync(store, [A, B])
        with caplog.at_level(logging.WARNING, logger="index.fulltext.writer"):
            update = update_index(store, data_dir)
    finally:
        os.close(fd)
    assert update.committed and update.documents == 2
    assert "cleared a stale index write lock" in caplog.text
    assert not (path / OWNER_FILE).exists()


def test_whoosh_index_files_stay_whoosh(store: Store, data_dir: DataDir) -> None:
    sync(store, [A])
    update_index(store, data_dir)
    assert whoosh_index.exists_in(str(live_index_path(data_dir)))


# -- the bulk builder ------------------------------------------------------------------------------

ODD_TEXT = [
    make_record(
        "odd-1",
        "The the A an of: 3.14 big-time under_score wild*card ŞİMDİ İstanbul naïve café",
        body="a a a The THE Über ÜBER über 1.2.3 ..x.y z. of of running runs ran",
        authors=("Ann O'Neil", "X"),
        topics=("Forensic science", "of"),
        ncj_number="244205",
        published="2019-06",
        attachments=(Attachment(url="https://nij.ojp.gov/a.pdf", title="Tables", text="x y zz"),),
    ),
    make_record("odd-2", "of the and", body="the of and", summary="", published="1999"),
    make_record("odd-3", "Trafficking " * 300, body=" ".join(f"w{n % 97}" for n in range(5000))),
]


def index_contents(path: Path) -> dict[str, Any]:
    """Everything a reader sees: stored fields, lengths, columns, every term's statistics and
    every posting (document, weight, encoded value)."""
    ix = whoosh_index.open_dir(str(path))
    with ix.reader() as reader:
        docs = range(reader.doc_count_all())
        schema = reader.schema
        terms = {}
        for fieldname, text in reader.all_terms():
            info = reader.term_info(fieldname, text)
            matcher = reader.postings(fieldname, text)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            terms[fieldname, text] = (stats, info.max_weight(), info.min_id(), postings)
        scorable = [name for name in schema.names() if schema[name].scorable]
        return {
            "stored": [reader.stored_fields(n) for n in docs],
            "lengths": {
                name: (
                    [reader.doc_field_length(n, name) for n in docs],
                    reader.field_length(name),
                    reader.min_field_length(name),
                    reader.max_field_length(name),
                )
                for name in scorable
            },
            "columns": {
                name: list(reader.column_reader(name))
                for name in schema.names()
                if schema[name].column_type
            },
            "terms": terms,
        }


@pytest.fixture(scope="module")
def builder_documents() -> list[dict[str, Any]]:
    records = [*synthetic_records(120, seed=3), *ODD_TEXT]
    return [record_document(r) for r in records]


@pytest.fixture(scope="module")
def whoosh_written(
    tmp_path_factory: pytest.TempPathFactory, builder_documents: list[dict[str, Any]]
) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("whoosh-writer")
    writer = whoosh_index.create_in(str(path), build_schema(store_body=True)).writer()
    for doc in builder_documents:
        writer.add_document(**doc)
    writer.commit()
    return index_contents(path)


@pytest.mark.parametrize("limitmb", [256, 0], ids=["in-memory", "spilled-runs"])
def test_builder_writes_what_whoosh_writes(
    tmp_path: Path,
    builder_documents: list[dict[str, Any]],
    whoosh_written: dict[str, Any],
    limitmb: int,
) -> None:
    builder = IndexBuilder(
        whoosh_index.create_in(str(tmp_path), build_schema(store_body=True)), limitmb=limitmb
    )
    assert builder.bulk_fields == {
        "title",
        "summary",
        "body",
        "doc",
        "topics",
        "authors",
        "spell",
        "words",
        "pairs",
        "journal",
        "series",
    }
    for doc in builder_documents:
        builder.add_document(**doc)
    builder.commit()

    built = index_contents(tmp_path)
    assert len(built["terms"]) > 1000
    assert built["stored"] == whoosh_written["stored"]
    assert built["lengths"] == whoosh_written["lengths"]
    assert built["columns"] == whoosh_written["columns"]
    assert built["terms"].keys() == whoosh_written["terms"].keys()
    assert built["terms"] == whoosh_written["terms"]


def test_builder_keeps_postings_in_document_order_across_runs(tmp_path: Path) -> None:
    """Runs spilled to disk are merged run by run: a term in every one of 300 documents (more
    than a byte of document numbers) lists them in order, as Whoosh's skipping needs."""
    builder = IndexBuilder(whoosh_index.create_in(str(tmp_path), build_schema()), limitmb=0)
    for n in range(300):
        builder.add_document(id=f"r{n}", url=f"https://example.org/{n}", title="grant report")
    builder.commit()
    with whoosh_index.open_dir(str(tmp_path)).reader() as reader:
        assert list(reader.postings("title", "grant").all_ids()) == list(range(300))


def test_builder_only_fills_a_new_index(store: Store, data_dir: DataDir) -> None:
    sync(store, [A])
    update_index(store, data_dir)
    with pytest.raises(ValueError, match="new, empty index"):
        IndexBuilder(open_index(data_dir))


def test_facets_follow_updates_and_survive_a_missing_table(store: Store, data_dir: DataDir) -> None:
    sync(store, [A, B, C])
    update_index(store, data_dir)
    moved = replace(A, agency="OVC", content_type="publication").with_hash()
    sync(store, [moved, B], gone=[C])
    update_index(store, data_dir)  # A re-added, its old copy and C deleted

    expected = {"agency": {"NIJ": 1, "OVC": 1}, "type": {"article": 1, "publication": 1}}
    results = search(data_dir, SearchRequest("*"))
    assert results.total == 2
    assert {name: results.facets[name] for name in expected} == expected

    (live_index_path(data_dir) / FACET_FILE).unlink()  # as if killed before writing it
    again = search(data_dir, SearchRequest("*"))
    assert (again.total, again.facets) == (results.total, results.facets)


def test_a_searcher_keeps_its_snapshot_while_refreshes_merge_segments(
    store: Store, data_dir: DataDir
) -> None:
    """A search that opened the index just before a refresh's commit finishes on what it opened,
    even when that commit merges its segments and deletes their files."""
    records = [A, B, C]
    sync(store, records)
    update_index(store, data_dir)
    with open_searcher(data_dir) as searcher:
        opened = {p.name for p in live_index_path(data_dir).glob("*.pst")}
        for n in range(12):  # small commits until Whoosh merges the first segment away
            published = f"2021-03-{n + 1:02d}"
            records.append(make_record(f"added-{n}", f"Added record {n}", published=published))
            sync(store, records)
            update_index(store, data_dir)
            if not opened & {p.name for p in live_index_path(data_dir).glob("*.pst")}:
                break
        else:
            pytest.fail("the refreshes never merged the first segment")

        newest = sorting.FieldFacet("published", reverse=True)
        hits = searcher.search(query.Every(), sortedby=newest, limit=None)
        assert sorted(hit["title"] for hit in hits) == sorted(r.title for r in (A, B, C))
    assert search(data_dir, SearchRequest("added", sort="date")).hits[0].title == records[-1].title


def test_a_kept_snapshot_serves_searches_until_the_index_moves_on(
    store: Store, data_dir: DataDir
) -> None:
    """In a long-running process (``serve``) a thread keeps the index open between searches and
    sees every refresh's commit, every rewritten table and every rebuild at its next search."""
    sync(store, [A, B])
    update_index(store, data_dir)
    keep_warm(data_dir)
    try:
        with open_snapshot(data_dir) as first:
            pass
        assert titles(data_dir, "cameras") == [B.title]
        with open_snapshot(data_dir) as again:
            assert again is first  # kept, not reopened
            assert again.impacts is not None

        sync(store, [A, B, C])
        update_index(store, data_dir)  # a refresh's commit
        assert titles(data_dir, "recidivism") == [C.title]
        with open_snapshot(data_dir) as after_commit:
            assert after_commit is not first

        (live_index_path(data_dir) / IMPACT_FILE).unlink()  # as if killed before writing it
        with open_snapshot(data_dir) as without_lists:
            assert without_lists is not after_commit and without_lists.impacts is None
        assert titles(data_dir, "recidivism") == [C.title]  # scored exhaustively

        rebuild_index(store, data_dir)  # a new generation, the link swapped
        with open_snapshot(data_dir) as rebuilt:
            assert rebuilt.path == live_index_path(data_dir) != without_lists.path
            assert rebuilt.impacts is not None
        assert titles(data_dir, "forensic") == [A.title]
    finally:
        stop_keeping_warm(data_dir)
    with open_snapshot(data_dir) as once, open_snapshot(data_dir) as twice:
        assert once is not twice  # without keep_warm: a snapshot per search


def test_a_kept_index_answers_a_repeated_search_from_its_cache_until_a_commit(
    store: Store, data_dir: DataDir
) -> None:
    sync(store, [A, B])
    update_index(store, data_dir)
    assert result_cache(data_dir) is None  # the CLI: nothing kept between searches
    keep_warm(data_dir)
    try:
        cache = result_cache(data_dir)
        assert cache is not None
        first = search(data_dir, SearchRequest("policing OR backlog"))
        again = search(data_dir, SearchRequest("policing OR backlog"))
        assert again is first and (cache.hits, cache.misses) == (1, 1)
        other_page = search(data_dir, SearchRequest("policing OR backlog", limit=1, page=2))
        assert other_page is not first and cache.misses == 2  # another request, another entry
        assert [h.title for h in other_page.hits] == [first.hits[1].title]

        changed = make_record("body-cameras", "Body-worn cameras in policing and courts")
        sync(store, [A, changed, C])
        update_index(store, data_dir)  # a refresh's commit: the cached answers are of the last one
        after = search(data_dir, SearchRequest("policing OR backlog"))
        assert after is not first and cache.misses == 3
        assert sorted(h.title for h in after.hits) == sorted([A.title, changed.title])
    finally:
        stop_keeping_warm(data_dir)
    assert result_cache(data_dir) is None


def test_a_kept_index_reads_hit_text_through_a_kept_store_reader_that_follows_a_new_file(
    store: Store, data_dir: DataDir, tmp_path: Path
) -> None:
    """``serve``'s threads keep a store reader for the hits' text; a store file replaced under
    it (a restored copy) is read at the next search, not the deleted one it had open."""
    sync(store, [A, B])
    update_index(store, data_dir)
    keep_warm(data_dir)
    try:
        cache = result_cache(data_dir)
        assert cache is not None
        cache.size = 0  # every search runs in full
        before = search(data_dir, SearchRequest("cameras")).hits[0]
        assert "Body text" in before.snippet
        with store_reader(data_dir) as first, store_reader(data_dir) as again:
            assert first is again  # kept between searches

        store.close()
        restored = DataDir(tmp_path / "restored").ensure()
        with Store.open(restored) as copy:
            sync(copy, [A, replace(B, body="Cameras worn by officers, restored text.")])
        for suffix in ("-wal", "-shm"):
            Path(f"{data_dir.store_path}{suffix}").unlink(missing_ok=True)
        os.replace(restored.store_path, data_dir.store_path)

        after = search(data_dir, SearchRequest("cameras")).hits[0]
        assert after.id == before.id and "restored text" in after.snippet
        with store_reader(data_dir) as reopened:
            assert reopened is not first
    finally:
        stop_keeping_warm(data_dir)


def test_sorting_by_closing_and_event_dates_across_commits_without_them(
    store: Store, data_dir: DataDir
) -> None:
    """An index whose records have no closing or event date (a site without funding, most
    refreshes' commits) still sorts by them: such records come after the dated ones."""
    sync(store, [A, B])
    update_index(store, data_dir)  # a segment without any funding or event
    for sort in ("closing", "event", "added"):
        hits = search(data_dir, SearchRequest("dna OR cameras", sort=sort)).hits
        assert {h.title for h in hits} == {A.title, B.title}
    grant = make_record(
        "grant-dna",
        "DNA capacity grants",
        content_type="funding",
        details={"closing_date": "2031-05-01"},
    )
    forum = make_record(
        "forum-dna",
        "DNA forum",
        content_type="event",
        details={"event_dates": "2031-02-03/2031-02-04"},
    )
    sync(store, [A, B, grant, forum])
    update_index(store, data_dir)  # a second segment, with them
    for sort, first in (("closing", grant.title), ("event", forum.title)):
        hits = search(data_dir, SearchRequest("dna", sort=sort, limit=10)).hits
        assert hits[0].title == first
        assert {h.title for h in hits[1:]} == {A.title, grant.title, forum.title} - {first}
