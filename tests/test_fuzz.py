"""Fuzzing: 10,000 mutated or random HTML pages through the normalizer, and 10,000 random query
strings and argument combinations through ``ojp-search search``.

The normalizer must never raise, and a record it returns has a real title. The search command
must never print a traceback: every outcome is a documented exit code, an error is one line on
stderr that starts with "Error: " and names no Python exception, and ``--json`` output is JSON.
Both generators are seeded, so a failure names the case that reproduces it.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import search_cli
from crawlers.normalize import normalize_page
from index.datadir import DataDir
from index.fulltext.writer import update_index
from index.records import AGENCIES, CONTENT_TYPES, Record
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, run_crawl
from tests.test_normalize_properties import BANNER_WORDINGS, FIXTURES, URLS, check

SEED = 20261129
CASES = 10_000
FETCHED_AT = "2026-01-01T00:00:00+00:00"
PAGES = [path.read_bytes() for path in FIXTURES]

# -- HTML -----------------------------------------------------------------------------------------

SNIPPETS = [
    b"<",
    b">",
    b"</div>",
    b"<div>",
    b"<h1>",
    b"</h1>",
    b"<h1></h1>",
    b"<!--",
    b"-->",
    b"<script>",
    b"<![CDATA[",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xe2\x80\x99",
    b"\xc3\xa2\xc2\x80\xc2\x99",
    b'<meta charset="bogus">',
    b'<meta http-equiv="refresh" content="0;url=file:///etc/passwd">',
    b'<link rel="canonical" href="javascript:alert(1)">',
    b"<title>Page Not Found</title>",
    b"Date Published:",
    b"NCJ Number:",
    b"Agencies:",
    b"June 31, 2019",
    b"\x1b[2J\x1b]0;owned\x07",
    *(wording.encode("utf-8") for wording in BANNER_WORDINGS),
]


def mutated_page(rng: random.Random) -> bytes:
    """A fixture page with a few byte-level mutations: spans cut, repeated, swapped, truncated,
    and markup, mojibake, control characters or banner wording spliced in."""
    data = bytearray(rng.choice(PAGES))
    for _ in range(rng.randint(1, 6)):
        if not data:
            break
        at = rng.randrange(len(data))
        span = rng.randint(1, max(1, len(data) // 8))
        operation = rng.randrange(6)
        if operation == 0:
            del data[at : at + span]
        elif operation == 1:
            data[at:at] = data[at : at + span]
        elif operation == 2:
            data[at:at] = rng.choice(SNIPPETS)
        elif operation == 3:
            other = rng.randrange(len(data))
            a, b = sorted((at, other))
            data[a:b] = data[a:b][::-1] if rng.random() < 0.2 else data[b : b + (b - a)]
        elif operation == 4:
            del data[at:]
        else:
            data[at : at + 1] = bytes([rng.randrange(256)])
    return bytes(data)


def random_page(rng: random.Random) -> bytes:
    """Random tag soup, sometimes with a banner wording or bare random bytes."""
    if rng.random() < 0.2:
        return rng.randbytes(rng.randint(0, 2000))
    parts = []
    for _ in range(rng.randint(0, 60)):
        roll = rng.random()
        if roll < 0.5:
            parts.append(rng.choice(SNIPPETS))
        elif roll < 0.8:
            tag = rng.choice([b"div", b"p", b"h1", b"h2", b"main", b"nav", b"footer", b"a", b"li"])
            parts.append(b"<" + tag + b">" + rng.randbytes(rng.randint(0, 20)) + b"</" + tag + b">")
        else:
            parts.append(rng.choice(BANNER_WORDINGS).encode("utf-8"))
    return b"<html><body>" + b"".join(parts)


@pytest.mark.slow
def test_ten_thousand_mutated_and_random_pages_never_break_the_normalizer() -> None:
    rng = random.Random(SEED)
    outcomes: Counter[str] = Counter()
    for case in range(CASES):
        html = mutated_page(rng) if case % 4 else random_page(rng)
        url = rng.choice(URLS)
        headers = {"Content-Type": rng.choice(["text/html", "text/html; charset=latin-1", ""])}
        try:
            result = normalize_page(url, html, headers, fetched_at=FETCHED_AT)
            check(result)
        except Exception as exc:
            raise AssertionError(f"case {case} ({url}): {type(exc).__name__}: {exc}") from exc
        outcomes["record" if isinstance(result, Record) else "skip"] += 1
    assert sum(outcomes.values()) == CASES
    # Most mutated pages still hold a resource: the test exercises the extraction, not only the
    # early exits.
    assert outcomes["record"] > CASES / 3, outcomes


# -- queries and arguments ------------------------------------------------------------------------

WORDS = [
    "trafficking",
    "victims",
    "recidivsm",
    "forensic",
    "DNA",
    "juvenile",
    "NIJ",
    "National Institute of Justice",
    "252984",
    "NCJ",
    "O-BJA-2023-171861",
    "naïve",
    "é",
    "日本",
    "\x1b[31m",
    "\x00",
    "\u202e",
    "a" * 300,
]
SYNTAX = [
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "(",
    ")",
    '"',
    "'",
    "*",
    "?",
    "~",
    "~2",
    "^",
    "^3",
    "[",
    "]",
    "{",
    "}",
    "TO",
    "..",
    ":",
    "-",
    "+",
    "\\",
    "/",
    "=",
]
FIELDS = [
    "title:",
    "agency:",
    "type:",
    "topic:",
    "author:",
    "ncj:",
    "doc:",
    "published:",
    "id:",
    "url:",
    "titel:",
    "body:",
    ":",
    "nosuch:",
]
DATES = ["2019", "2019-06", "2019-06-01", "2019-13", "20190", "2019-02-30", "", "yesterday", "-1"]
NUMBERS = ["1", "2", "10", "0", "-1", "abc", "99999999999999999999", "1.5", ""]
FLAGS = ["--json", "--explain"]
VALUE_OPTIONS = {
    "--agency": [*AGENCIES, "nij", "FBI", ""],
    "--type": [*CONTENT_TYPES, "Publication", "pdf", ""],
    "--since": DATES,
    "--until": DATES,
    "--sort": ["relevance", "date", "newest", ""],
    "--limit": NUMBERS,
    "--page": NUMBERS,
}


def random_query(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 8)):
        roll = rng.random()
        if roll < 0.45:
            parts.append(rng.choice(WORDS))
        elif roll < 0.75:
            parts.append(rng.choice(SYNTAX))
        elif roll < 0.9:
            parts.append(rng.choice(FIELDS) + rng.choice([*WORDS, *DATES, "2019..2024", "*"]))
        else:
            parts.append("".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randint(1, 6))))
    glue = rng.choice([" ", "", " ", "  "])
    return glue.join(parts)


def huge_query(rng: random.Random) -> str:
    """A query far past every bound: very long, very many words or ORs, very deep nesting."""
    size = rng.randint(2_000, 20_000)
    word = rng.choice(WORDS)
    shape = rng.choice(["long", "words", "ors", "nested"])
    if shape == "long":
        return (word + " ") * (size // (len(word) + 1))
    if shape == "words":
        return " ".join(rng.choice(WORDS) for _ in range(size // 4))
    if shape == "ors":
        return " OR ".join(rng.choice(WORDS) for _ in range(size // 8))
    return "(" * (size // 4) + word + ")" * rng.choice([0, size // 4])


def random_arguments(rng: random.Random) -> list[str]:
    args = ["search"]
    if rng.random() < 0.01:
        args.append(huge_query(rng))
    elif rng.random() < 0.97:
        args.append(random_query(rng))
    for option, values in VALUE_OPTIONS.items():
        for _ in range(rng.choice([0, 0, 0, 1, 2]) if option in ("--agency", "--type") else 1):
            if rng.random() < 0.25:
                args += [option, rng.choice(values)]
    args += [flag for flag in FLAGS if rng.random() < 0.3]
    if rng.random() < 0.02:
        args.append(rng.choice(["--bogus", "-x", "--limit", "--since"]))  # unknown or no value
    return args


@pytest.fixture(scope="module")
def fuzz_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    """A store and index of the golden records (every page kind of the OJP sites)."""
    data_dir = DataDir(tmp_path_factory.mktemp("fuzz") / "data").ensure()
    expected = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FIXTURES[0].parent.glob("*.expected.json"))
    ]
    records = [Record.from_dict(data) for data in expected if "id" in data]  # not the skips
    assert len(records) > 30
    unique = list({r.id: r for r in records}.values())
    with Store.open(data_dir) as store:
        run_crawl(store, [fetched(r) for r in unique], site="ojp")
        update_index(store, data_dir)
    yield data_dir


DOCUMENTED = {int(code) for code in ExitCode}


@pytest.mark.slow
def test_ten_thousand_random_searches_end_in_a_documented_way(
    fuzz_data: DataDir, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    codes: Counter[int] = Counter()
    for case in range(CASES):
        args = [*random_arguments(rng), "--data-dir", str(fuzz_data.root)]
        code = search_cli.main(args)
        out, err = capsys.readouterr()
        where = f"case {case}: {args!r}"
        assert code in DOCUMENTED, f"{where}: exit {code}"
        assert "Traceback" not in out + err, where
        codes[code] += 1
        if code == ExitCode.OK:
            # Piped, search says its counts and facets on stderr; never an error there.
            assert "Error" not in err and "--debug" not in err, f"{where}: {err!r}"
            if "--json" in args:
                lines = out.splitlines()
                assert lines, where
                summary = json.loads(lines[-1])
                assert "total" in summary, where
                for line in lines[:-1]:
                    hit = json.loads(line)
                    assert hit["id"] and hit["url"], where
        else:
            assert code == ExitCode.USAGE, f"{where}: exit {code}: {err!r}"
            assert out == "", f"{where}: {out!r}"
            assert err.startswith("Error: ") and err.count("\n") == 1, f"{where}: {err!r}"
            assert "--debug" not in err, f"{where}: an unexpected error: {err!r}"
            assert not any(ch in err for ch in "\x1b\x00\x9b"), f"{where}: {err!r}"
    # Both paths are exercised in earnest.
    assert codes[ExitCode.OK] > CASES / 4 and codes[ExitCode.USAGE] > CASES / 20, codes


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["search", "dna", "--limit", "abc"],
            "Error: Invalid value for '--limit': Input should be a valid integer, unable to "
            "parse string as an integer. See 'ojp-search search -h'.\n",
        ),
        (
            ["search", "dna", "--bogus"],
            "Error: No such option: --bogus. See 'ojp-search search -h'.\n",
        ),
        (["nosuch"], "Error: No such command 'nosuch'. See 'ojp-search -h'.\n"),
        (["show"], "Error: Missing argument 'RECORD'. See 'ojp-search show -h'.\n"),
    ],
)
def test_argument_errors_are_one_line_with_the_usage_exit_code(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = search_cli.main([*args, "--data-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    assert (code, out, err) == (ExitCode.USAGE, "", message)
