"""Export: JSONL / JSON / CSV written from the store, filters, and files that are never torn."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index.export import (
    DateError,
    RecordFilter,
    date_bounds,
    export_records,
    write_records,
)
from index.records import Attachment, Link, Record, record_field_names
from index.store import Store
from tests.store_builders import fetched, make_record, run_crawl


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "store.sqlite3") as opened:
        yield opened


def rich_records() -> list[Record]:
    return [
        make_record(
            "report",
            title="Évaluation des « programmes » — 2019",
            topics=("Corrections", "Reentry"),
            authors=("A. Author", "B. Author"),
            ncj_number="252984",
            details={"length_pages": "42", "series": "NIJ Journal"},
            attachments=(Attachment(url="https://x/a.pdf", title="Full report", pages=42),),
            related=(Link(url="https://x/r", title="Related", agency="NIJ"),),
            body="Line one.\nLine two, with a comma.",
        ),
        make_record(
            "formula",
            title='=HYPERLINK("http://evil", "click")',
            summary="+1 more",
            authors=("@attacker", "-minus"),
            body="\tTabbed",
            published=None,
        ),
        make_record("plain", published="2021"),
    ]


def test_jsonl_round_trip_equals_the_store(store: Store, tmp_path: Path) -> None:
    run_crawl(store, [fetched(r) for r in rich_records()])
    target = tmp_path / "out.jsonl"
    count = export_records(store.iter_records(), "jsonl", target, io.StringIO())
    lines = target.read_text(encoding="utf-8").splitlines()
    assert count == len(lines) == 3
    assert [Record.from_dict(json.loads(line)) for line in lines] == list(store.iter_records())
    assert list(json.loads(lines[0])) == list(record_field_names())


def test_json_is_one_array(store: Store) -> None:
    run_crawl(store, [fetched(r) for r in rich_records()])
    out = io.StringIO()
    write_records(store.iter_records(), "json", out)
    data = json.loads(out.getvalue())
    assert [Record.from_dict(d) for d in data] == list(store.iter_records())
    empty = io.StringIO()
    write_records([], "json", empty)
    assert json.loads(empty.getvalue()) == []


def test_csv_has_one_row_per_record_with_stable_columns(store: Store, tmp_path: Path) -> None:
    run_crawl(store, [fetched(r) for r in rich_records()])
    target = tmp_path / "out.csv"
    export_records(store.iter_records(), "csv", target, io.StringIO())
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    assert list(rows[0]) == list(record_field_names())
    report = next(row for row in rows if row["ncj_number"] == "252984")
    assert report["title"] == "Évaluation des « programmes » — 2019"
    assert report["topics"] == "Corrections; Reentry"
    assert report["body"] == "Line one.\nLine two, with a comma."
    assert json.loads(report["details"]) == {"length_pages": "42", "series": "NIJ Journal"}
    assert json.loads(report["attachments"])[0]["pages"] == 42
    assert json.loads(report["related"])[0]["title"] == "Related"
    assert report["updated"] == ""
    assert report["schema_version"] == "1"


def test_csv_neutralizes_formula_cells(store: Store) -> None:
    run_crawl(store, [fetched(r) for r in rich_records()])
    out = io.StringIO()
    write_records(store.iter_records(), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    formula = next(row for row in rows if row["url"].endswith("/formula"))
    assert formula["title"] == '\'=HYPERLINK("http://evil", "click")'
    assert formula["summary"] == "'+1 more"
    assert formula["authors"] == "'@attacker; -minus"
    assert formula["body"] == "'\tTabbed"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def records_then_failure(records: list[Record]) -> Iterator[Record]:
    yield from records
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_a_failed_export_leaves_no_file(store: Store, tmp_path: Path, fmt: str) -> None:
    run_crawl(store, [fetched(r) for r in rich_records()])
    target = tmp_path / f"out.{fmt}"
    with pytest.raises(OSError, match="No space"):
        export_records(records_then_failure(list(store.iter_records())), fmt, target, io.StringIO())
    assert list(tmp_path.glob("*out*")) == []
    # An earlier export at the same path survives a failed one untouched.
    export_records(store.iter_records(), fmt, target, io.StringIO())
    good = target.read_bytes()
    with pytest.raises(OSError):
        export_records(records_then_failure(list(store.iter_records())), fmt, target, io.StringIO())
    assert target.read_bytes() == good
    assert sorted(p.name for p in tmp_path.glob("*out*")) == [target.name]


@pytest.mark.parametrize(
    ("published", "since", "until", "matches"),
    [
        ("2019-06", "2019-06-15", None, True),  # a month overlaps a day inside it
        ("2019-06", None, "2019-06-01", True),
        ("2019-06", "2019-07", None, False),
        ("2019-06", None, "2019-05-31", False),
        ("2019", "2019-12-31", "2019-12-31", True),
        ("2019", "2020", None, False),
        ("2019-06-15", "2019-06", "2019-06", True),
        ("2019-06-15", "2019-06-16", None, False),
        ("2019-06-15", None, "2019-06-14", False),
        ("2020-01-01", "2019", "2020", True),
        (None, "1900", None, False),  # undated records never match a date range
    ],
)
def test_published_range_matches_a_record_whose_period_overlaps_it(
    store: Store, published: str | None, since: str | None, until: str | None, matches: bool
) -> None:
    record = make_record("x", published=published)
    run_crawl(store, [fetched(record)])
    found = list(store.iter_records(where=RecordFilter(since=since, until=until)))
    assert found == ([record] if matches else [])


def test_filters_combine(store: Store) -> None:
    records = [
        make_record("a", agency="NIJ", content_type="publication", published="2019"),
        make_record("b", agency="OVC", content_type="publication", published="2019"),
        make_record("c", agency="NIJ", content_type="news", published="2019"),
        make_record("d", agency="NIJ", content_type="publication", published="2015"),
    ]
    run_crawl(store, [fetched(r) for r in records])
    where = RecordFilter(agencies=["NIJ", "BJS"], types=["publication"], since="2018")
    assert [r.url for r in store.iter_records(where=where)] == [records[0].url]
    assert list(store.iter_records(where=RecordFilter(changed_since="2999"))) == []
    assert len(list(store.iter_records(where=RecordFilter(changed_since="2000-01")))) == 4
    assert list(store.iter_records(where=RecordFilter(ids=[]))) == []
    assert list(store.iter_records(where=RecordFilter(ids=[records[1].id]))) == [records[1]]


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2019", ("2019-01-01", "2019-12-31")),
        ("2020-02", ("2020-02-01", "2020-02-29")),
        ("2019-06-15", ("2019-06-15", "2019-06-15")),
    ],
)
def test_date_bounds(text: str, bounds: tuple[str, str]) -> None:
    assert date_bounds(text) == bounds


@pytest.mark.parametrize("text", ["19", "2019/06", "2019-13", "2019-02-30", "June 2019", ""])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(DateError, match="bad date"):
        date_bounds(text)
    with pytest.raises(DateError):
        RecordFilter(since=text)


def test_the_readme_documents_the_csv_columns() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("schema_version,"))
    assert header.split(",") == list(record_field_names())


@pytest.mark.parametrize("target_backend", ["sqlite", "postgresql"])
def test_export_then_import_gives_the_same_records_and_search_results(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target_backend: str,
    new_store_url: Callable[[str], str],
) -> None:
    import search_cli
    from index.datadir import DataDir
    from index.fulltext.writer import update_index

    def cli(*args: str) -> str:
        code = search_cli.main(list(args))
        out, err = capsys.readouterr()
        assert code == 0, (args, err)
        return out

    source = DataDir(tmp_path / "source").ensure()
    extra = [make_record(f"n{n}", title=f"Reentry programs study {n}") for n in range(30)]
    with Store.open(source) as store:
        run_crawl(store, [fetched(r) for r in [*rich_records(), *extra]])
        run_crawl(store, [fetched(r) for r in extra[1:]], complete=False)  # a later run
        update_index(store, source)
    exported = tmp_path / "records.jsonl"
    cli("export", "--format", "jsonl", "-o", str(exported), "--data-dir", str(source.root))

    target = tmp_path / "target"
    url = new_store_url(target_backend)
    cli("import", str(exported), "--store", url, "--data-dir", str(target))
    DataDir(target).remember("store", url=url)  # searches read the records from that store
    with Store.open(source) as a, Store(url) as b:
        assert list(b.iter_records()) == list(a.iter_records())
    for query in ("reentry", "programmes", "title:study AND published:2019", "author"):
        args = ["search", query, "--json", "--limit", "50"]
        found = cli(*args, "--data-dir", str(source.root))
        assert cli(*args, "--data-dir", str(target)) == found, query
