"""The store itself, on SQLite and on PostgreSQL: schema and migrations, lookups, batched reads,
runs, crashes, concurrency."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from index.database import Database, execute
from index.errors import OjpError
from index.export import RecordFilter
from index.migrations import MIGRATIONS, STORE_VERSION, migrate, run_step, schema_version
from index.records import CrawlSummary, FetchResult
from index.store import Store, StoreError, connect_sqlite
from tests.store_builders import fetched, make_record, outcome, run_crawl

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def rows(store: Store, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    return store.query(sql, params)


def database_at(url: str, version: int) -> Database:
    """The store's database brought to schema ``version`` only."""
    database = Database(url, sqlite_connect=connect_sqlite)
    with database.connect() as conn, database.writing(conn):
        migrate(conn, target=version)
    return database


def test_a_new_store_has_the_latest_schema(store: Store) -> None:
    with store.read() as conn:
        assert schema_version(conn) == STORE_VERSION


def test_a_new_sqlite_store_uses_wal(tmp_path: Path) -> None:
    with Store(tmp_path / "store.sqlite3") as store:
        assert rows(store, "PRAGMA journal_mode")[0][0] == "wal"
        assert rows(store, "PRAGMA foreign_keys")[0][0] == 1
        assert rows(store, "PRAGMA busy_timeout")[0][0] > 0


def test_a_version_1_store_is_migrated_and_keeps_its_data(store_url: str) -> None:
    database = database_at(store_url, 1)
    grant = make_record("g", content_type="funding", opportunity_id="O-BJA-2023-171861")
    with database.connect() as conn, database.writing(conn):
        execute(
            conn,
            "INSERT INTO records (id, url, site, agency, content_type, published, ncj_number, "
            "status, content_hash, first_seen, last_seen, last_changed, data) VALUES (:id, :url, "
            "'nij', 'NIJ', 'funding', NULL, NULL, 'live', :hash, 't', 't', 't', :data)",
            {"id": grant.id, "url": grant.url, "hash": grant.content_hash, "data": grant.to_json()},
        )
    database.dispose()
    with Store(store_url) as store:
        with store.read() as conn:
            assert schema_version(conn) == STORE_VERSION == 3
        assert store.get(grant.id) == grant
        assert rows(store, "SELECT opportunity_id FROM records")[0][0] == "O-BJA-2023-171861"
        # The migrated store dedupes by opportunity id like a new one.
        twin = make_record("twin", content_type="funding", opportunity_id="O-BJA-2023-171861")
        _, changes = run_crawl(store, [fetched(grant), fetched(twin)])
        assert changes.added == []
        # Version 3: saved searches have their tables.
        assert rows(store, "SELECT COUNT(*) FROM watches")[0][0] == 0


def test_a_failed_migration_leaves_the_old_version(store_url: str) -> None:
    database = database_at(store_url, 1)
    with database.connect() as conn:
        with database.writing(conn):  # clashes with step 2
            execute(conn, "CREATE INDEX records_published ON records (site)")
        with pytest.raises(DBAPIError), database.writing(conn):
            migrate(conn)
        with database.reading(conn):
            assert schema_version(conn) == 1
            columns = execute(conn, "SELECT * FROM records").keys()
            assert "opportunity_id" not in columns
        with database.writing(conn):
            run_step(conn, ("DROP INDEX records_published",))
    assert len(MIGRATIONS) == STORE_VERSION
    database.dispose()


