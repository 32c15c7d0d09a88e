"""The shape the faces rely on: readers never wait on a writer, one wording per mistake across
commands, and dependencies that point one way (faces → index/, flows/; index/ → nothing of ours
above it)."""

from __future__ import annotations

import ast
import json
import sqlite3
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
from tests.store_builders import fetched, make_record, run_crawl

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def records() -> list[Record]:
    return [
        make_record("cameras", title="Body-worn cameras: a field study", published="2019-06"),
        make_record("victims", agency="OVC", title="Victim services in rural areas"),
    ]


@pytest.fixture
def data_dir(tmp_path: Path, records: list[Record]) -> DataDir:
    """A store with one completed run and its index."""
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in records])
        update_index(store, data)
    return data


# -- readers never wait on a writer ----------------------------------------------------------


def hold_write_transaction(store_path: Path) -> sqlite3.Connection:
    """Another connection in the middle of a write transaction (as a refresh applying a run)."""
    conn = sqlite3.connect(str(store_path), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE records SET data = json_set(data, '$.title', 'Half-applied title')")
    return conn


READERS = [
    ["search", "cameras", "--json"],
    ["show", "{id}", "--json"],
    ["status", "--json"],
    ["export", "--format", "jsonl"],
    ["export", "--query", "cameras"],
    ["changes", "--json"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c[:2]))
def test_readers_answer_at_once_from_the_committed_state_while_a_refresh_writes(
    capsys: pytest.CaptureFixture[str],
    data_dir: DataDir,
    records: list[Record],
    command: list[str],
) -> None:
    writer = hold_write_transaction(data_dir.store_path)
    try:
        args = [part.replace("{id}", records[0].id) for part in command]
        started = time.monotonic()
        code, out, err = run_cli(capsys, *args, "--data-dir", str(data_dir.root))
        took = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (code, err) == (ExitCode.OK, "")
    assert took < 2.0, f"{' '.join(args)} waited {took:.1f} s on the writer"
    assert out.strip()
    assert "Half-applied title" not in out  # the last committed state, never a half-applied one


def test_a_reader_never_creates_or_migrates_a_store(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "nothing-here")
    with pytest.raises(Exception, match="no store in"):
        Store.open_reader(data)
    assert not data.root.exists()


def test_a_zero_byte_store_file_is_refused_not_taken_for_a_new_store(tmp_path: Path) -> None:
    data = DataDir(tmp_path).ensure()
    data.store_path.write_bytes(b"")
    code = search_cli.main(["status", "--data-dir", str(tmp_path)])
    assert code == ExitCode.FAILED
    with pytest.raises(Exception, match="empty file, not an ojp-search store"):
        Store.open(data)
    assert data.store_path.stat().st_size == 0


# -- one wording per mistake -----------------------------------------------------------------

SAME_MISTAKES = [
    (["--since", "2019-13"], "Error: bad date '2019-13' in --since: month 13 is not 01-12.\n"),
    (["--since", "June"], "Error: bad date 'June' in --since: use YYYY, YYYY-MM or YYYY-MM-DD.\n"),
    (
        ["--until", "2020-02-30"],
        "Error: bad date '2020-02-30' in --until: 2020-02 has no day 30.\n",
    ),
    (
        ["--agency", "FBI"],
        "Error: unknown agency 'FBI'. Agencies: OJP, NIJ, OVC, OJJDP, BJA, BJS, SMART, NCJRS.\n",
    ),
    (
        ["--type", "publications"],
        "Error: unknown type 'publications'. Did you mean 'publication'? Types: ",
    ),
]
COMMANDS_TAKING = {
    "--since": [["search", "x"], ["export"], ["changes"]],
    "--until": [["search", "x"], ["export"]],
    "--agency": [["search", "x"], ["export"]],
    "--type": [["search", "x"], ["export"]],
}


@pytest.mark.parametrize(("option", "message"), SAME_MISTAKES, ids=lambda v: str(v)[:24])
def test_the_same_mistake_gets_the_same_line_from_every_command(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, option: list[str], message: str
) -> None:
    answers = set()
    for command in COMMANDS_TAKING[option[0]]:
        code, out, err = run_cli(capsys, *command, *option, "--data-dir", str(data_dir.root))
        assert (code, out) == (ExitCode.USAGE, ""), command
        assert err.startswith(message) and err.count("\n") == 1, (command, err)
        answers.add(err)
    assert len(answers) == 1, answers


# -- dependencies point one way --------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth of its code (lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def top_packages(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_the_cli_reaches_only_index_and_flows() -> None:
    ours = top_packages(imported_modules(ROOT / "search_cli.py")) & {"crawlers", "flows", "index"}
    assert ours == {"flows", "index"}


def test_index_imports_nothing_from_crawlers_or_flows() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            top_packages(imported_modules(path)) & {"crawlers", "flows"}
        )
        for path in sorted((ROOT / "index").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_search_path_imports_neither_scrapy_nor_prefect(data_dir: DataDir) -> None:
    # Nor SQLAlchemy: the hits' records are read straight from the SQLite store's file.
    args = ["search", "cameras", "--json", "--data-dir", str(data_dir.root)]
    probe = (
        "import json, sys, search_cli\n"
        f"code = search_cli.main({args!r})\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('scrapy', 'prefect', 'sqlalchemy'))\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    lines = done.stdout.strip().splitlines()
    last = json.loads(lines[-1])
    assert last == {"code": 0, "heavy": []}
    hits = [json.loads(line) for line in lines[:-1] if '"type": "hit"' in line]
    assert hits and "[[cameras]]" in hits[0]["snippet"].lower()  # the store's text was read
