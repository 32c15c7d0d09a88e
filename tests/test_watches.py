"""Saved searches through the CLI over two refreshes of a changing sample site: `watch add`,
`list`, `show --new` (exactly what was added, changed into a match, changed, removed), the run
report naming them, the web service's Atom feed of a saved search, and the one-line errors."""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # Starlette suggests another HTTP client package; this one works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import search_cli
from crawlers.sample_site import sites_toml
from index.datadir import DataDir
from tests.test_flows import latest_report_artifact
from web.app import create_app

pytestmark = pytest.mark.xdist_group("watches")

ATOM = "{http://www.w3.org/2005/Atom}"
VTT = "/ovc/program/vtt/"
NEW_PAGE = VTT + "for-victim-service-providers"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def change_the_site(site: Any) -> None:
    """The second version of OVC's site: one matching page added, one page changed into a
    match, one matching page changed, one matching page removed, and one unrelated change."""
    page = site.file(VTT + "what-is-vicarious-trauma").read_text(encoding="utf-8")
    added = page.replace("what-is-vicarious-trauma", NEW_PAGE.rsplit("/", 1)[1]).replace(
        "What Is Vicarious Trauma?", "Vicarious Trauma Resources for Victim Service Providers"
    )
    site.write(NEW_PAGE, added, touch_sitemap=False)
    site.edit(
        "/ovc/sitemap.xml",
        "</urlset>",
        f"<url><loc>{{{{BASE_URL}}}}{NEW_PAGE}</loc><lastmod>2026-01-05</lastmod></url></urlset>",
        touch_sitemap=False,
    )
    about = site.file("/ovc/about").read_text(encoding="utf-8")
    first_paragraph = re.search(r"<p>[^<]{40,}</p>", about)
    assert first_paragraph is not None
    site.edit(
        "/ovc/about",
        first_paragraph.group(),
        first_paragraph.group()
        + "<p>OVC's Vicarious Trauma Toolkit helps organizations support their staff.</p>",
    )
    site.edit(
        VTT + "what-is-vicarious-trauma",
        "and other allied professions,",
        "and other allied professions, including probation and parole officers,",
    )
    site.remove(VTT + "about-the-toolkit")
    site.set_lastmod(VTT + "about-the-toolkit", "2026-01-05")  # so that the crawl asks again
    site.edit(
        "/ovc/funding/funding-resources",
        "</main>",
        "<p>Applicants should register in SAM.gov early.</p></main>",
    )


