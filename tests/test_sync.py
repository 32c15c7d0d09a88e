"""The sync rules of ``Store.apply_run``, on SQLite and on PostgreSQL: first driven by staged
crawl results over successive runs, then through six successive refreshes of the sample site
(real crawls, the real index) with pages edited, removed, failing and no longer reached between
them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from crawlers.runner import crawl_site
from crawlers.sample_site import SampleSite, copy_site, sites_toml
from crawlers.sample_site.editor import EditableSite
from crawlers.sites import load_sites
from index.database import execute
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.writer import IndexUpdate, live_index_path, update_index
from index.records import CrawlSummary
from index.store import RunReport, Store
from index.sync import RunChanges
from tests.plugins.postgres import BACKENDS
from tests.store_builders import edited, fetched, make_record, outcome, run_crawl

#: One worker runs this whole module, so that the six refreshes at its end are made once.
pytestmark = pytest.mark.xdist_group("sync")


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store(store_url) as opened:
        yield opened


def live_ids(store: Store) -> set[str]:
    return {record.id for record in store.iter_records()}


def url_state(store: Store, url: str) -> dict[str, object]:
    with store.read() as conn:
        row = execute(conn, "SELECT * FROM url_state WHERE url = :u", {"u": url}).mappings().one()
        return dict(row)


def history(store: Store, record_id: str) -> list[tuple[int, str]]:
    rows = store.query(
        "SELECT run_id, change FROM history WHERE record_id = :id ORDER BY id", {"id": record_id}
    )
    return [(int(run_id), change) for run_id, change in rows]


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


def apply_removals_run(store: Store, results: list[Any], **valve: Any) -> RunChanges:
    """One complete run of nij applied with the default share (10 %) and ``valve``'s options."""
    run_id = store.start_run(["nij"])
    store.stage_results(run_id, "nij", results)
    store.save_crawl_summary(run_id, CrawlSummary(site="nij", complete=True))
    changes = store.apply_run(run_id, max_removal_share=0.10, **valve)
    store.finish_run(run_id, status="completed")
    return changes


def test_a_few_removals_from_a_small_site_are_not_withheld(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(5)]
    run_crawl(store, [fetched(p) for p in pages])
    gone = outcome(pages[0], "gone", http_status=404)  # 20 % of the site
    changes = apply_removals_run(store, [gone, *map(fetched, pages[1:])])
    assert (changes.removed, changes.withheld) == ([], {"nij": 1})
    changes = apply_removals_run(store, [gone, *map(fetched, pages[1:])], removal_floor=3)
    assert (changes.removed, changes.withheld) == ([pages[0].id], {})
    assert url_state(store, pages[0].url)["status"] == "gone"


def test_withheld_removals_happen_once_confirmed(store: Store) -> None:
    pages = [make_record(str(n)) for n in range(20)]
    run_crawl(store, [fetched(p) for p in pages])
    gone = [outcome(p, "gone", http_status=404) for p in pages[:4]]  # 20 % of the site
    results = [*gone, *map(fetched, pages[4:])]
    changes = apply_removals_run(store, results, removal_floor=3)
    assert (changes.removed, changes.withheld) == ([], {"nij": 4})
    assert len(live_ids(store)) == 20
    status = store.status()  # shown as withheld, not as failing
    assert [url.url for url in status.withheld] == sorted(p.url for p in pages[:4])
    assert (status.failing, status.failing_total) == ([], 0)
    changes = apply_removals_run(store, results, removal_floor=3, confirm_removals=True)
    assert sorted(changes.removed) == sorted(p.id for p in pages[:4])
    assert changes.withheld == {}
    assert live_ids(store) == {p.id for p in pages[4:]}
    assert store.status().withheld == []


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


def test_dedupe_of_two_new_pages_is_deterministic(
    backend: str, new_store_url: Callable[[str], str]
) -> None:
    one = make_record("one", ncj_number="1")
    two = make_record("two", ncj_number="1")
    kept = []
    for order in ([one, two], [two, one]):
        with Store(new_store_url(backend)) as store:
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


