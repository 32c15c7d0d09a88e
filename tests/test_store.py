"""The store itself: schema and migrations, lookups, batched reads, runs, crashes, concurrency."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from index.export import RecordFilter
from index.migrations import MIGRATIONS, STORE_VERSION, migrate, run_step, schema_version
from index.records import CrawlSummary, FetchResult
from index.store import Store, StoreError, connect
from tests.store_builders import fetched, make_record, outcome, run_crawl

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_new_store_uses_wal_and_the_latest_schema(store: Store) -> None:
    conn = store._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    assert schema_version(conn) == STORE_VERSION


def test_a_version_1_store_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    migrate(conn, target=1)
    grant = make_record("g", content_type="funding", opportunity_id="O-BJA-2023-171861")
    conn.execute(
        "INSERT INTO records (id, url, site, agency, content_type, published, ncj_number, "
        "status, content_hash, first_seen, last_seen, last_changed, data) VALUES "
        "(:id, :url, 'nij', 'NIJ', 'funding', NULL, NULL, 'live', :hash, 't', 't', 't', :data)",
        {"id": grant.id, "url": grant.url, "hash": grant.content_hash, "data": grant.to_json()},
    )
    conn.close()
    with Store(path) as store:
        assert schema_version(store._conn) == STORE_VERSION == 2
        assert store.get(grant.id) == grant
        row = store._conn.execute("SELECT opportunity_id FROM records").fetchone()
        assert row[0] == "O-BJA-2023-171861"
        # The migrated store dedupes by opportunity id like a new one.
        twin = make_record("twin", content_type="funding", opportunity_id="O-BJA-2023-171861")
        _, changes = run_crawl(store, [fetched(grant), fetched(twin)])
        assert changes.added == []


def test_a_failed_migration_leaves_the_old_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "s.sqlite3")
    migrate(conn, target=1)
    conn.execute("CREATE INDEX records_published ON records (site)")  # clashes with step 2
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert schema_version(conn) == 1
    assert "opportunity_id" not in [r[1] for r in conn.execute("PRAGMA table_info(records)")]
    assert len(MIGRATIONS) == STORE_VERSION
    run_step(conn, ("DROP INDEX records_published",))


def test_a_store_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        Store(path)


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_text("not a database" * 100)
    with pytest.raises(StoreError, match="move it aside"):
        Store(path)


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


def test_a_kill_during_apply_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    pages = [make_record(f"{n:03d}") for n in range(300)]
    with Store(path) as store:
        run_crawl(store, [fetched(p) for p in pages[:10]])
        before = store.index_changes(0)
        run_id = store.start_run(["nij"])
        store.stage_results(run_id, "nij", [fetched(p) for p in pages])
        store.save_crawl_summary(run_id, CrawlSummary(site="nij", complete=True))
    # The child applies the run and stops for good in the middle of its transaction.
    child = run_python(
        "import sys, time\n"
        "from pathlib import Path\n"
        "from index.store import Store\n"
        "store = Store(Path(sys.argv[1]))\n"
        "written = []\n"
        "def pause(sql):\n"
        "    if sql.startswith('INSERT INTO changes'):\n"
        "        written.append(sql)\n"
        "        if len(written) == 100:\n"
        "            print('mid-transaction', flush=True)\n"
        "            time.sleep(60)\n"
        "store._conn.set_trace_callback(pause)\n"
        "store.apply_run(int(sys.argv[2]))\n",
        str(path),
        str(run_id),
    )
    assert child.stdout.readline().strip() == "mid-transaction", child.stderr.read()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with Store(path) as store:
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.count_records() == 10
        assert store.index_changes(0) == before
        assert store.staged_count(run_id) == 300
        assert store.run_report(run_id).status == "running"
        store.start_run(["nij"])  # the next refresh clears the dead run
        assert store.staged_count(run_id) == 0
        assert store.run_report(run_id).status == "failed"


def test_several_processes_stage_at_once(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    with Store(path) as store:
        run_id = store.start_run(["nij", "ovc"])
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from index.store import Store\n"
        "from tests.store_builders import fetched, make_record\n"
        "site = sys.argv[3]\n"
        "with Store(Path(sys.argv[1])) as store:\n"
        "    for batch in range(20):\n"
        "        pages = [make_record(f'{site}-{batch}-{n}', site=site) for n in range(25)]\n"
        "        store.stage_results(int(sys.argv[2]), site, [fetched(p) for p in pages])\n"
    )
    children = [run_python(code, str(path), str(run_id), site) for site in ("nij", "ovc")]
    for child in children:
        assert child.wait(timeout=60) == 0, child.stderr.read()
    with Store(path) as store:
        assert store.staged_count(run_id) == 1000
        changes = store.apply_run(run_id)
        assert len(changes.added) == 1000
        counts = store.finish_run(run_id, status="completed").counts
        assert counts["nij"]["added"] == counts["ovc"]["added"] == 500


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
