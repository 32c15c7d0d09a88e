"""Terminal and file safety: crawled text prints inert in every command, JSON escapes controls
losslessly, and `export -o` replaces only regular files, atomically, keeping their mode."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import search_cli
from index.datadir import DataDir
from index.fulltext.writer import update_index
from index.records import Record
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, make_record, outcome, run_crawl

ROOT = Path(__file__).resolve().parent.parent
ESCAPES = ("\x1b[31m", "\x1b]0;owned\x07", "\x9b2J", "\u202e", "\u2066", "\x00")
HOSTILE = make_record(
    "hostile",
    title="Evil \x1b[31mred\x1b[0m title \u202eexe.txt",
    summary="Bidi \u2066isolate\u2069 and \x9b2J C1.",
    body="Hostile \x1b]0;owned\x07 text.",
    topics=("Topic \u202e",),
)
FAILING = "https://www.ojp.gov/\x1b[2Jfailing\u202e"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def inert(text: str) -> bool:
    return not any(sequence in text for sequence in ESCAPES) and "\x1b" not in text


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        run_crawl(
            store, [fetched(HOSTILE), outcome(FAILING, "failed", error="HTTP 503 \x1b[5m\u202e")]
        )
        update_index(store, data)
    return data


@pytest.mark.parametrize(
    "command",
    [["status"], ["show", HOSTILE.id], ["search", "hostile"], ["changes"]],
    ids=lambda c: c[0],
)
def test_crawled_text_prints_inert(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, command: list[str]
) -> None:
    code, out, err = run_cli(capsys, *command, "--data-dir", str(data_dir.root))
    assert code == ExitCode.OK, err
    assert out.strip()
    assert inert(out), repr(out)
    assert inert(err), repr(err)  # search says its counts and facets on stderr when piped


@pytest.mark.parametrize(
    "command",
    [
        ["show", HOSTILE.id, "--json"],
        ["search", "hostile", "--json"],
        ["export"],
        ["status", "--json"],
    ],
    ids=lambda c: " ".join(c[:1]) + (" json" if "--json" in c else ""),
)
def test_json_escapes_controls_and_reads_back_the_exact_text(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, command: list[str]
) -> None:
    code, out, _ = run_cli(capsys, *command, "--data-dir", str(data_dir.root))
    assert code == ExitCode.OK
    assert inert(out), repr(out)
    text = json.dumps([json.loads(line) for line in out.splitlines()], ensure_ascii=False)
    if command[0] in ("show", "export"):
        assert "\u202eexe.txt" in text  # lossless: the reader gets the page's own text back


def test_csv_on_a_terminal_is_inert_but_exact_in_a_file(data_dir: DataDir, tmp_path: Path) -> None:
    """On a pty the CSV shows controls as spaces; written to a file it keeps the exact text."""
    import pty

    script = "import sys, search_cli; sys.exit(search_cli.main(sys.argv[1:]))"
    args = [sys.executable, "-c", script, "export", "-f", "csv", "--data-dir", str(data_dir.root)]
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=ROOT, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(30) == 0
    os.close(leader)
    assert b"Evil" in shown and b"\x1b" not in shown and "\u202e".encode() not in shown
    target = tmp_path / "out.csv"
    assert search_cli.main(["export", "-o", str(target), "--data-dir", str(data_dir.root)]) == 0
    assert "\u202eexe.txt" in target.read_text(encoding="utf-8")


# -- export -o -------------------------------------------------------------------------------


def export_to(data_dir: DataDir, target: Path | str, *extra: str) -> int:
    return search_cli.main(["export", "-o", str(target), *extra, "--data-dir", str(data_dir.root)])


def test_a_symlink_target_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("keep me\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    code = export_to(data_dir, link)
    _, err = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert (
        err == f"Error: cannot write {link}: it is a symbolic link; give the file it points to.\n"
    )
    assert link.is_symlink() and real.read_text() == "keep me\n"


def test_a_fifo_or_device_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    for target in (fifo, Path(os.devnull)):
        code = export_to(data_dir, target)
        _, err = capsys.readouterr()
        assert code == ExitCode.USAGE
        assert err == (
            f"Error: cannot write {target}: it is not a regular file; write to stdout with -o -.\n"
        )
    assert fifo.exists() and not fifo.is_file()
    assert Path(os.devnull).is_char_device()


def test_a_private_file_stays_private(data_dir: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "private.jsonl"
    target.write_text("old\n")
    target.chmod(0o600)
    assert export_to(data_dir, target) == ExitCode.OK
    assert oct(target.stat().st_mode & 0o777) == oct(0o600)
    assert json.loads(target.read_text().splitlines()[0])["id"]


@pytest.mark.parametrize(
    ("name", "fmt", "expected"),
    [("records.csv", None, "csv"), ("records.JSON", None, "json"), ("r.ndjson", None, "jsonl")],
)
def test_the_format_comes_from_the_extension(
    data_dir: DataDir, tmp_path: Path, name: str, fmt: str | None, expected: str
) -> None:
    target = tmp_path / name
    assert export_to(data_dir, target) == ExitCode.OK
    text = target.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    shapes = {
        "csv": first.startswith("schema_version,id,"),
        "json": text.startswith("["),
        "jsonl": first[0] == "{",
    }
    assert [shape for shape, hit in shapes.items() if hit] == [expected]


def test_a_format_that_contradicts_the_extension_is_refused(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    target = tmp_path / "records.csv"
    assert export_to(data_dir, target, "--format", "JSONL") == ExitCode.USAGE
    _, err = capsys.readouterr()
    assert err == (
        "Error: the format jsonl does not match the file name records.csv; "
        "name it *.jsonl or give --format csv.\n"
    )
    assert not target.exists()
    assert export_to(data_dir, tmp_path / "records.txt", "-f", "CSV") == ExitCode.OK


def big_store(root: Path) -> DataDir:
    data = DataDir(root).ensure()
    records: list[Record] = [
        make_record(f"big-{n}", title=f"Report {n}", body=f"word{n} " * 4000) for n in range(1500)
    ]
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in records])
    return data


def test_an_export_killed_midway_leaves_the_old_file_and_the_next_cleans_up(
    tmp_path: Path,
) -> None:
    data = big_store(tmp_path / "data")
    target = tmp_path / "out.jsonl"
    target.write_text("the previous export\n")
    script = "import sys, search_cli; sys.exit(search_cli.main(sys.argv[1:]))"
    args = [sys.executable, "-c", script, "export", "-o", str(target), "--data-dir", str(data.root)]
    process = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    temporaries: list[Path] = []
    while time.monotonic() < deadline and not temporaries:
        temporaries = [p for p in tmp_path.glob(".out.jsonl.*.tmp") if p.stat().st_size > 0]
        time.sleep(0.01)
    assert temporaries, "the export never started writing"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert target.read_text() == "the previous export\n"
    assert list(tmp_path.glob(".out.jsonl.*.tmp"))  # what the killed export left behind
    assert search_cli.main(["export", "-o", str(target), "--data-dir", str(data.root)]) == 0
    assert list(tmp_path.glob(".out.jsonl.*.tmp")) == []
    assert len(target.read_text().splitlines()) == 1500