# -- the rules through successive refreshes of the sample site ----------------------------------

EDITED = "/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct"
REMOVED = "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement"  # 404
GONE = "/nij/library/publications/fight-against-human-trafficking"  # 410
FAILING = "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions"  # 500
MISSING = "/nij/topics/articles/improving-collection-digital-evidence"  # denied: never reached
OLD_TITLE = "How Probationers’ Thoughts on Crime May Inform Conduct"
NEW_TITLE = "How Probationers’ Thinking About Crime Shapes Their Conduct"


@dataclass(frozen=True)
class Refresh:
    """One refresh of the nij site, and the store and index as it left them."""

    summary: CrawlSummary
    changes: RunChanges
    report: RunReport
    index: IndexUpdate
    statements: list[str]  # the SQL that applying the run executed
    records: dict[str, dict[str, Any]]  # the records table, by id
    url_states: dict[str, dict[str, Any]]  # the url_state table, by URL
    generation: str


@dataclass(frozen=True)
class SiteHistory:
    """Six refreshes of the site served at ``base_url``; ``ids`` maps the pages above to their
    record ids."""

    data: DataDir
    base_url: str
    ids: dict[str, str]
    runs: list[Refresh]

    def url(self, path: str) -> str:
        return self.base_url + path

    def titles(self, query: str) -> list[str]:
        return [hit.title for hit in search(self.data, SearchRequest(query=query, limit=50)).hits]


def refresh_site(data: DataDir, sites_file: Path) -> Refresh:
    """The refresh flow's steps, without Prefect: start, crawl nij, apply, index, finish."""
    crawl = load_sites(sites_file).crawl
    with Store.open(data) as store:
        run_id = store.start_run(["nij"])
    summary = crawl_site("nij", sites_file=sites_file, data_dir=data, run_id=run_id)
    with Store.open(data) as store:
        statements = watch_transactions(store)
        changes = store.apply_run(
            run_id, miss_limit=crawl.miss_limit, max_removal_share=crawl.max_removal_share
        )
        statements = list(statements)
        index = update_index(store, data)
        report = store.finish_run(run_id, status="completed")
        records = table_rows(store, "records")
        states = table_rows(store, "url_state")
    return Refresh(
        summary, changes, report, index, statements, records, states, live_index_path(data).name
    )


def watch_transactions(store: Store) -> list[str]:
    """The statements the store runs from now on, with BEGIN / COMMIT / ROLLBACK as the
    transactions start and end (on both backends alike)."""
    seen: list[str] = []
    events = {
        "begin": lambda conn: seen.append("BEGIN"),
        "commit": lambda conn: seen.append("COMMIT"),
        "rollback": lambda conn: seen.append("ROLLBACK"),
        "before_cursor_execute": lambda conn, cursor, sql, *args: seen.append(sql),
    }
    for name, listener in events.items():
        event.listen(store.engine, name, listener)
    return seen


def table_rows(store: Store, table: str) -> dict[str, dict[str, Any]]:
    """A whole table, row by row, keyed by its first column."""
    with store.read() as conn:
        rows = execute(conn, f"SELECT * FROM {table}").mappings().all()
    return {row[next(iter(row.keys()))]: dict(row) for row in rows}


