"""The store commands of the CLI: show, status, changes, export (real store, real output)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import search_cli
from index.datadir import DataDir
from index.records import Record, record_field_names
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import edited, fetched, make_record, outcome, run_crawl

COMMANDS = [["status"], ["show", "abc"], ["changes"], ["export"]]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def records() -> list[Record]:
    return [
        make_record(
            "report",
            title="Body-worn cameras: a field study",
            ncj_number="252984",
            topics=("Policing", "Technology"),
            details={"length_pages": "42"},
        ),
        make_record("victims", agency="OVC", title="=Victim services", published="2021-03"),
        make_record("old", title="An old page", published="2001"),
    ]


@pytest.fixture
def data_dir(tmp_path: Path, records: list[Record]) -> Path:
    """A store with two runs: all three records added, then one changed and one removed."""
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        run_crawl(store, [fetched(r, aliases=(r.url + "-old",)) for r in records])
        report, victims, old = records
        run_crawl(
            store,
            [
                fetched(edited(report, summary="Updated.")),
                outcome(victims.url, "failed", error="HTTP 503"),
                outcome(old, "gone", http_status=404),
            ],
        )
    return data.root


@pytest.mark.parametrize("command", COMMANDS)
def test_commands_without_a_store_say_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    code, out, err = run_cli(capsys, *command, "--data-dir", str(tmp_path))
    assert code == ExitCode.NO_DATA
    assert out == ""
    assert err == (
        f'Error: no store in {tmp_path}. Run "ojp-search refresh --data-dir {tmp_path}" first.\n'
    )


def test_show_prints_every_non_empty_field(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, err = run_cli(capsys, "show", records[0].id, "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [records[0].title, records[0].url]
    assert "NCJ number:           252984" in lines
    assert "Topics:               Policing; Technology" in lines
    assert "Length (pages):       42" in lines
    assert "  Updated." in lines
    assert not any(line.startswith("Updated:") for line in lines)  # empty fields are left out
    assert not any(line.startswith(("Content hash", "Schema", "content_hash")) for line in lines)


def test_show_json_is_the_record(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, _ = run_cli(capsys, "show", records[1].url, "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert Record.from_dict(json.loads(out)).id == records[1].id


@pytest.mark.parametrize(
    "key",
    [
        "https://nij.ojp.gov/library/publications/report-old",  # an alias
        "http://www.nij.ojp.gov/library/publications/report#top",  # not canonical
    ],
)
def test_show_finds_aliases_and_other_spellings(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record], key: str
) -> None:
    code, out, _ = run_cli(capsys, "show", key, "--json", "--data-dir", str(data_dir))
    assert code == 0
    assert json.loads(out)["id"] == records[0].id


def test_show_and_similar_find_a_record_by_ncj_number_or_url(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    from index.fulltext.writer import update_index

    with Store.open(DataDir(data_dir)) as store:
        update_index(store, DataDir(data_dir))
    for key in ("252984", "NCJ 252984"):
        code, out, _ = run_cli(capsys, "show", key, "--json", "--data-dir", str(data_dir))
        assert code == 0 and json.loads(out)["id"] == records[0].id
    code, out, err = run_cli(
        capsys, "similar", records[0].url, "--json", "--data-dir", str(data_dir)
    )
    assert code == 0, err
    assert json.loads(out.splitlines()[-1])["parsed"] == f"more like {records[0].id}"


def test_show_a_gone_record_says_so(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, _ = run_cli(capsys, "show", records[2].id, "--data-dir", str(data_dir))
    assert code == 0
    assert "(status: gone: no longer on the site; kept in the store)" in out.splitlines()


def test_show_unknown_record(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run_cli(capsys, "show", "nope", "--data-dir", str(data_dir))
    assert (code, out) == (ExitCode.NOT_FOUND, "")
    assert err == (
        "Error: no record with id, URL, NCJ number or opportunity ID 'nope'. "
        'Find one with "ojp-search search <words>".\n'
    )


def test_status_json(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, _ = run_cli(capsys, "status", "--json", "--data-dir", str(data_dir))
    assert code == 0
    status = json.loads(out)
    assert (status["live"], status["gone"]) == (2, 1)
    assert status["by_agency"] == {"NIJ": 1, "OVC": 1}
    assert status["by_type"] == {"publication": 2}
    assert [run["run_id"] for run in status["runs"]] == [2, 1]
    assert status["runs"][0]["totals"]["removed"] == 1
    assert [(f["url"], f["last_error"]) for f in status["failing"]] == [
        (records[1].url, "HTTP 503")
    ]


def test_status_tables(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run_cli(capsys, "status", "--data-dir", str(data_dir))
    assert code == 0
    assert "2 live records, 1 gone." in out
    for title in (
        "Live records by agency",
        "Live records by kind",
        "Last runs",
        "Failing URLs (1)",
    ):
        assert title in out
    assert "HTTP 503" in out


def test_changes_default_to_the_last_completed_run(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, _ = run_cli(capsys, "changes", "--json", "--data-dir", str(data_dir))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["change"], r["record_id"], r["run_id"]) for r in rows] == [
        ("removed", records[2].id, 2),
        ("changed", records[0].id, 2),
    ]
    assert rows[0]["title"] == "An old page"
    code, out, _ = run_cli(capsys, "changes", "--run", "1", "--json", "--data-dir", str(data_dir))
    assert {json.loads(line)["change"] for line in out.splitlines()} == {"added"}
    code, out, _ = run_cli(capsys, "changes", "--since", "2000", "--data-dir", str(data_dir))
    assert code == 0
    assert "5 change(s)" in out
    code, out, _ = run_cli(capsys, "changes", "--since", "2999-01", "--data-dir", str(data_dir))
    assert (code, out) == (0, "No changes.\n")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["changes", "--since", "2019-13"],
            ExitCode.USAGE,
            "bad date '2019-13' in --since: month 13 is not 01-12.",
        ),
        (
            ["changes", "--since", "2020", "--run", "1"],
            ExitCode.USAGE,
            "use --since or --run, not both.",
        ),
        (
            ["changes", "--run", "9"],
            ExitCode.NOT_FOUND,
            'no run 9 in {store}. See "ojp-search status --data-dir {data}".',
        ),
        (
            ["export", "--since", "June"],
            ExitCode.USAGE,
            "bad date 'June' in --since: use YYYY, YYYY-MM or YYYY-MM-DD.",
        ),
        (
            ["export", "--changed-since", "2020-02-30"],
            ExitCode.USAGE,
            "bad date '2020-02-30' in --changed-since: 2020-02 has no day 30.",
        ),
        (
            ["export", "--format", "xml"],
            ExitCode.USAGE,
            "unknown format 'xml': use jsonl, csv, json, xlsx, ris, bibtex, csljson.",
        ),
        (
            ["export", "--agency", "FBI"],
            ExitCode.USAGE,
            "unknown agency 'FBI'. Agencies: OJP, NIJ, OVC, OJJDP, BJA, BJS, SMART, NCJRS.",
        ),
        (
            ["export", "-o", "{tmp}/missing/out.csv"],
            ExitCode.USAGE,
            "cannot write {tmp}/missing/out.csv: its folder does not exist.",
        ),
    ],
)
def test_bad_arguments_are_one_line_errors(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    args: list[str],
    code: int,
    message: str,
) -> None:
    store = DataDir(data_dir).store_path
    args = [a.format(tmp=tmp_path) for a in args]
    result, out, err = run_cli(capsys, *args, "--data-dir", str(data_dir))
    assert (result, out) == (code, "")
    assert err == f"Error: {message.format(store=store, tmp=tmp_path, data=data_dir)}\n"


def test_export_jsonl_to_stdout(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    code, out, err = run_cli(capsys, "export", "--data-dir", str(data_dir))
    assert (code, err) == (0, "")
    exported = [Record.from_json(line) for line in out.splitlines()]
    with Store(DataDir(data_dir).store_path) as store:
        assert exported == list(store.iter_records())
    assert {r.id for r in exported} == {records[0].id, records[1].id}  # live records only


def test_export_csv_file_with_filters(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, records: list[Record]
) -> None:
    target = tmp_path / "ovc.csv"
    code, out, err = run_cli(
        capsys,
        "export",
        "--format",
        "csv",
        "-o",
        str(target),
        "--agency",
        "ovc",
        "--since",
        "2021-03-15",
        "--data-dir",
        str(data_dir),
    )
    assert (code, out) == (0, "")
    assert err == f"Exported 1 record(s) to {target}.\n"
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == list(record_field_names())
    assert len(rows) == 2
    assert rows[1][rows[0].index("title")] == "'=Victim services"


def test_export_changed_since_and_type(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    args = ["export", "--changed-since", "2000", "--type", "news", "--data-dir", str(data_dir)]
    code, out, _ = run_cli(capsys, *args)
    assert (code, out) == (0, "")
    code, out, _ = run_cli(capsys, "export", "--changed-since", "2999", "--data-dir", str(data_dir))
    assert (code, out) == (0, "")
    code, out, _ = run_cli(
        capsys, "export", "--changed-since", "2000", "-o", "-", "--data-dir", str(data_dir)
    )
    assert len(out.splitlines()) == 2


def test_export_query_uses_the_index(
    capsys: pytest.CaptureFixture[str], data_dir: Path, records: list[Record]
) -> None:
    writer = pytest.importorskip("index.fulltext.writer")
    data = DataDir(data_dir)
    args = ["export", "--query", "cameras", "--data-dir", str(data_dir)]
    code, _, err = run_cli(capsys, *args)
    assert code == ExitCode.NO_DATA
    assert err.startswith("Error: no search index in ")
    with Store.open(data) as store:
        writer.update_index(store, data)
    code, out, _ = run_cli(capsys, *args)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [records[0].id]
    code, out, _ = run_cli(
        capsys, "export", "--query", "cameras", "--agency", "OVC", "--data-dir", str(data_dir)
    )
    assert (code, out) == (0, "")
