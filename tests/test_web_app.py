"""The web face in process (Starlette's test client over a real data dir): pages, parameters,
errors, headers, the feed, and hostile page text kept inert."""

from __future__ import annotations

import hashlib
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():  # Starlette suggests another HTTP client package; this one works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from index.datadir import DataDir
from index.fulltext.writer import rebuild_index
from index.store import Store
from tests.store_builders import fetched, make_record, outcome, run_crawl
from tests.web.support import hostile_data, run_cli, sample_data  # noqa: F401  (fixtures)
from web.app import create_app

pytestmark = pytest.mark.xdist_group("web")

ATOM = "{http://www.w3.org/2005/Atom}"
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def client(sample_data: DataDir) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(sample_data)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def hostile_client(hostile_data: DataDir) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(hostile_data)) as test_client:
        yield test_client


def test_search_page_shows_hits_facets_and_the_state_in_its_links(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "human trafficking"}).json()
    assert data["total"] > 10 and data["facets"]["agency"]["NIJ"] > 0
    answer = client.get("/", params={"q": "human trafficking", "explain": "1"})
    assert answer.status_code == 200
    html = answer.text
    assert f"{data['total']} results" in html
    assert data["hits"][0]["title"] in html
    assert "<mark>human</mark>" in html.lower() or "<mark>Human</mark>" in html
    assert "Query as run:" in html  # the parsed query, on request
    assert 'href="?q=human+trafficking&amp;agency=NIJ"' in html  # a facet is a link
    assert 'href="?q=human+trafficking&amp;since=2022&amp;until=2022"' in html  # a year facet
    assert 'rel="next" href="?q=human+trafficking&amp;page=2"' in html or "page=2" in html
    assert 'href="/export?q=human+trafficking&amp;format=csv"' in html


def test_filters_narrow_the_page_and_can_be_removed(client: TestClient) -> None:
    nij = client.get("/api/search?q=human+trafficking&agency=NIJ").json()["total"]
    html = client.get("/?q=human+trafficking&agency=NIJ").text
    assert f"{nij} result" in html
    assert 'aria-label="Remove filter Agency: NIJ"' in html
    page_two = client.get("/?q=human+trafficking&page=2").text
    assert "page 2 of " in page_two and 'rel="prev"' in page_two


def test_did_you_mean_is_a_link(client: TestClient) -> None:
    html = client.get("/?q=human+traffiking").text
    assert re.search(r'<a href="\?q=human\+trafficking">human trafficking</a>', html)


def test_an_empty_result_page_helps(client: TestClient) -> None:
    html = client.get("/?q=trafficking+zebra&agency=BJS").text
    assert "No results" in html
    assert "Search again without Agency: BJS" in html
    assert "Match any of the words" in html


def test_the_landing_page_has_a_labelled_query_box(client: TestClient) -> None:
    html = client.get("/").text
    assert '<label for="q">' in html and 'id="q"' in html
    assert "<script" not in html


