"""`ojp-search search / similar / rebuild` as a user runs them: output, errors, exit codes, and a
search process that never imports Scrapy or Prefect."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import search_cli
from index.datadir import DataDir
from index.fulltext.writer import live_index_path, update_index
from index.records import Record, record_id
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, run_crawl

REPO = Path(__file__).resolve().parents[1]


def rec(path: str, title: str, **kw: object) -> Record:
    url = f"https://www.ojp.gov/{path}"
    fields: dict = {"agency": "NIJ", "content_type": "publication", "site": "ojp"}
    fields.update(kw)
    return Record(id=record_id(url), url=url, title=title, **fields).with_hash()


DNA = rec(
    "nij/forensic-dna",
    "Forensic DNA Backlog",
    summary="Reducing the DNA backlog.",
    body="Laboratories reduce the forensic DNA backlog with capacity grants.",
    published="2021-03-02",
)
LAB = rec(
    "nij/crime-labs",
    "Crime Laboratory Capacity",
    summary="Crime laboratories and forensic capacity.",
    body="Forensic laboratories, DNA capacity and backlog reduction.",
    published="2018",
)
HOSTILE = rec(
    "nij/hostile",
    "Evil \x1b[31mred\x1b[0m title\x9b2J",
    body="Hostile \x1b]0;owned\x07 text about forensic capacity.",
    published="2010",
)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    data_dir = DataDir(Path(tmp_path_factory.mktemp("cli")) / "data").ensure()
    with Store.open(data_dir) as store:
        run_crawl(store, [fetched(r) for r in (DNA, LAB, HOSTILE)], site="ojp")
        update_index(store, data_dir)
    yield data_dir


def run_on_pty(args: list[str], *, columns: int = 80) -> bytes:
    """What the command prints on a terminal of ``columns`` columns (a real pty)."""
    import os
    import pty

    script = "import sys, search_cli; sys.exit(search_cli.main(sys.argv[1:]))"
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args], cwd=REPO, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    process.wait(30)
    os.close(leader)
    return screen


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_piped_output_is_one_plain_line_per_hit_with_whole_urls(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    code, out, err = run(capsys, "search", "backlog", "--data-dir", str(data_dir.root))
    assert code == 0
    assert out.splitlines() == [
        f"Forensic DNA Backlog\tNIJ\tpublication\t2021-03-02\t{DNA.url}",
        f"Crime Laboratory Capacity\tNIJ\tpublication\t2018\t{LAB.url}",
    ]
    assert err.splitlines() == [
        "2 results (page 1 of 1)",
        "agency: NIJ 2 | type: publication 2 | year: 2021 1, 2018 1",
    ]


def test_a_terminal_shows_links_whole_urls_and_highlights(data_dir: DataDir) -> None:
    """On a narrow terminal each URL is still one unbroken run of text, the title is an OSC 8
    link to it, and matches are highlighted, not bracketed."""
    screen = run_on_pty(["search", "backlog", "--data-dir", str(data_dir.root)], columns=50)
    assert DNA.url.encode() in screen and LAB.url.encode() in screen
    assert b"\x1b]8;" in screen and b"Forensic DNA Backlog" in screen
    assert b"2 results (page 1 of 1)" in screen and b"agency: NIJ 2" in screen
    assert b"[[" not in screen


def test_json_lines_then_a_summary_line(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    code, out, _ = run(capsys, "search", "backlog", "--json", "--data-dir", str(data_dir.root))
    lines = [json.loads(line) for line in out.splitlines()]
    *hits, summary = lines
    assert [line["type"] for line in lines] == ["hit", "hit", "summary"]
    assert code == 0 and [h["url"] for h in hits] == [DNA.url, LAB.url]
    assert set(hits[0]) >= {"ncj_number", "topics", "authors"}
    assert set(hits[0]) >= {
        "id",
        "url",
        "title",
        "agency",
        "content_type",
        "published",
        "score",
        "snippet",
    }
    assert "[[backlog]]" in hits[0]["snippet"]
    assert summary["total"] == 2 and summary["facets"]["agency"] == {"NIJ": 2}
    assert summary["suggestion"] is None


def test_did_you_mean_and_explain(capsys: pytest.CaptureFixture[str], data_dir: DataDir) -> None:
    code, out, err = run(capsys, "search", "backlgo", "--explain", "--data-dir", str(data_dir.root))
    assert code == 0 and DNA.url in out
    assert "Parsed query: " in err
    assert "No results for 'backlgo'; showing results for 'backlog'." in err


def test_control_characters_are_stripped(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    for fmt in ([], ["--json"]):
        code, out, _ = run(capsys, "search", "hostile", *fmt, "--data-dir", str(data_dir.root))
        assert code == 0 and "Evil" in out
        assert not any(c in out for c in ("\x1b", "\x9b", "\x07"))


@pytest.mark.parametrize(
    ("args", "line", "code"),
    [
        (["search", ""], 'Error: empty query: type some words, e.g. "human trafficking".', 2),
        (
            ["search", "agnecy:nij"],
            "Error: unknown field 'agnecy'. Did you mean 'agency'? "
            "Fields: title, agency, type, topic, author, ncj, doc, published, journal, series, "
            "volume, issue, pages, language, added, closing, event.",
            2,
        ),
        (
            ["search", "dna", "--since", "x"],
            "Error: bad date 'x' in --since: use YYYY, YYYY-MM or YYYY-MM-DD.",
            2,
        ),
        (
            ["similar", "ffffffffffffffff"],
            "Error: no record with id 'ffffffffffffffff' in the index. "
            'Find ids with "ojp-search search QUERY --json".',
            4,
        ),
    ],
)
def test_errors_are_one_line_with_an_exit_code(
    capsys: pytest.CaptureFixture[str],
    data_dir: DataDir,
    args: list[str],
    line: str,
    code: int,
) -> None:
    got, out, err = run(capsys, *args, "--data-dir", str(data_dir.root))
    assert (got, out, err) == (code, "", line + "\n")


def test_missing_and_damaged_index(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = DataDir(tmp_path / "empty")
    code, _, err = run(capsys, "search", "dna", "--data-dir", str(empty.root))
    assert code == ExitCode.NO_DATA
    assert err == (
        f"Error: no search index in {empty.index_dir}. "
        f'Run "ojp-search refresh --data-dir {empty.root}" first.\n'
    )

    with Store.open(empty.ensure()) as store:
        update_index(store, empty)
    for toc in live_index_path(empty).glob("*.toc"):
        toc.write_bytes(b"junk")
    code, _, err = run(capsys, "search", "dna", "--data-dir", str(empty.root))
    assert code == ExitCode.FAILED
    assert err == (
        f"Error: the search index in {empty.index_dir} is damaged. "
        f'Run "ojp-search rebuild --data-dir {empty.root}".\n'
    )
    code, out, _ = run(capsys, "rebuild", "--data-dir", str(empty.root))
    assert code == 0 and out.startswith("Rebuilt the index: 0 records, generation ")


def test_rebuild_prints_count_and_generation(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir
) -> None:
    code, out, _ = run(capsys, "rebuild", "--data-dir", str(data_dir.root))
    generation = live_index_path(data_dir).name
    assert (code, out) == (0, f"Rebuilt the index: 3 records, generation {generation}.\n")


def test_rebuild_without_a_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "rebuild", "--data-dir", str(tmp_path))
    assert code == ExitCode.NO_DATA
    assert err == (
        f'Error: no store in {tmp_path}. Run "ojp-search refresh --data-dir {tmp_path}" first.\n'
    )


def test_similar_lists_other_records(capsys: pytest.CaptureFixture[str], data_dir: DataDir) -> None:
    code, out, _ = run(capsys, "similar", DNA.id, "--json", "--data-dir", str(data_dir.root))
    *hits, _summary = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and hits and DNA.id not in [h["id"] for h in hits]


def test_search_imports_neither_scrapy_nor_prefect(data_dir: DataDir) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        import search_cli
        args = ["search", "backlog", "--json", "--data-dir", {str(data_dir.root)!r}]
        code = search_cli.main(args)
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"scrapy", "prefect"}})
        print("exit", code, "heavy", heavy)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "exit 0 heavy []"
    assert DNA.url in done.stdout
