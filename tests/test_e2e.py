"""End to end through the command line, as a user would: serve the sample site, refresh, then
search, show, export (JSONL and CSV) and status, checking the records themselves."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

import search_cli

pytestmark = [pytest.mark.xdist_group("e2e"), pytest.mark.usefixtures("prefect_harness")]

FIGHT = "The Fight Against Human Trafficking"
BANNER = ("official website of the United States", "Here's how you know", "Skip to main content")


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_refresh_then_search_show_export_and_status(
    tmp_path: Path, sample_sites_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]

    code, out, err = run_cli(
        capsys,
        "refresh",
        "--sites-file",
        str(sample_sites_file),
        "--site",
        "nij",
        "--site",
        "ovc",
        *data,
    )
    assert code == 0, err
    assert out.startswith("Refresh run 1: completed")
    assert (
        "site   fetched  not modified  skipped  added  changed  unchanged  removed  failed" in out
    )
    assert "nij: crawling" in err and "ovc: crawling" in err
    assert "nij: done, " in err and "ovc: done, " in err

    # search: real titles, agencies and kinds, no banner text
    code, out, _ = run_cli(capsys, "search", "human trafficking", "--json", "--limit", "50", *data)
    assert code == 0
    *lines, summary = [json.loads(line) for line in out.splitlines()]
    hits = {hit["title"]: hit for hit in lines}
    assert hits[FIGHT]["agency"] == "NIJ"
    assert hits[FIGHT]["content_type"] == "publication"
    assert hits[FIGHT]["published"] == "2019-06-01"
    assert hits["Overview of Human Trafficking and NIJ’s Role"]["content_type"] == "article"
    assert hits["OVC FY24 Services for Victims of Human Trafficking"]["agency"] == "OVC"
    assert summary["facets"]["agency"] == Counter(hit["agency"] for hit in lines)
    assert not any(b in hit["title"] + hit["snippet"] for hit in lines for b in BANNER)

    # show: the whole record from the store
    code, out, _ = run_cli(capsys, "show", hits[FIGHT]["id"], "--json", *data)
    assert code == 0
    record = json.loads(out)
    assert record["ncj_number"] == "252984"
    assert record["site"] == "nij"
    assert record["url"] == hits[FIGHT]["url"]
    assert "five areas of NIJ research on human trafficking" in record["body"]
    assert not any(b in record["body"] for b in BANNER)

    # export: JSONL and CSV hold every live record, with the same facts
    jsonl, table = tmp_path / "records.jsonl", tmp_path / "records.csv"
    assert run_cli(capsys, "export", "--format", "jsonl", "-o", str(jsonl), *data)[0] == 0
    assert run_cli(capsys, "export", "--format", "csv", "-o", str(table), *data)[0] == 0
    exported = {r["id"]: r for r in map(json.loads, jsonl.read_text().splitlines())}
    with table.open(newline="", encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows.keys() == exported.keys()
    assert exported[record["id"]]["ncj_number"] == rows[record["id"]]["ncj_number"] == "252984"
    funding = [r for r in exported.values() if r["opportunity_id"] == "O-OVC-2024-172012"]
    assert [r["title"] for r in funding] == ["OVC FY24 Services for Victims of Human Trafficking"]
    assert funding[0]["content_type"] == "funding" and funding[0]["published"] == "2024-01-24"
    assert {r["agency"] for r in exported.values()} == {"NIJ", "OVC"}

    # status: the same counts, and the run
    code, out, _ = run_cli(capsys, "status", "--json", *data)
    assert code == 0
    status = json.loads(out)
    assert status["live"] == len(exported)
    assert status["by_agency"] == {
        agency: sum(r["agency"] == agency for r in exported.values()) for agency in ("NIJ", "OVC")
    }
    assert [(run["run_id"], run["status"]) for run in status["runs"]] == [(1, "completed")]
    assert status["runs"][0]["totals"]["added"] == len(exported)
