"""Records right on every kind of page, through two refreshes of the sample site and the CLI:
agencies no label names, subpage titles, byline and "Date Created" dates, press releases and
archived pages, journal citations, legacy text files, one record per listing and per PDF; and
questions typed as staff ask them (the best partial matches, said so)."""

from __future__ import annotations

import datetime as dt
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


def paths(hits: list[Any]) -> list[str]:
    return ["/" + h["url"].split("/", 3)[3] for h in hits]


def test_funding_by_its_closing_date(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    next_year = dt.date.today().year + 1
    hits, _ = refreshed.search(capsys, "--type", "funding", "--open")
    assert paths(hits) == ["/bja/funding/opportunities/o-bja-2026-172614"]
    assert hits[0]["closing"] == f"{next_year}-03-03"
    # Closed ones by their closing date, soonest first; landing pages without one are left out.
    hits, summary = refreshed.search(
        capsys, "--closing-before", str(next_year - 1), "--sort", "closing", "--limit", "50"
    )
    closing = [h["closing"] for h in hits]
    assert len(closing) == summary["total"] >= 5
    assert closing == sorted(closing) and all(c < f"{next_year}" for c in closing)
    assert "/bja/funding/opportunities/o-bja-2023-171861" in paths(hits)
    # Sorted by closing date, funding without one comes last.
    hits, _ = refreshed.search(capsys, "--type", "funding", "--sort", "closing", "--limit", "50")
    dated = [h["closing"] for h in hits if h["closing"]]
    assert dated == sorted(dated) and dated[-1] == f"{next_year}-03-03"
    assert [bool(h["closing"]) for h in hits] == sorted(
        (bool(h["closing"]) for h in hits), reverse=True
    )
    # ``closing:`` is a field too.
    hits, _ = refreshed.search(capsys, f"closing:{next_year}")
    assert paths(hits) == ["/bja/funding/opportunities/o-bja-2026-172614"]
    # ... and export takes the same filters.
    code, out, err = cli(capsys, "export", "--open", "--format", "jsonl", *refreshed.data)
    assert code == 0, err
    exported = [json.loads(line) for line in out.splitlines()]
    assert [r["opportunity_id"] for r in exported] == ["O-BJA-2026-172614"]


def test_events_by_their_own_dates(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str]
) -> None:
    next_year = dt.date.today().year + 1
    hits, _ = refreshed.search(capsys, "--upcoming")
    assert paths(hits) == ["/events/cossup-national-forum"]
    assert hits[0]["event_dates"] == f"{next_year}-04-14/{next_year}-04-16"
    hits, _ = refreshed.search(
        capsys, "--event-from", "2023", "--event-until", "2024-06", "--sort", "event"
    )
    assert paths(hits) == [
        "/nij/events/conference-2023",
        "/nij/events/research-practitioner-forum-2024",
    ]
    hits, _ = refreshed.search(capsys, "--type", "event", "--sort", "event")
    starts = [h["event_dates"][:10] for h in hits]
    assert starts == sorted(starts) and len(starts) >= 5
    hits, _ = refreshed.search(capsys, "opioid event:2019")
    assert paths(hits) == [
        "/events/2019-national-opioid-and-emerging-drug-threats-policy-practice-forum"
    ]
    # An event spanning a range overlaps a day inside it.
    hits, _ = refreshed.search(capsys, f"event:{next_year}-04-15")
    assert paths(hits) == ["/events/cossup-national-forum"]


def test_the_library_fields(refreshed: Refreshed, capsys: pytest.CaptureFixture[str]) -> None:
    abstracts = "/ncjrs/virtual-library/abstracts/"
    hits, _ = refreshed.search(capsys, 'journal:"drug issues"')
    assert paths(hits) == [abstracts + "law-enforcement-naloxone-programs-opioid-overdose"]
    hits, _ = refreshed.search(capsys, "journal:criminology volume:19 issue:3")
    assert paths(hits) == [abstracts + "police-legitimacy-procedural-justice-review"]
    assert refreshed.search(capsys, "journal:criminology volume:20")[1]["total"] == 0
    hits, _ = refreshed.search(capsys, 'series:"special report"')
    assert paths(hits) == [
        "/nij/library/publications/national-best-practices-sexual-assault-kits-multidisciplinary-approach"
    ]
    hits, _ = refreshed.search(capsys, "pages:200..", "--type", "publication")
    assert paths(hits) == [abstracts + "labor-trafficking-investigations-screening-tool"]
    # Language: the Spanish abstract alone, and not among the English records.
    hits, _ = refreshed.search(capsys, "--language", "es")
    assert paths(hits) == [abstracts + "que-puede-hacer-si-usted-es-victima-de-un-delito"]
    hits, summary = refreshed.search(
        capsys, "víctima OR victims", "--language", "EN", "--limit", "100"
    )
    assert summary["total"] > 5 and not any("que-puede" in p for p in paths(hits))
    code, _, err = cli(capsys, "search", "--language", "english!", *refreshed.data)
    assert (code, err) == (
        2,
        "Error: unknown language 'english!': use a language code, e.g. en or es.\n",
    )


def test_full_text_and_date_added(
    refreshed: Refreshed, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    records = {r["url"]: r for r in refreshed.export(capsys, tmp_path)}
    hits, summary = refreshed.search(
        capsys, "--full-text", "--type", "publication", "--limit", "100"
    )
    readable = {
        url
        for url, r in records.items()
        if r["content_type"] == "publication" and any(a["text"] for a in r["attachments"])
    }
    assert {h["url"] for h in hits} == readable and summary["total"] == len(readable) >= 3
    # Date added: when ojp-search first saw the record (today, for this data dir).
    today = dt.date.today().isoformat()
    hits, summary = refreshed.search(capsys, "--added-since", today, "--sort", "added")
    assert summary["total"] == len(records) and all(h["added"] == today for h in hits)
    assert refreshed.search(capsys, "--added-since", str(dt.date.today().year + 1))[1]["total"] == 0
    hits, _ = refreshed.search(capsys, f"trafficking added:{today}")
    assert hits and all(h["added"] == today for h in hits)