@pytest.mark.usefixtures("prefect_harness")
def test_a_saved_search_reports_what_two_refreshes_changed(
    tmp_path: Path, editable_site: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(sites_toml(editable_site.base_url), encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    refresh = ["refresh", "--site", "ovc", "--sites-file", str(sites_file), *data]

    code, _, err = cli(capsys, "watch", "add", "vtt", '"vicarious trauma"', *data)
    assert (code, err) == (search_cli.ExitCode.NO_DATA, err)  # no store yet: nothing saved
    assert err.startswith("Error: no store in ") and err.count("\n") == 1

    assert cli(capsys, *refresh)[0] == 0
    code, out, err = cli(
        capsys, "watch", "add", "vtt", '"vicarious trauma"', "--agency", "OVC", *data
    )
    assert code == 0, err
    assert out.startswith("Saved search 'vtt': 3 record(s) match it now.")
    code, out, _ = cli(capsys, "watch", "show", "vtt", "--json", *data)
    *hits, summary = json_lines(out)
    assert summary["total"] == 3
    assert {path_of(h["url"]) for h in hits} == {
        "/ovc/",  # its link list names the toolkit
        VTT + "about-the-toolkit",
        VTT + "what-is-vicarious-trauma",
    }
    code, out, _ = cli(capsys, "watch", "show", "vtt", "--new", *data)
    assert (
        out == "Nothing new for 'vtt' since you last looked.\n"
    )  # what matched at once is not news

    change_the_site(editable_site)
    code, report, err = cli(capsys, *refresh)
    assert code == 0, err

    code, out, _ = cli(capsys, "watch", "show", "vtt", "--new", "--json", *data)
    events = {(e["event"], path_of(e["url"])) for e in json_lines(out)}
    assert events == {
        ("new", NEW_PAGE),  # added
        ("new", "/ovc/about"),  # changed into a match
        ("changed", VTT + "what-is-vicarious-trauma"),  # matched, changed, still matches
        ("stopped", VTT + "about-the-toolkit"),  # removed
    }
    assert all(e["run_id"] == 2 and e["title"] for e in json_lines(out))
    # The run report names them, under the saved search.
    section = report.split("Saved searches:\n", 1)[1]
    assert section.startswith("  vtt (2 new, 1 changed, 1 stopped)\n")
    listed = section.split("\n\n", 1)[0].splitlines()[1:]
    assert sorted(line.split(":", 1)[0].strip() for line in listed) == [
        "changed",
        "new",
        "new",
        "stopped",
    ]
    assert any("Vicarious Trauma Resources for Victim Service Providers" in x for x in listed)
    assert any(x.startswith("    stopped: About the Toolkit http") for x in listed)
    # ... and so does the run's Prefect artifact.
    markdown = latest_report_artifact().data
    assert "## Saved searches\n\n### vtt (2 new, 1 changed, 1 stopped)\n\n- new: " in markdown
    assert "- stopped: About the Toolkit http" in markdown
    # Seen once, then gone from --new; the saved search itself stays.
    assert cli(capsys, "watch", "show", "vtt", "--new", *data)[1].startswith("Nothing new")
    code, out, _ = cli(capsys, "watch", "list", "--json", *data)
    (listed,) = json_lines(out)
    assert listed["name"] == "vtt" and listed["matches"] == 4 and listed["unseen"] == 0
    assert listed["filters"] == {"agency": ["OVC"]}

    # A rebuild of the index keeps the saved searches (they live in the store).
    assert cli(capsys, "rebuild", *data)[0] == 0
    code, out, _ = cli(capsys, "watch", "list", *data)
    assert "vtt" in out and '"vicarious trauma" --agency OVC' in out

    # The web service: each saved search is an Atom feed, and the API lists them.
    with TestClient(create_app(DataDir(tmp_path / "data"))) as client:
        feed = client.get("/watches/vtt.atom")
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("application/atom+xml")
        root = ET.fromstring(feed.content)
        titles = sorted(entry.findtext(f"{ATOM}title") or "" for entry in root.iter(f"{ATOM}entry"))
        assert len(titles) == 4
        assert any(
            t.startswith("New match: ") and "Resources for Victim Service Providers" in t
            for t in titles
        )
        assert any(t.startswith("No longer matches: ") for t in titles)
        assert client.get("/api/watches").json()["watches"][0]["name"] == "vtt"
        assert client.get("/watches/nope.atom").status_code == 404

    # Removing it removes its news too.
    code, out, _ = cli(capsys, "watch", "rm", "vtt", *data)
    assert out == "Removed saved search 'vtt'.\n"
    code, _, err = cli(capsys, "watch", "show", "vtt", "--new", *data)
    assert code == search_cli.ExitCode.NOT_FOUND
    assert err == "Error: no saved search named 'vtt'. There are none yet.\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "a/b", "x"], "Error: bad saved search name 'a/b': use 1 to 60 letters"),
        (["add", "x", "colour:red"], "Error: unknown field 'colour'."),
        (["add", "x", "dna", "--event-from", "2027-13"], "Error: bad date '2027-13' in"),
        (["show", "nope"], "Error: no saved search named 'nope'."),
    ],
)
def test_saved_search_mistakes_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    from index.store import Store

    data_dir = DataDir(tmp_path / "data")
    Store.open(data_dir).close()  # an empty store: no index yet
    code, out, err = cli(capsys, "watch", *args, "--data-dir", str(data_dir.root))
    assert code in (search_cli.ExitCode.USAGE, search_cli.ExitCode.NOT_FOUND)
    assert out == ""
    assert err.startswith(message) and err.count("\n") == 1, err


def test_a_saved_search_that_cannot_run_is_reported_and_the_others_are_checked(
    tmp_path: Path,
) -> None:
    """A saved search whose query this version no longer takes (here: written by hand with an
    unknown field) is reported with its error and left as it was; the others are checked."""
    from index.database import execute
    from index.fulltext.query import SearchRequest
    from index.fulltext.writer import update_index
    from index.store import Store
    from index.watches import add_watch, check_watches, encode_request
    from tests.store_builders import fetched, make_record, run_crawl

    data_dir = DataDir(tmp_path / "data").ensure()
    with Store.open(data_dir) as store:
        first = make_record("dna-one", title="DNA backlog reduction")
        run_crawl(store, [fetched(first)])
        update_index(store, data_dir)
        add_watch(store, data_dir, "dna", SearchRequest("dna"))
        with store.write() as conn:
            execute(
                conn,
                "INSERT INTO watches (name, request, created, checked, last_seq) "
                "VALUES ('old', :r, 'then', 'then', 0)",
                {"r": encode_request(SearchRequest("colour:red"))},
            )
        second = make_record("dna-two", title="DNA testing grants")
        run_crawl(store, [fetched(first), fetched(second)])
        update_index(store, data_dir)
        checks = {check.name: check for check in check_watches(store, data_dir, run_id=2)}
    assert checks["dna"].new == [second.id] and checks["dna"].error is None
    assert checks["old"].error is not None and checks["old"].error.startswith("unknown field")
