"""Normalizer throughput: pages per second per core over the golden fixture pages.

    python -m bench.bench_normalize [--seconds 5]
    python -m bench.bench_normalize --quick

Normalizes every page of tests/fixtures/pages (HTML, as bytes, the way the spider hands them
over) in a loop on one core until the time is up, then prints the command, the machine and the
figure (markdown on stdout, progress on stderr).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from crawlers.normalize import Skip, normalize_page

PAGES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pages"
_META = re.compile(rb"^<!-- normalize: (\{.*?\}) -->")


def load_pages() -> list[tuple[str, bytes, dict[str, str]]]:
    """(url, body, headers) for each golden HTML page."""
    pages: list[tuple[str, bytes, dict[str, str]]] = []
    for path in sorted(PAGES.glob("*.html")):
        body = path.read_bytes()
        match = _META.match(body)
        meta: dict[str, Any] = json.loads(match.group(1)) if match else {}
        url = str(meta.get("url", "https://www.ojp.gov/page"))
        pages.append((url, body, dict(meta.get("headers") or {})))
    return pages


def measure(pages: list[tuple[str, bytes, dict[str, str]]], seconds: float) -> tuple[int, float]:
    """Normalize the pages round after round until ``seconds`` have passed: (pages, elapsed)."""
    done = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for url, body, headers in pages:
            normalize_page(url, body, headers, fetched_at="2026-01-01T00:00:00+00:00")
        done += len(pages)
    return done, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run (default 5)")
    parser.add_argument("--quick", action="store_true", help="one second, a smoke test")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else args.seconds
    pages = load_pages()
    skips = sum(isinstance(normalize_page(u, b, h), Skip) for u, b, h in pages)
    sys.stderr.write(f"normalizing {len(pages)} pages for {seconds:.0f} s on one core\n")
    done, elapsed = measure(pages, seconds)
    size = sum(len(body) for _, body, _ in pages) / len(pages)
    command = " ".join(
        ["python -m bench.bench_normalize", *(sys.argv[1:] if argv is None else argv)]
    )
    print("# normalize_page throughput\n")
    print(f"- command: `{command}`")
    print(f"- machine: {describe_machine().summary()}")
    print(
        f"- pages: {len(pages)} golden fixture pages ({skips} of them skips), "
        f"{size / 1024:.1f} KiB average"
    )
    print(f"- normalized: {done} pages in {elapsed:.2f} s, single process")
    print(f"- **{done / elapsed:.0f} pages/s per core** ({1000 * elapsed / done:.2f} ms per page)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