def test_bad_requests_are_400_with_one_line(client: TestClient) -> None:
    answer = client.get("/api/search", params={"q": "agnecy:NIJ"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("unknown field 'agnecy'")
    assert answer.json()["kind"] == "usage"
    page = client.get("/", params={"q": "agnecy:NIJ"})
    assert page.status_code == 400 and "unknown field" in page.text
    for params in ({"q": "x", "limit": "1000"}, {"q": "x", "page": "0"}, {"q": "x", "page": "999"}):
        assert client.get("/api/search", params=params).status_code == 400
    assert client.get("/api/search", params={"q": "x" * 600}).status_code == 400
    assert client.get("/api/search").status_code == 400
    assert client.get("/api/search", params={"q": "x", "agency": "NOPE"}).status_code == 400
    assert client.get("/export", params={"q": "x", "format": "xlsx"}).status_code == 400


def test_unknown_records_and_pages_are_404(client: TestClient) -> None:
    assert client.get("/records/0000000000000000").status_code == 404
    assert client.get("/api/records/0000000000000000").json()["kind"] == "not found"
    assert client.get("/api/similar/0000000000000000").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_no_data_yet_is_503_saying_so(tmp_path: Path) -> None:
    with TestClient(create_app(DataDir(tmp_path / "empty"))) as empty:
        page = empty.get("/", params={"q": "trafficking"})
        assert page.status_code == 503 and "No data yet" in page.text
        assert empty.get("/api/status").status_code == 503
        status_page = empty.get("/status")
        assert status_page.status_code == 503 and "no data to search yet" in status_page.text
        assert empty.get("/export?q=x").status_code == 503
    assert not (tmp_path / "empty").exists()  # nothing was created


def test_a_search_past_its_time_limit_is_503(sample_data: DataDir) -> None:  # noqa: F811
    with TestClient(create_app(sample_data, timeout_s=1e-6)) as hurried:
        answer = hurried.get("/api/search", params={"q": "human trafficking"})
    assert answer.status_code == 503
    assert answer.json()["kind"] == "timeout"
    assert "did not finish within" in answer.json()["error"]


def test_read_only_and_bounded(client: TestClient, sample_data: DataDir) -> None:  # noqa: F811
    before = hashlib.sha256(sample_data.store_path.read_bytes()).hexdigest()
    assert client.post("/", data={"q": "x"}).status_code == 405
    assert client.delete("/api/records/x").status_code == 405
    assert client.get("/?q=" + "a" * 5000).status_code == 414
    for path in ("/?q=trafficking", "/status", "/changes", "/changes.atom", "/export?q=x"):
        assert client.get(path).status_code == 200
    assert hashlib.sha256(sample_data.store_path.read_bytes()).hexdigest() == before


def test_every_answer_carries_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/?q=trafficking", "/api/status", "/nope", "/static/style.css"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'none'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"


def test_record_page_labels_every_field(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "human trafficking"}).json()["hits"][0]
    html = client.get(f"/records/{hit['id']}", params={"q": "human trafficking"}).text
    for label in ("Agency", "Kind", "Published", "Topics", "NCJ number", "Record ID", "Series"):
        assert f"<dt>{label}</dt>" in html
    assert "Open the source page" in html and "Similar records" in html


def test_status_shows_runs_and_the_index(client: TestClient) -> None:
    data = client.get("/api/status").json()
    assert data["live"] > 0 and data["runs"][0]["status"] == "completed"
    assert data["index"]["documents"] > 0 and data["index"]["generation"]
    assert data["schedule"] is None
    html = client.get("/status").text
    assert "Last runs" in html and data["index"]["generation"] in html


def test_status_lists_the_removals_the_safety_valve_withheld(tmp_path: Path) -> None:
    """A run that would remove too much of a site keeps the records; the status page and the API
    list them, with the command that confirms them."""
    data_dir = DataDir(tmp_path / "data").ensure()
    pages = [make_record(f"page-{n}", title=f"Page {n} on reentry courts") for n in range(20)]
    with Store.open(data_dir) as store:
        run_crawl(store, [fetched(p) for p in pages])
        gone = [outcome(p, "gone", http_status=404) for p in pages[:4]]  # 20 % of the site
        run_crawl(store, [*gone, *map(fetched, pages[4:])], max_removal_share=0.10)
        rebuild_index(store, data_dir)
    with TestClient(create_app(data_dir)) as withheld_client:
        data = withheld_client.get("/api/status").json()
        html = withheld_client.get("/status").text
    assert sorted(url["url"] for url in data["withheld"]) == sorted(p.url for p in pages[:4])
    assert data["live"] == 20 and data["runs"][0]["withheld"] == {"nij": 4}
    assert "Removals withheld (4)" in html and "--confirm-removals" in html
    assert all(p.url in html for p in pages[:4]) and pages[4].url not in html


def test_changes_page_and_feed_for_a_query(client: TestClient) -> None:
    everything = client.get("/api/changes").json()["changes"]
    matching = client.get("/api/changes", params={"q": "trafficking"}).json()["changes"]
    assert 0 < len(matching) < len(everything)
    assert client.get("/api/changes", params={"since": "2000-01-01"}).json()["changes"]
    assert client.get("/api/changes", params={"since": "yesterday"}).status_code == 400
    assert client.get("/api/changes", params={"run": "999"}).status_code == 404
    feed = client.get("/changes.atom", params={"q": "trafficking"})
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(matching)
    assert all(e.find(f"{ATOM}link").get("href", "").startswith("http") for e in entries)


def test_hostile_text_is_inert_in_every_page(hostile_client: TestClient) -> None:
    ids = [hit["id"] for hit in hostile_client.get("/api/search?q=trafficking").json()["hits"]]
    assert len(ids) == 3
    pages = [hostile_client.get("/?q=trafficking").text, hostile_client.get("/changes").text]
    pages += [hostile_client.get(f"/records/{rid}?q=trafficking").text for rid in ids]
    for html in pages:
        assert "<script" not in html.lower()
        assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, flags=re.I)  # no handlers
        assert "<style>body" not in html
        assert not re.search(r"""href=["']?\s*(javascript|data):""", html, flags=re.I)
        assert not CONTROLS.search(html)
    assert "&lt;script&gt;window.__pwned" in pages[0]  # shown as text


def test_hostile_text_is_inert_in_the_feed(hostile_client: TestClient) -> None:
    feed = hostile_client.get("/changes.atom?q=trafficking").content
    root = ET.fromstring(feed)  # well-formed: no control characters
    titles = [e.findtext(f"{ATOM}title") or "" for e in root.findall(f"{ATOM}entry")]
    assert any("<script>" in title for title in titles)  # text, not markup
    hrefs = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    assert all(href.startswith("http") for href in hrefs)
    assert not CONTROLS.search(feed.decode())


@pytest.mark.parametrize(
    "params",
    [
        {"open": "1"},
        {"upcoming": "1", "type": "event"},
        {"q": "delito", "language": "es"},
        {"q": "recidivism", "full_text": "1"},
    ],
)
def test_the_export_of_a_filtered_search_is_the_cli_export(
    client: TestClient,
    sample_data: DataDir,  # noqa: F811
    params: dict[str, str],
) -> None:
    """The download link of a search with funding, event, language or full-text filters writes
    exactly what `ojp-search export` writes for the same flags."""
    flags = {"open": "--open", "upcoming": "--upcoming", "full_text": "--full-text"}
    args: list[str] = []
    for key, value in params.items():
        if key in flags:
            args.append(flags[key])
        else:
            args += [{"q": "--query"}.get(key, f"--{key}"), value]
    answer = client.get("/export", params={**params, "format": "jsonl"})
    assert answer.status_code == 200
    expected = run_cli("export", *args, "--format", "jsonl", "--data-dir", str(sample_data.root))
    assert answer.content == expected.stdout
    assert 1 <= answer.content.count(b"\n") < 10  # the filter narrowed the export
