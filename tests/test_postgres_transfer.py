"""Moving a store without crawling again, between SQLite and PostgreSQL: ``ojp-search import``
(records in the export's JSONL shape, streamed) and ``ojp-search store copy --to URL``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import search_cli
from index.datadir import DataDir
from index.fulltext.writer import update_index
from index.records import Record
from index.store import Store
from index.transfer import TransferError, copy_store, import_records
from search_cli import ExitCode
from tests.store_builders import edited, fetched, make_record, outcome, run_crawl

PAIRS = [("sqlite", "postgresql"), ("postgresql", "sqlite"), ("postgresql", "postgresql")]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def records() -> list[Record]:
    return [
        make_record("cameras", title="Body-worn cameras: a field study", published="2019-06"),
        make_record("victims", agency="OVC", title="Victim services in rural areas"),
        make_record("kits", title="Sexual assault kits", ncj_number="252984"),
    ]


def filled_store(url: str) -> Store:
    """A store with history: three runs, an edit, a removal, an alias."""
    store = Store(url)
    first = records()
    run_crawl(store, [fetched(r) for r in first])
    run_crawl(
        store,
        [
            fetched(edited(first[0], summary="A new summary.")),
            fetched(first[1], aliases=("https://www.ovc.gov/rural",)),
            outcome(first[2], "gone", http_status=410),
        ],
    )
    run_crawl(store, [fetched(make_record("later"))])
    return store


def table(store: Store, name: str, order: str) -> list[dict[str, Any]]:
    with store.read() as conn:
        from index.database import execute

        return [
            dict(row) for row in execute(conn, f"SELECT * FROM {name} ORDER BY {order}").mappings()
        ]


TABLE_ORDER = {
    "records": "id",
    "url_state": "url",
    "aliases": "url",
    "runs": "id",
    "history": "id",
    "changes": "seq",
    "crawl_summaries": "run_id, site",
}


@pytest.mark.parametrize(("source_backend", "target_backend"), PAIRS, ids="-to-".join)
def test_a_copied_store_has_every_row_and_goes_on_from_where_it_was(
    source_backend: str, target_backend: str, new_store_url: Callable[[str], str]
) -> None:
    source_url, target_url = new_store_url(source_backend), new_store_url(target_backend)
    with filled_store(source_url) as source, Store(target_url) as target:
        result = copy_store(source, target)
        assert result.rows["records"] == 4 and result.rows["runs"] == 3
        for name, order in TABLE_ORDER.items():
            assert table(target, name, order) == table(source, name, order), name
        # The copy goes on like the original: the next ids follow the copied ones.
        run_id, changes = run_crawl(target, [fetched(make_record("next"))])
        assert run_id == 4
        assert target.index_changes(0).last_seq == source.index_changes(0).last_seq + 1
        assert len(changes.added) == 1


def test_a_copy_never_writes_into_a_store_that_holds_runs(
    backend: str, new_store_url: Callable[[str], str]
) -> None:
    with (
        filled_store(new_store_url("sqlite")) as source,
        filled_store(new_store_url(backend)) as target,
    ):
        before = table(target, "records", "id")
        with pytest.raises(TransferError, match=r"already holds 3 run\(s\); copy into a new"):
            copy_store(source, target)
        assert table(target, "records", "id") == before


def test_import_applies_the_sync_rules_as_one_run(store_url: str) -> None:
    with Store(store_url) as store:
        run_crawl(store, [fetched(r) for r in records()[:2]])
        lines = [
            edited(records()[0], title="Body-worn cameras, revisited").to_json(),
            records()[1].to_json(),
            "",
            records()[2].to_json(),
        ]
        result = import_records(store, io.StringIO("\n".join(lines) + "\n"), source="x.jsonl")
        assert result.records == 3
        assert result.report.status == "completed"
        assert (result.report.totals["added"], result.report.totals["changed"]) == (1, 1)
        assert result.report.totals["unchanged"] == 1
        assert result.report.sites == ["nij"]
        assert store.get(records()[0].id).title == "Body-worn cameras, revisited"
        assert store.count_records() == 3


def test_a_bad_line_imports_nothing(store_url: str) -> None:
    with Store(store_url) as store:
        good = [r.to_json() for r in records()]
        text = "\n".join([good[0], good[1], '{"id": "x", "title": 3, "oops": []', good[2]])
        with pytest.raises(
            TransferError, match=r"line 3 of bad\.jsonl is not an ojp-search record"
        ):
            import_records(store, io.StringIO(text), source="bad.jsonl")
        assert store.count_records(live_only=False) == 0
        assert store.last_runs(1)[0].status == "failed"


def test_import_and_store_copy_commands(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    backend: str,
    new_store_url: Callable[[str], str],
) -> None:
    source = tmp_path / "records.jsonl"
    source.write_text("".join(r.to_json() + "\n" for r in records()), encoding="utf-8")
    url = new_store_url(backend)
    data = tmp_path / "data"
    code, out, err = run_cli(capsys, "import", str(source), "--store", url, "--data-dir", str(data))
    assert (code, err) == (ExitCode.OK, "")
    assert out == (
        f"Imported 3 records from {source} as run 1: 3 added, 0 changed, 0 unchanged; "
        "the index holds 3 records.\n"
    )
    code, out, _ = run_cli(capsys, "search", "cameras", "--json", "--data-dir", str(data))
    assert code == ExitCode.OK and json.loads(out.splitlines()[0])["id"] == records()[0].id

    copy = new_store_url("sqlite" if backend == "postgresql" else "postgresql")
    args = ["store", "copy", "--to", copy, "--store", url, "--data-dir", str(data)]
    code, out, err = run_cli(capsys, *args)
    assert (code, err) == (ExitCode.OK, "")
    assert out.startswith("Copied ") and out.endswith(": 3 records, 3 URLs, 1 runs, 3 changes.\n")
    code, out, err = run_cli(capsys, *args)
    assert (code, out) == (ExitCode.USAGE, "")
    assert "already holds 1 run(s); copy into a new, empty store." in err

    code, out, err = run_cli(
        capsys, "import", str(tmp_path / "nope.jsonl"), "--data-dir", str(data)
    )
    assert (code, out) == (ExitCode.USAGE, "")
    assert err.startswith("Error: cannot read ") and err.count("\n") == 1


def test_a_store_copied_to_postgresql_serves_the_same_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, new_store_url: Callable[[str], str]
) -> None:
    """Move a data dir's store to PostgreSQL and point the data dir at it: the index follows."""
    data = DataDir(tmp_path / "data").ensure()
    with filled_store(f"sqlite:///{data.store_path}") as store:
        update_index(store, data)
    url = new_store_url("postgresql")
    code, _, err = run_cli(capsys, "store", "copy", "--to", url, "--data-dir", str(data.root))
    assert (code, err) == (ExitCode.OK, "")
    data.remember("store", url=url)
    code, out, err = run_cli(capsys, "status", "--json", "--data-dir", str(data.root))
    assert (code, err) == (ExitCode.OK, "")
    assert (json.loads(out)["live"], json.loads(out)["gone"]) == (3, 1)
    with Store.open(data) as store:
        assert str(store.path).startswith("postgresql://")
        run_crawl(store, [fetched(make_record("after-the-move"))])
        update = update_index(store, data)
    assert (update.upserted, update.documents) == (1, 4)