def touch_lastmod(site: EditableSite, *paths: str) -> None:
    """Give pages a new sitemap lastmod, so that the next crawl asks for them."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    for path in paths:
        assert site.set_lastmod(path, now), path


@pytest.fixture(scope="module", params=BACKENDS)
def site_history(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SiteHistory]:
    root = tmp_path_factory.mktemp("sync-history")
    store = None
    if request.param == "postgresql":
        store = request.getfixturevalue("postgres_databases").create()
    data = DataDir(root / "data", store=store)
    with SampleSite(copy_site(root / "site")) as served:
        site = EditableSite(served)
        base_url = site.base_url
        sites_file = root / "sites.toml"
        sites_file.write_text(sites_toml(site.base_url))  # default miss_limit 3, share 10 %
        runs = [refresh_site(data, sites_file)]  # 1: every page new
        with Store.open(data) as store:
            ids = {path: store.get(site.url(path)).id for path in (EDITED, REMOVED, GONE)}
            ids |= {path: store.get(site.url(path)).id for path in (FAILING, MISSING)}

        site.edit(EDITED, OLD_TITLE, NEW_TITLE)
        site.remove(REMOVED)
        site.fail(GONE, 410)
        site.fail(FAILING, 500)
        touch_lastmod(site, REMOVED, GONE, FAILING)
        denied = root / "denied.toml"  # a new rule: the crawl stops reaching MISSING
        denied.write_text(sites_file.read_text().replace("deny = [", f'deny = ["{MISSING}$", '))
        runs.append(refresh_site(data, denied))  # 2: edited, removed, gone, failing, 1st miss
        runs.append(refresh_site(data, denied))  # 3: nothing new; FAILING fails again, 2nd miss
        site.restore(FAILING)
        runs.append(refresh_site(data, denied))  # 4: FAILING answers again; 3rd miss
        robots = site.root / "robots.txt"
        robots.write_text(robots.read_text().replace("Disallow: /search\n", "Disallow: /nij/\n"))
        runs.append(refresh_site(data, denied))  # 5: a bad rule would remove the whole site
        served.stop()
        runs.append(refresh_site(data, denied))  # 6: the site is down
        yield SiteHistory(data, base_url, ids, runs)


def changed_ids(run: Refresh) -> tuple[list[str], list[str], list[str]]:
    return run.changes.added, run.changes.changed, sorted(run.changes.removed)


def live_ids_of(run: Refresh) -> set[str]:
    return {record_id for record_id, row in run.records.items() if row["status"] == "live"}


def test_first_refresh_adds_and_indexes_every_page(site_history: SiteHistory) -> None:
    first = site_history.runs[0]
    assert first.summary.complete
    assert len(first.changes.added) == len(first.records) == 21
    assert first.index.upserted == first.index.documents == 21
    assert first.report.counts["nij"]["fetched"] == 21


def test_unchanged_and_not_modified_pages_write_nothing(site_history: SiteHistory) -> None:
    first, second, third = site_history.runs[:3]
    touched = {site_history.ids[p] for p in (EDITED, REMOVED, GONE)}
    for record_id, row in first.records.items():
        if record_id not in touched:
            assert second.records[record_id] == row  # not even last_seen moved
    counts = second.report.counts["nij"]
    assert counts["not_modified"] + counts["skipped"] >= 15
    assert third.records == second.records
    assert changed_ids(third) == ([], [], [])
    assert {third.report.totals[k] for k in ("added", "changed", "removed")} == {0}
    assert third.index.committed is False  # nothing reached the index: the same generation
    assert third.generation == second.generation


def test_an_edited_page_updates_exactly_its_record_and_history(site_history: SiteHistory) -> None:
    second = site_history.runs[1]
    edited_id = site_history.ids[EDITED]
    assert second.changes.changed == [edited_id]
    assert second.changes.added == []
    with Store.open(site_history.data) as store:
        assert store.get(edited_id).title == NEW_TITLE
        assert history(store, edited_id) == [(1, "added"), (second.report.run_id, "changed")]
    before = site_history.runs[0].records[edited_id]
    assert second.records[edited_id]["last_changed"] > before["last_changed"]
    assert second.records[edited_id]["first_seen"] == before["first_seen"]
    assert NEW_TITLE in site_history.titles("thinking crime conduct")
    assert OLD_TITLE not in site_history.titles("probationers")


def test_404_and_410_remove_at_once_and_the_store_keeps_them(site_history: SiteHistory) -> None:
    second = site_history.runs[1]
    gone = sorted([site_history.ids[REMOVED], site_history.ids[GONE]])
    assert sorted(second.changes.removed) == gone  # 2 of 20: within the 10 % share
    assert second.index.deleted == 2
    with Store.open(site_history.data) as store:
        for record_id in gone:
            assert store.record_status(record_id) == "gone"
            assert store.get(record_id) is not None
            assert history(store, record_id) == [(1, "added"), (2, "removed")]
    for path, status in ((REMOVED, "HTTP 404"), (GONE, "HTTP 410")):
        state = second.url_states[site_history.url(path)]
        assert (state["status"], state["last_error"]) == ("gone", status)
    assert "The Fight Against Human Trafficking" not in site_history.titles("human trafficking")


def test_a_failing_page_is_never_removed_and_recovers(site_history: SiteHistory) -> None:
    failing_id, url = site_history.ids[FAILING], site_history.url(FAILING)
    for run in site_history.runs[1:3]:
        assert run.url_states[url]["status"] == "live"
        assert run.url_states[url]["last_error"] == "HTTP 500"
        assert run.records[failing_id] == site_history.runs[0].records[failing_id]
        assert {"site": "nij", "url": url, "error": "HTTP 500"} in run.report.errors
        assert run.report.counts["nij"]["failed"] == 1
    assert site_history.runs[3].url_states[url]["last_error"] is None
    assert failing_id in live_ids_of(site_history.runs[-1])
    assert "Sexual Assault Kits: Using Science to Find Solutions" in site_history.titles("kits")


def test_a_page_missing_from_three_complete_crawls_is_removed(site_history: SiteHistory) -> None:
    missing_id, url = site_history.ids[MISSING], site_history.url(MISSING)
    second, third, fourth = site_history.runs[1:4]
    assert all(run.summary.complete for run in (second, third, fourth))
    assert [run.url_states[url]["misses"] for run in (second, third)] == [1, 2]
    assert missing_id in live_ids_of(third)
    assert changed_ids(fourth) == ([], [], [missing_id])
    assert fourth.url_states[url]["status"] == "gone"
    assert fourth.index.deleted == 1
    assert "Improving the Collection of Digital Evidence" not in site_history.titles(
        "digital evidence"
    )


def test_a_rule_that_would_remove_most_of_a_site_removes_nothing(site_history: SiteHistory) -> None:
    fourth, fifth = site_history.runs[3:5]
    live = live_ids_of(fourth)
    assert fifth.report.counts["nij"]["excluded"] >= len(live)  # robots.txt now denies them
    assert fifth.changes.removed == []
    assert fifth.changes.withheld == fifth.report.withheld == {"nij": len(live)}
    assert live_ids_of(fifth) == live
    assert fifth.index.committed is False
    withheld = [s for s in fifth.url_states.values() if s["status"] == "live" and s["record_id"]]
    assert withheld and all(
        (s["last_error"] or "").startswith("removal withheld") for s in withheld
    )


def test_a_site_that_is_down_removes_nothing(site_history: SiteHistory) -> None:
    fifth, sixth = site_history.runs[4:6]
    assert not sixth.summary.complete
    assert sixth.report.counts["nij"]["failed"] >= len(live_ids_of(fifth))
    assert changed_ids(sixth) == ([], [], [])
    assert live_ids_of(sixth) == live_ids_of(fifth)
    assert sixth.index.committed is False
    assert "Ballistic Resistant Body Armor and the NIJ Mark" in site_history.titles("body armor")


def test_each_run_is_one_store_transaction(site_history: SiteHistory) -> None:
    for run in site_history.runs:
        ends = [sql for sql in run.statements if sql in ("BEGIN", "COMMIT", "ROLLBACK")]
        assert ends == ["BEGIN", "COMMIT"]
        assert "BEGIN" in run.statements[:2] and run.statements[-1] == "COMMIT"
        if site_history.data.store is None:  # SQLite takes the write lock at once
            assert "BEGIN IMMEDIATE" in run.statements[:2]
    with Store.open(site_history.data) as store:
        assert store.index_changes(0).last_seq == site_history.runs[-1].index.last_seq