def test_a_store_from_a_newer_program_is_refused(store_url: str) -> None:
    with Store(store_url) as store, store.write() as conn:
        execute(conn, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer than this program"):
        Store(store_url)
    with pytest.raises(StoreError, match="newer than this program"):
        Store(store_url, readonly=True)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_text("not a database" * 100)
    with pytest.raises(StoreError, match="move it aside"):
        Store(path)


def test_a_database_of_another_program_is_refused_and_left_alone(store_url: str) -> None:
    database = Database(store_url, sqlite_connect=connect_sqlite)
    with database.connect() as conn, database.writing(conn):
        execute(conn, "CREATE TABLE records (id TEXT PRIMARY KEY, name TEXT)")
    for readonly in (False, True):
        with pytest.raises(StoreError, match="is not an ojp-search store; move it aside"):
            Store(store_url, readonly=readonly)
    with database.connect() as conn, database.reading(conn):
        assert not database.engine.dialect.has_table(conn, "meta")
    database.dispose()


def test_a_reader_finds_no_store_in_an_empty_database(store_url: str, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("an empty SQLite file is a zero-byte file (tests/test_architecture.py)")
    with pytest.raises(StoreError, match="no store in") as caught:
        Store(store_url, readonly=True)
    assert caught.value.kind == "missing"


def test_a_store_url_names_a_backend() -> None:
    for url in ("mysql://host/db", "sqlite://", "sqlite:///:memory:"):
        with pytest.raises(OjpError, match=r"store URL|names no SQLite") as caught:
            Store(url)
        assert caught.value.kind == "usage"


def test_a_reader_refuses_every_write(store: Store, store_url: str) -> None:
    run_crawl(store, [fetched(make_record("a"))])
    with Store(store_url, readonly=True) as reader:
        with pytest.raises(DBAPIError), reader.write() as conn:
            execute(conn, "DELETE FROM records")
        assert reader.count_records() == 1


def test_a_reader_answers_at_once_while_a_writer_holds_the_lock(
    store: Store, store_url: str
) -> None:
    a = make_record("a", title="Committed title")
    run_crawl(store, [fetched(a)])
    with store.write() as conn:
        execute(
            conn, "UPDATE records SET data = :d", {"d": a.to_json().replace("Committed", "Half")}
        )
        started = time.monotonic()
        with Store(store_url, readonly=True) as reader:
            assert reader.get(a.id).title == "Committed title"
            assert reader.status().live == 1
        assert time.monotonic() - started < 2.0
    assert store.get(a.id).title == "Half title"


def test_get_by_id_url_and_alias_and_get_many(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a, aliases=("https://nij.ojp.gov/a-old",)), fetched(b)])
    assert store.get(a.id) == store.get(a.url) == store.get("https://nij.ojp.gov/a-old")
    assert store.get("nope") is None
    assert store.get_many([b.id, "nope", a.id]) == [b, store.get(a.id)]


def test_iter_records_reads_in_batches_with_filters(store: Store) -> None:
    records = [make_record(f"{n:03d}", agency="NIJ" if n % 2 else "OVC") for n in range(23)]
    run_crawl(store, [fetched(r) for r in records])
    run_crawl(store, [outcome(records[0], "gone"), *map(fetched, records[1:])])
    every = list(store.iter_records(batch_size=5))
    assert [r.id for r in every] == sorted(r.id for r in records[1:])
    assert len(list(store.iter_records(live_only=False, batch_size=4))) == 23
    nij = list(store.iter_records(batch_size=5, where=RecordFilter(agencies=["NIJ"])))
    assert {r.agency for r in nij} == {"NIJ"}
    assert len(nij) == 11


def test_crawl_targets_return_validators(store: Store) -> None:
    a = make_record("a")
    run_crawl(
        store,
        [fetched(a, etag='"e1"', last_modified="Tue, 01 Jul 2025 00:00:00 GMT")],
    )
    (target,) = store.crawl_targets("nij")
    assert (target.url, target.etag, target.status) == (a.url, '"e1"', "live")
    assert target.last_modified == "Tue, 01 Jul 2025 00:00:00 GMT"
    assert target.last_fetched is not None
    assert store.crawl_targets("ovc") == []


def test_staging_rejects_unknown_outcomes(store: Store) -> None:
    run_id = store.start_run(["nij"])
    with pytest.raises(ValueError, match="unknown outcome"):
        store.stage_results(run_id, "nij", [FetchResult(url="https://x", outcome="weird")])
    assert store.staged_count(run_id) == 0


