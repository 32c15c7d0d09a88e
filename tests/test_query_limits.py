"""Queries from anyone: a query past the size, word or nesting bounds is refused in one line,
at once; within the bounds, long queries stay fast because every step is linear."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import search_cli
from index.datadir import DataDir
from index.fulltext.query import MAX_NESTING, MAX_QUERY_CHARS, MAX_QUERY_WORDS
from index.fulltext.writer import update_index
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, make_record, run_crawl

WORDS = ["victim", "services", "juvenile", "justice", "reform", "forensic", "trafficking"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    data = DataDir(Path(tmp_path_factory.mktemp("limits")) / "data").ensure()
    records = [
        make_record(f"r{n}", title=f"{WORDS[n % 7]} {WORDS[(n * 3) % 7]} report {n}")
        for n in range(40)
    ]
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in records])
        update_index(store, data)
    yield data


def run_search(capsys: pytest.CaptureFixture[str], data: DataDir, query: str) -> tuple:
    started = time.monotonic()
    code = search_cli.main(["search", query, "--json", "--data-dir", str(data.root)])
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    return code, out, err, took


HUGE = {
    "100 KB query": "victim " * (100_000 // 7),
    "10,000 words": " ".join(WORDS[n % 7] for n in range(10_000)),
    "10,000 ORs": " OR ".join(WORDS[n % 7] for n in range(10_000)),
    "5,000 nested parentheses": "(" * 5_000 + "victim" + ")" * 5_000,
    "5,000 unclosed parentheses": "(" * 5_000 + "victim",
}


@pytest.mark.parametrize("name", HUGE)
def test_a_huge_query_is_refused_in_one_line_within_two_seconds(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, name: str
) -> None:
    code, out, err, took = run_search(capsys, data_dir, HUGE[name])
    assert (code, out) == (ExitCode.USAGE, "")
    assert err.startswith("Error: the query ") and err.count("\n") == 1, err
    assert took < 2.0, f"{name} took {took:.1f} s"


def test_the_bounds_are_named_in_the_message(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    _, _, err, _ = run_search(capsys, data_dir, "x" * (MAX_QUERY_CHARS + 1))
    assert f"at most {MAX_QUERY_CHARS:,}" in err
    _, _, err, _ = run_search(capsys, data_dir, "victim " * (MAX_QUERY_WORDS + 1))
    assert f"at most {MAX_QUERY_WORDS}" in err
    _, _, err, _ = run_search(capsys, data_dir, "(" * (MAX_NESTING + 1) + "victim")
    assert f"at most {MAX_NESTING}" in err


def test_queries_at_the_bounds_still_answer(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    within = {
        "many words": " ".join(WORDS[n % 7] for n in range(MAX_QUERY_WORDS)),
        "many ORs": " OR ".join(WORDS[n % 7] for n in range(MAX_QUERY_WORDS // 2)),
        "deep nesting": "(" * MAX_NESTING + "victim OR justice" + ")" * MAX_NESTING,
        "many misspellings": " OR ".join(["victm", "justce", "refrom", "forensik"] * 8),
    }
    for name, query in within.items():
        code, _, err, took = run_search(capsys, data_dir, query)
        assert (code, err) == (ExitCode.OK, ""), (name, err)
        assert took < 2.0, f"{name} took {took:.1f} s"


@pytest.mark.parametrize("args", [["--limit", "-5"], ["--limit", "0"], ["--page", "0"]])
def test_similar_and_search_refuse_counts_below_one(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, args: list[str]
) -> None:
    for command in (["search", "victim"], ["similar", "0" * 16]):
        if command[0] == "similar" and args[0] == "--page":
            continue
        code = search_cli.main([*command, *args, "--data-dir", str(data_dir.root)])
        out, err = capsys.readouterr()
        assert (code, out) == (ExitCode.USAGE, ""), (command, err)
        assert err.startswith("Error: --limit") and err.count("\n") == 1, err


def test_deep_paging_is_bounded(capsys: pytest.CaptureFixture[str], data_dir: DataDir) -> None:
    code = search_cli.main(
        ["search", "victim", "--page", "100000", "--data-dir", str(data_dir.root)]
    )
    _, err = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert "at most" in err and err.count("\n") == 1
