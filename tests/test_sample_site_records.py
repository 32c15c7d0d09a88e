"""Records right on every kind of page, through two refreshes of the sample site and the CLI:
agencies no label names, subpage titles, byline and "Date Created" dates, press releases and
archived pages, journal citations, legacy text files, one record per listing and per PDF; and
questions typed as staff ask them (the best partial matches, said so)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import search_cli
from crawlers.sample_site import SampleSite, sites_toml

pytestmark = [pytest.mark.xdist_group("sample-records"), pytest.mark.usefixtures("prefect_harness")]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


class Refreshed:
    """A data dir refreshed twice from the whole sample site, and the CLI over it."""

    def __init__(self, data: Path) -> None:
        self.data = ["--data-dir", str(data)]

    def search(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[Any], Any]:
        code, out, err = cli(capsys, "search", *args, "--json", *self.data)
        assert code == 0, err
        *hits, summary = [json.loads(line) for line in out.splitlines()]
        return hits, summary

    def show(self, capsys: pytest.CaptureFixture[str], record_id: str) -> dict[str, Any]:
        code, out, err = cli(capsys, "show", record_id, "--json", *self.data)
        assert code == 0, err
        return dict(json.loads(out))

    def export(self, capsys: pytest.CaptureFixture[str], tmp: Path) -> list[dict[str, Any]]:
        target = tmp / "records.jsonl"
        code, _, err = cli(capsys, "export", "--format", "jsonl", "-o", str(target), *self.data)
        assert code == 0, err
        return [json.loads(line) for line in target.read_text().splitlines()]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory, sample_site: SampleSite) -> Refreshed:
    root = tmp_path_factory.mktemp("records")
    sites = root / "sites.toml"
    sites.write_text(sites_toml(sample_site.base_url), encoding="utf-8")
    for _ in range(2):
        code = search_cli.main(
            ["refresh", "--sites-file", str(sites), "--data-dir", str(root / "data")]
        )
        assert code == 0
    return Refreshed(root / "data")


def by_path(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {"/" + r["url"].split("/", 3)[3]: r for r in records}


def test_records_of_the_awkward_pages(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = by_path(refreshed.export(capsys, tmp_path))
    abstracts = "/ncjrs/virtual-library/abstracts/"
    jail = records[abstracts + "jail-inmates-2022-statistical-tables"]
    assert jail["agency"] == "BJS"
    assert jail["details"]["agency_evidence"].startswith("annotation: This U.S. Bureau")
    needs = records["/library/publications/forensic-science-technology-needs-assessment"]
    assert needs["agency"] == "NIJ"
    legitimacy = records[abstracts + "police-legitimacy-procedural-justice-review"]
    assert legitimacy["agency"] == "NCJRS"
    assert legitimacy["details"]["journal"] == "Criminology & Public Policy"
    assert (legitimacy["details"]["volume"], legitimacy["details"]["issue"]) == ("19", "3")
    assert legitimacy["details"]["journal_pages"] == "789-811"
    assert legitimacy["authors"] == ["Justin Nix", "Scott E. Wolfe"]

    assert records["/feature/elder-abuse/overview"]["title"] == "Elder Abuse: Overview"
    assert records["/feature/human-trafficking/overview"]["title"] == (
        "Human Trafficking: Overview"
    )
    vtt = records["/ovc/program/vtt/what-is-vicarious-trauma"]
    assert vtt["title"] == "The Vicarious Trauma Toolkit: What Is Vicarious Trauma?"

    blog = records["/news/ojp-blogs/reentry-week-second-chances"]
    assert (blog["published"], blog["authors"]) == ("2017-01-11", [])
    forum = records["/nij/events/research-practitioner-forum-2024"]
    assert forum["published"] == "2024-01-22"
    assert forum["details"]["event_dates"] == "2024-04-09/2024-04-11"

    release = records["/bjs/press-release/violent-victimization-rate-increased-2022"]
    assert (release["content_type"], release["published"]) == ("news", "2023-09-14")
    archived = records["/sites/g/files/xyckuh241/files/archives/pressreleases/2012/ojp12026.htm"]
    assert (archived["content_type"], archived["published"]) == ("archive", "2012-03-29")

    guide = records["/txtfiles1/bjs/187735.txt"]
    assert (guide["content_type"], guide["agency"]) == ("publication", "BJS")
    assert (guide["title"], guide["ncj_number"], guide["published"]) == (
        "Guide to the BJS Website",
        "187735",
        "2002-12",
    )


def test_one_item_one_record_after_two_refreshes(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = refreshed.export(capsys, tmp_path)
    assert not [r["url"] for r in records if "page=" in r["url"]]
    listings = [r for r in records if r["title"] == "Human trafficking"]
    assert len(listings) == 1
    attached = {a["url"] for r in records for a in r["attachments"]}
    standalone = {r["url"] for r in records if r["content_type"] == "document"}
    assert not attached & standalone
    code, out, err = cli(capsys, "status", *refreshed.data)
    assert code == 0, err
    assert "removal withheld" not in out
    runs = [line.split() for line in out.splitlines() if line.split()[1:2] == ["completed"]]
    assert len(runs) == 2 and all(row[-1] == "0" for row in runs), out


def test_filters_find_what_the_pages_say(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    hits, _ = refreshed.search(capsys, "jail inmates", "--agency", "BJS")
    assert "Jail Inmates in 2022 - Statistical Tables" in [h["title"] for h in hits]
    hits, _ = refreshed.search(capsys, "reentry", "--since", "2017-01", "--until", "2017-01")
    assert [h["title"] for h in hits] == ["Reentry Week: Second Chances"]
    hits, _ = refreshed.search(capsys, '"Criminology & Public Policy"')
    assert [h["title"] for h in hits][:1] == ["Police Legitimacy and Procedural Justice: A Review"]
    hits, _ = refreshed.search(capsys, "elder abuse", "--type", "feature")
    assert {h["title"] for h in hits} >= {"Elder Abuse: Overview", "Elder Abuse: Resources"}


#: Questions and multi-word queries as staff type them, and a page any good answer includes.
QUESTIONS = [
    ("how do I apply for NIJ funding?", "/funding/"),
    ("what works to reduce youth gang violence?", "/ojjdp"),
    ("where can I find human trafficking task force guides?", "trafficking"),
    ("what is vicarious trauma?", "/ovc/program/vtt/"),
    ("how many people are held in jail?", "jail-inmates-2022"),
    ("who funds crime laboratory technology needs?", "forensic-science-technology"),
    ("elder abuse financial exploitation prosecution statistics", "elder"),
    ("body worn cameras cost benefits rural agencies", "body-worn-cameras"),
    ("sexual assault kit backlog testing rural", "sexual-assault-kits"),
    ("OVC grants for human trafficking victims services 2024", "/ovc/"),
    ("what does procedural justice mean for police legitimacy?", "police-legitimacy"),
    ("recidivism of prisoners released in 2012 follow up", "recidivism"),
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_questions_show_the_best_partial_matches(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str], question: str, expected: str
) -> None:
    hits, summary = refreshed.search(capsys, question, "--limit", "5")
    assert hits, f"{question!r} found nothing"
    assert any(expected in h["url"] for h in hits), [h["url"] for h in hits]
    if summary["partial"]:
        assert summary["notice"] == (
            "No record has all the words; showing records with most of them."
        )


def test_questions_that_no_record_answers_whole_fall_back_and_say_so(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    partial = [q for q, _ in QUESTIONS if refreshed.search(capsys, q)[1]["partial"]]
    assert len(partial) >= 5, partial
    hits, summary = refreshed.search(capsys, "elder abuse")
    assert hits and not summary["partial"] and summary["notice"] is None


def test_the_table_says_when_hits_have_most_of_the_words(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        capsys,
        "search",
        "elder abuse financial exploitation prosecution statistics",
        *refreshed.data,
    )
    assert code == 0, err
    assert "No record has all the words; showing records with most of them." in out + err
    code, out, err = cli(capsys, "search", '"no such phrase anywhere"', *refreshed.data)
    assert "most of them" not in out + err
