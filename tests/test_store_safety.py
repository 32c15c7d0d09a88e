"""Stores and indexes that are not what they seem: a zero-byte or empty store never wipes a good
index, a read-only data dir is called read-only, two rebuilds at once never damage the index, a
looping index link and text that is not UTF-8 end in one line, never a traceback."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import search_cli
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.writer import live_document_count, update_index
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, make_record, outcome, run_crawl

ROOT = Path(__file__).resolve().parent.parent
RECORDS = [
    make_record(f"report-{n}", title=f"Victim services report {n}", published="2020")
    for n in range(12)
]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in RECORDS])
        update_index(store, data)
    return data


def test_a_zero_byte_store_never_wipes_a_good_index(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    data_dir.store_path.unlink()
    data_dir.store_path.write_bytes(b"")
    code, out, err = run_cli(capsys, "rebuild", "--data-dir", str(data_dir.root))
    assert (code, out) == (ExitCode.FAILED, "")
    assert err == (
        f"Error: {data_dir.store_path} is an empty file, not an ojp-search store; move it aside "
        "and run a refresh.\n"
    )
    assert live_document_count(data_dir) == len(RECORDS)
    assert search(data_dir, SearchRequest("victim")).total == len(RECORDS)


def test_a_store_without_live_records_empties_the_index_only_when_forced(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    with Store.open(data_dir) as store:
        run_crawl(store, [outcome(r, "gone", http_status=410) for r in RECORDS])
    code, out, err = run_cli(capsys, "rebuild", "--data-dir", str(data_dir.root))
    assert (code, out) == (ExitCode.USAGE, "")
    assert err.endswith(
        f"rebuilding would empty the search index of its {len(RECORDS)} records. "
        f'Run "ojp-search rebuild --force --data-dir {data_dir.root}" to do it anyway.\n'
    )
    assert live_document_count(data_dir) == len(RECORDS)
    code, out, _ = run_cli(capsys, "rebuild", "--force", "--data-dir", str(data_dir.root))
    assert code == ExitCode.OK and out.startswith("Rebuilt the index: 0 records")
    assert live_document_count(data_dir) == 0


@contextlib.contextmanager
def read_only_mount(folder: Path) -> Iterator[None]:
    """``folder`` bind-mounted read-only over itself for the block (skips where mounting is not
    allowed)."""
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot bind-mount here: " + mounted.stderr.decode().strip().splitlines()[0])
    try:
        remount = ["mount", "-o", "remount,bind,ro", str(folder), str(folder)]
        subprocess.run(remount, check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True, capture_output=True)


def test_a_read_only_data_dir_is_read_and_called_read_only(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    where = ["--data-dir", str(data_dir.root)]
    with read_only_mount(data_dir.root):
        code, out, err = run_cli(capsys, "search", "victim", "--json", *where)
        assert (code, err) == (ExitCode.OK, "")
        assert '"total": 12' in out
        code, out, err = run_cli(capsys, "status", *where)
        assert (code, err) == (ExitCode.OK, "")
        code, out, err = run_cli(capsys, "rebuild", *where)
        assert (code, out) == (ExitCode.FAILED, "")
        assert err == (
            f"Error: the data dir {data_dir.root} is read-only. "
            "Make the data dir writable, or give another --data-dir.\n"
        )
        assert "move it aside" not in err


REBUILD = "import sys, search_cli; sys.exit(search_cli.main(sys.argv[1:]))"


@pytest.mark.slow
def test_twenty_pairs_of_concurrent_rebuilds_never_damage_the_index(data_dir: DataDir) -> None:
    damaged = []
    for trial in range(20):
        both = [
            subprocess.Popen(
                [sys.executable, "-c", REBUILD, "rebuild", "--data-dir", str(data_dir.root)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(p.wait(60), *p.communicate()) for p in both]
        for code, _, err in results:
            assert code in (ExitCode.OK, ExitCode.BUSY), err
            if code == ExitCode.BUSY:
                assert "another rebuild" in err or "another refresh or rebuild" in err, err
        assert any(code == ExitCode.OK for code, _, _ in results), results
        if search(data_dir, SearchRequest("victim")).total != len(RECORDS):
            damaged.append(trial)
    assert damaged == []


def test_a_looping_index_link_is_a_damaged_index(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    link = data_dir.index_dir
    link.unlink()
    loop = data_dir.root / "loop"
    loop.symlink_to(link)
    link.symlink_to(loop)
    code, out, err = run_cli(capsys, "search", "victim", "--data-dir", str(data_dir.root))
    assert (code, out) == (ExitCode.FAILED, "")
    assert err == (
        f"Error: the search index in {link} is damaged. "
        f'Run "ojp-search rebuild --data-dir {data_dir.root}".\n'
    )
    code, out, _ = run_cli(capsys, "rebuild", "--data-dir", str(data_dir.root))
    assert code == ExitCode.OK
    assert search(data_dir, SearchRequest("victim")).total == len(RECORDS)


def test_text_that_is_not_utf8_shows_with_replacement_characters(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    record = RECORDS[0]
    with contextlib.closing(sqlite3.connect(data_dir.store_path)) as conn, conn:
        data = conn.execute("SELECT data FROM records WHERE id = ?", (record.id,)).fetchone()[0]
        broken = data.encode().replace(b"Victim", b"Vict\xff\xfem")
        conn.execute("UPDATE records SET data = CAST(? AS TEXT) WHERE id = ?", (broken, record.id))
    code, out, err = run_cli(capsys, "show", record.id, "--data-dir", str(data_dir.root))
    assert (code, err) == (ExitCode.OK, "")
    assert "Vict\ufffd\ufffdm services report 0" in out