def test_start_run_fails_and_clears_an_unfinished_run(store: Store) -> None:
    first = store.start_run(["nij"])
    store.stage_results(first, "nij", [fetched(make_record("a"))])
    second = store.start_run(["nij"])
    assert store.staged_count(first) == 0
    report = store.run_report(first)
    assert report.status == "failed"
    assert "interrupted" in report.error
    assert store.count_records(live_only=False) == 0
    assert second > first


def test_an_ended_run_takes_no_more_results(store: Store) -> None:
    old = store.start_run(["nij"])
    store.start_run(["nij"])  # the old run was never finished: it is failed now
    with pytest.raises(StoreError, match=f"run {old} has ended"):
        store.stage_results(old, "nij", [fetched(make_record("a"))])
    with pytest.raises(StoreError, match=f"run {old} has ended"):
        store.apply_run(old)
    with pytest.raises(StoreError, match="no run 99"):
        store.apply_run(99)
    assert store.count_records(live_only=False) == 0


def test_changes_default_since_and_run(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    first, _ = run_crawl(store, [fetched(a)])
    second, _ = run_crawl(store, [fetched(a), fetched(b)])
    assert [(c.change, c.record_id) for c in store.changes()] == [("added", b.id)]
    assert [c.record_id for c in store.changes(run_id=first)] == [a.id]
    assert [c.record_id for c in store.changes(since="2000-01-01")] == [b.id, a.id]
    assert store.changes(since="2999-01-01") == []
    change = store.changes()[0]
    assert (change.title, change.url, change.run_id) == (b.title, b.url, second)


def test_a_kill_during_apply_leaves_the_store_as_it_was(store_url: str, backend: str) -> None:
    pages = [make_record(f"{n:03d}") for n in range(300)]
    with Store(store_url) as store:
        run_crawl(store, [fetched(p) for p in pages[:10]])
        before = store.index_changes(0)
        run_id = store.start_run(["nij"])
        store.stage_results(run_id, "nij", [fetched(p) for p in pages])
        store.save_crawl_summary(run_id, CrawlSummary(site="nij", complete=True))
    # The child applies the run and stops for good in the middle of its transaction.
    child = run_python(
        "import sys, time\n"
        "from sqlalchemy import event\n"
        "from index.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "written = []\n"
        "def pause(conn, cursor, sql, *args):\n"
        "    if sql.startswith('INSERT INTO changes'):\n"
        "        written.append(sql)\n"
        "        if len(written) == 100:\n"
        "            print('mid-transaction', flush=True)\n"
        "            time.sleep(60)\n"
        "event.listen(store.engine, 'before_cursor_execute', pause)\n"
        "store.apply_run(int(sys.argv[2]))\n",
        store_url,
        str(run_id),
    )
    try:
        assert child.stdout.readline().strip() == "mid-transaction", child.stderr.read()
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL
    with Store(store_url) as store:
        if backend == "sqlite":
            assert rows(store, "PRAGMA integrity_check")[0][0] == "ok"
        assert store.count_records() == 10
        assert store.index_changes(0) == before
        assert store.staged_count(run_id) == 300
        assert store.run_report(run_id).status == "running"
        store.start_run(["nij"])  # the next refresh clears the dead run
        assert store.staged_count(run_id) == 0
        assert store.run_report(run_id).status == "failed"


def test_several_processes_stage_at_once(store_url: str) -> None:
    with Store(store_url) as store:
        run_id = store.start_run(["nij", "ovc"])
    code = (
        "import sys\n"
        "from index.store import Store\n"
        "from tests.store_builders import fetched, make_record\n"
        "site = sys.argv[3]\n"
        "with Store(sys.argv[1]) as store:\n"
        "    for batch in range(20):\n"
        "        pages = [make_record(f'{site}-{batch}-{n}', site=site) for n in range(25)]\n"
        "        store.stage_results(int(sys.argv[2]), site, [fetched(p) for p in pages])\n"
    )
    children = [run_python(code, store_url, str(run_id), site) for site in ("nij", "ovc")]
    for child in children:
        assert child.wait(timeout=60) == 0, child.stderr.read()
    with Store(store_url) as store:
        assert store.staged_count(run_id) == 1000
        changes = store.apply_run(run_id)
        assert len(changes.added) == 1000
        counts = store.finish_run(run_id, status="completed").counts
        assert counts["nij"]["added"] == counts["ovc"]["added"] == 500


def test_writers_queue_one_after_the_other(store_url: str) -> None:
    """A second writer waits for the first to commit, then sees what it wrote."""
    with Store(store_url) as first, Store(store_url) as second:
        with first.write():
            run_id = first.start_run(["nij"])
            done: list[int] = []

            waiter = threading.Thread(target=lambda: done.append(second.start_run(["nij"])))
            waiter.start()
            time.sleep(0.5)
            assert done == []  # still queued behind the first writer
        waiter.join(timeout=30)
        assert done == [run_id + 1]
        assert second.run_report(run_id).status == "failed"  # the second refresh closed it


def test_status_counts_live_records_by_agency_and_kind(store: Store) -> None:
    records = [
        make_record("a", agency="NIJ"),
        make_record("b", agency="OVC", content_type="news"),
        make_record("c", agency="OVC"),
    ]
    run_crawl(store, [fetched(r) for r in records])
    run_crawl(store, [outcome(records[2], "gone"), *map(fetched, records[:2])])
    status = store.status()
    assert (status.live, status.gone) == (2, 1)
    assert status.by_agency == {"NIJ": 1, "OVC": 1}
    assert status.by_type == {"news": 1, "publication": 1}
    assert [run.run_id for run in status.runs] == [2, 1]
    assert json.loads(json.dumps(status.to_dict()))["runs"][0]["totals"]["removed"] == 1


def test_the_store_is_found_by_flag_then_environment_then_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.datadir import DataDir
    from index.store_file import STORE_URL_ENV, store_location

    monkeypatch.delenv(STORE_URL_ENV, raising=False)
    data = DataDir(tmp_path)
    assert store_location(data) == tmp_path / "store.sqlite3"
    data.remember("store", url="postgresql://db.example/config")
    assert store_location(data) == "postgresql://db.example/config"
    monkeypatch.setenv(STORE_URL_ENV, "postgresql://db.example/env")
    assert store_location(data) == "postgresql://db.example/env"
    flagged = DataDir.resolve(tmp_path, store="sqlite:////elsewhere/store.sqlite3")
    assert store_location(flagged) == "sqlite:////elsewhere/store.sqlite3"


def test_a_search_reads_its_hits_from_the_sqlite_file_as_the_store_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``ojp-search search`` reads its hits' records without SQLAlchemy: the same records and
    # first-seen days as ``Store.index_entries``, in the order asked; anything unusual is left
    # to the store (None).
    from index.datadir import DataDir
    from index.store_file import STORE_URL_ENV, read_index_entries
    from index.store_file import STORE_VERSION as FILE_VERSION

    assert FILE_VERSION == STORE_VERSION
    monkeypatch.delenv(STORE_URL_ENV, raising=False)
    data = DataDir(tmp_path / "data").ensure()
    assert read_index_entries(data, ["x"]) is None  # no store yet
    records = [make_record(f"r{n}", title=f"Record {n}", topics=(f"Topic {n}",)) for n in range(5)]
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in records])
        ids = [records[3].id, "0000000000000000", records[0].id, records[4].id]
        expected = store.index_entries(ids)
    assert len(expected) == 3
    assert read_index_entries(data, ids) == expected

    with Store.open(data) as store, store.write() as conn:
        execute(conn, "UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    assert read_index_entries(data, ids) is None  # an older store: the store migrates it
    monkeypatch.setenv(STORE_URL_ENV, "postgresql://db.example/elsewhere")
    assert read_index_entries(data, ids) is None  # not this file
