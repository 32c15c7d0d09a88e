"""The sync rules of ``Store.apply_run``, driven by staged crawl results over successive runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.records import CrawlSummary
from index.store import Store
from tests.store_builders import edited, fetched, make_record, outcome, run_crawl


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def live_ids(store: Store) -> set[str]:
    return {record.id for record in store.iter_records()}


def url_state(store: Store, url: str) -> dict[str, object]:
    cursor = store._conn.execute("SELECT * FROM url_state WHERE url = :u", {"u": url})
    row = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def history(store: Store, record_id: str) -> list[tuple[int, str]]:
    rows = store._conn.execute(
        "SELECT run_id, change FROM history WHERE record_id = :id ORDER BY id", {"id": record_id}
    )
    return list(rows)


def test_new_urls_are_added_and_logged(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_id, changes = run_crawl(store, [fetched(a), fetched(b)])
    assert sorted(changes.added) == sorted([a.id, b.id])
    assert changes.changed == changes.removed == []
    assert store.get(a.id) == a
    report = store.run_report(run_id)
    assert report.counts["nij"]["fetched"] == 2
    assert report.counts["nij"]["added"] == 2
    assert report.status == "completed"
    index = store.index_changes(0)
    assert sorted(index.upsert_ids) == sorted([a.id, b.id])
    assert index.delete_ids == []
    assert index.last_seq == 2


def test_unchanged_not_modified_and_skipped_write_nothing(store: Store) -> None:
    a, b, c = make_record("a"), make_record("b"), make_record("c")
    run_crawl(store, [fetched(a), fetched(b, etag='"v1"'), fetched(c)])
    before = store.index_changes(0).last_seq
    refetched = edited(a, fetched_at="2026-02-02T00:00:00Z")  # same content, later fetch
    run_id, changes = run_crawl(
        store,
        [fetched(refetched), outcome(b, "not_modified"), outcome(c, "skipped")],
    )
    assert changes.added == changes.changed == changes.removed == []
    assert store.index_changes(before).upsert_ids == []
    assert store.index_changes(before).last_seq == before
    assert store.get(a.id) == a  # the stored record was not rewritten
    counts = store.run_report(run_id).counts["nij"]
    assert (counts["unchanged"], counts["not_modified"], counts["skipped"]) == (1, 1, 1)
    assert url_state(store, b.url)["etag"] == '"v1"'  # a 304 without validators keeps them


def test_changed_content_is_changed_with_history(store: Store) -> None:
    a = make_record("a")
    first, _ = run_crawl(store, [fetched(a)])
    seq = store.index_changes(0).last_seq
    new = edited(a, body="A corrected body.")
    second, changes = run_crawl(store, [fetched(new)])
    assert changes.changed == [a.id]
    assert store.get(a.id).body == "A corrected body."
    assert store.index_changes(seq).upsert_ids == [a.id]
    assert history(store, a.id) == [(first, "added"), (second, "changed")]


def test_gone_removes_at_once_and_keeps_the_record(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    seq = store.index_changes(0).last_seq
    run_id, changes = run_crawl(store, [outcome(a, "gone", http_status=404), fetched(b)])
    assert changes.removed == [a.id]
    assert live_ids(store) == {b.id}
    assert store.get(a.id) == a  # kept in the store, with its history
    assert store.record_status(a.id) == "gone"
    assert store.index_changes(seq).delete_ids == [a.id]
    assert url_state(store, a.url)["status"] == "gone"
    assert store.run_report(run_id).counts["nij"]["removed"] == 1


def test_excluded_page_is_removed(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    _, changes = run_crawl(store, [outcome(a, "excluded", error="noindex"), fetched(b)])
    assert changes.removed == [a.id]


def test_failed_fetch_keeps_the_record_live(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    for _ in range(4):  # more failures than the miss limit
        run_id, changes = run_crawl(
            store, [outcome(a, "failed", http_status=503, error="HTTP 503"), fetched(b)]
        )
        assert changes.removed == []
    assert live_ids(store) == {a.id, b.id}
    state = url_state(store, a.url)
    assert (state["status"], state["last_error"]) == ("live", "HTTP 503")
    report = store.run_report(run_id)
    assert report.errors == [{"site": "nij", "url": a.url, "error": "HTTP 503"}]
    assert report.counts["nij"]["failed"] == 1
    failing = store.status().failing
    assert [(f.url, f.last_error) for f in failing] == [(a.url, "HTTP 503")]
    run_crawl(store, [outcome(a, "not_modified"), fetched(b)])
    assert url_state(store, a.url)["last_error"] is None  # recovered
    assert store.status().failing == []


def test_new_url_that_fails_is_an_error_not_a_record(store: Store) -> None:
    run_crawl(store, [outcome("https://nij.ojp.gov/x", "failed", error="timeout")])
    assert store.count_records(live_only=False) == 0
    assert url_state(store, "https://nij.ojp.gov/x")["status"] == "error"


def test_missing_from_three_complete_crawls_is_removed(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(5)]
    run_crawl(store, [fetched(p) for p in pages])
    rest = [fetched(p) for p in pages[1:]]
    for _ in range(2):
        _, changes = run_crawl(store, rest)
        assert changes.removed == []
    assert url_state(store, pages[0].url)["misses"] == 2
    _, changes = run_crawl(store, rest)
    assert changes.removed == [pages[0].id]
    assert pages[0].id not in live_ids(store)


def test_a_sighting_resets_the_misses(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(3)]
    run_crawl(store, [fetched(p) for p in pages])
    run_crawl(store, [fetched(p) for p in pages[1:]])
    run_crawl(store, [fetched(p) for p in pages[1:]])
    run_crawl(store, [outcome(pages[0], "skipped"), *(fetched(p) for p in pages[1:])])
    assert url_state(store, pages[0].url)["misses"] == 0
    _, changes = run_crawl(store, [fetched(p) for p in pages[1:]])
    assert changes.removed == []


def test_incomplete_or_empty_crawls_count_no_misses(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(3)]
    run_crawl(store, [fetched(p) for p in pages])
    for _ in range(4):
        run_crawl(store, [fetched(pages[1])], complete=False)
        run_crawl(store, [])  # complete, but the crawl returned nothing
    assert live_ids(store) == {p.id for p in pages}
    assert url_state(store, pages[0].url)["misses"] == 0


def test_a_site_without_a_summary_counts_no_misses(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(3)]
    run_crawl(store, [fetched(p) for p in pages])
    for _ in range(4):
        run_id = store.start_run(["nij"])
        store.stage_results(run_id, "nij", [fetched(pages[1])])
        assert store.apply_run(run_id, max_removal_share=1.0).removed == []
        store.finish_run(run_id, status="failed", error="the crawl died")
    assert live_ids(store) == {p.id for p in pages}


def test_mass_removal_is_withheld(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(20)]
    run_crawl(store, [fetched(p) for p in pages])
    gone = [outcome(p, "gone", http_status=404) for p in pages[:3]]  # 15% of the site
    run_id, changes = run_crawl(store, [*gone, *map(fetched, pages[3:])], max_removal_share=0.10)
    assert changes.removed == []
    assert changes.withheld == {"nij": 3}
    assert len(live_ids(store)) == 20
    assert store.run_report(run_id).withheld == {"nij": 3}
    assert url_state(store, pages[0].url)["last_error"].startswith("removal withheld")
    # Within the share, removals happen.
    _, changes = run_crawl(store, [gone[0], *map(fetched, pages[1:])], max_removal_share=0.10)
    assert changes.removed == [pages[0].id]
    assert changes.withheld == {}


def test_mass_removal_by_misses_is_withheld(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(10)]
    run_crawl(store, [fetched(p) for p in pages])
    for _ in range(3):
        _, changes = run_crawl(store, [fetched(pages[0])], max_removal_share=0.10)
    assert changes.withheld == {"nij": 9}
    assert len(live_ids(store)) == 10


def test_dedupe_by_ncj_merges_into_the_older_record(store: Store) -> None:
    original = make_record("a", ncj_number="252984")
    run_crawl(store, [fetched(original)])
    duplicate = make_record(
        "b", url="https://www.ojp.gov/ncjrs/virtual-library/abstracts/b", ncj_number="252984"
    )
    _, changes = run_crawl(store, [fetched(original), fetched(duplicate)])
    assert changes.added == changes.changed == []
    assert live_ids(store) == {original.id}
    merged = store.get(duplicate.url)
    assert merged is not None
    assert (merged.id, merged.url) == (original.id, original.url)
    assert merged.aliases == (duplicate.url,)
    assert store.get(duplicate.id) is None
    # The next runs are stable: no flip-flop between the two pages.
    _, changes = run_crawl(store, [fetched(duplicate), fetched(original)])
    assert changes.added == changes.changed == changes.removed == []


def test_dedupe_of_two_new_pages_is_deterministic(tmp_path: Path) -> None:
    one = make_record("one", ncj_number="1")
    two = make_record("two", ncj_number="1")
    kept = []
    for n, order in enumerate(([one, two], [two, one])):
        with Store(tmp_path / f"{n}.sqlite3") as store:
            _, changes = run_crawl(store, [fetched(r) for r in order])
            kept.append((changes.added, store.get(two.url).aliases))
    assert kept[0] == kept[1] == ([one.id], (two.url,))


def test_dedupe_by_opportunity_id(store: Store) -> None:
    a = make_record("a", content_type="funding", opportunity_id="O-BJA-2023-171861")
    b = make_record("b", content_type="funding", opportunity_id="O-BJA-2023-171861")
    run_crawl(store, [fetched(a)])
    run_crawl(store, [fetched(a), fetched(b)])
    assert live_ids(store) == {a.id}


def test_redirect_aliases_find_the_record(store: Store) -> None:
    a = make_record("a")
    old = "https://nij.ojp.gov/old/a"
    run_crawl(store, [fetched(a, aliases=(old,))])
    assert store.get(old) == store.get(a.id) == store.get(a.url)
    assert store.get(old).aliases == (old,)


def test_a_record_that_moves_is_removed_and_its_url_aliased(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    moved = make_record("a-new", title=a.title)
    _, changes = run_crawl(store, [fetched(moved, aliases=(a.url,)), fetched(b)])
    assert changes.added == [moved.id]
    assert changes.removed == [a.id]
    assert store.get(a.url).id == moved.id  # the old URL finds the live record


def test_a_gone_record_that_comes_back_is_added_again(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    run_crawl(store, [outcome(a, "gone", http_status=410), fetched(b)])
    _, changes = run_crawl(store, [fetched(a), fetched(b)])
    assert changes.added == [a.id]
    assert store.record_status(a.id) == "live"
    assert [change for _, change in history(store, a.id)] == ["added", "removed", "added"]


def test_index_changes_collapse_to_the_final_state(store: Store) -> None:
    a, b = make_record("a"), make_record("b")
    run_crawl(store, [fetched(a), fetched(b)])
    run_crawl(store, [fetched(edited(a, title="New")), fetched(b)])
    run_crawl(store, [outcome(a, "gone", http_status=404), fetched(b)])
    changes = store.index_changes(0)
    assert changes.upsert_ids == [b.id]
    assert changes.delete_ids == [a.id]
    assert store.index_changes(changes.last_seq).upsert_ids == []
    assert store.index_changes(changes.last_seq).last_seq == changes.last_seq


def test_a_retried_crawl_counts_its_latest_result(store: Store) -> None:
    a = make_record("a")
    run_id = store.start_run(["nij"])
    store.stage_results(run_id, "nij", [outcome(a, "failed", error="timeout")])
    store.stage_results(run_id, "nij", [fetched(a)])  # the retry
    store.save_crawl_summary(run_id, CrawlSummary(site="nij", complete=True))
    changes = store.apply_run(run_id)
    assert changes.added == [a.id]
    report = store.finish_run(run_id, status="completed")
    assert report.counts["nij"]["failed"] == 0
    assert report.errors == []


def test_apply_twice_is_harmless_and_staging_is_cleared(store: Store) -> None:
    a = make_record("a")
    run_id = store.start_run(["nij"])
    store.stage_results(run_id, "nij", [fetched(a)])
    first = store.apply_run(run_id)
    assert store.staged_count(run_id) == 0
    assert store.apply_run(run_id) == first
    assert store.index_changes(0).last_seq == 1


def test_run_report_shape(store: Store) -> None:
    run_id = store.start_run(["nij", "ovc"], full=True)
    store.stage_results(run_id, "nij", [fetched(make_record("a"))])
    store.save_crawl_summary(run_id, CrawlSummary(site="ovc", complete=False, error="HTTP 503"))
    store.apply_run(run_id)
    report = store.finish_run(run_id, status="failed", error="ovc: HTTP 503").to_dict()
    assert report["status"] == "failed"
    assert report["full"] is True
    assert report["sites"] == ["nij", "ovc"]
    assert report["totals"]["added"] == 1
    assert report["counts"]["ovc"]["fetched"] == 0
    assert {"site": "ovc", "url": "", "error": "HTTP 503"} in report["errors"]
    assert report["duration_s"] >= 0
    assert [r.run_id for r in store.last_runs()] == [run_id]
