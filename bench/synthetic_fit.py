"""Fit the synthetic records' word distribution to real OJP page text, and compare the two.

    python -m bench.synthetic_fit DIR        # DIR: real page texts (*.txt, *.md), one page each
    python -m bench.synthetic_fit DIR --write   # also rewrite bench/ojp_words.txt

The real texts are excerpts of OJP pages (main content, about 2,000 characters each). Counted
here: how often each word occurs (the generator's head vocabulary, ``bench/ojp_words.txt``,
weighted by these counts) and the exponent of the rank-frequency curve past the head, which the
generator continues with made-up rare words. The comparison prints the document frequency of the
most common content words on the real pages beside the synthetic records', both read over the
same length of text (the first ``EXCERPT_CHARS`` characters of summary and body), so excerpts
are compared with excerpts.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

WORDS_FILE = Path(__file__).with_name("ojp_words.txt")
EXCERPT_CHARS = 2000
#: Words counted at least this often on the real pages form the generator's head vocabulary.
MIN_COUNT = 2
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
#: Lines that are page furniture, not content (the banner, image credits, source notes).
_FURNITURE = re.compile(
    r"^(#|u\.s\. flag|an official website|here's how|official websites|secure \.gov|"
    r"the \.gov means|the site is secure|©)",
    re.IGNORECASE,
)


def page_text(path: Path) -> str:
    """A reference page's content: its lines without source notes and banner."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    text = "\n".join(line for line in lines if not _FURNITURE.match(line.strip()))
    return _ADDRESS.sub(" ", text)


def page_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def reference_pages(folder: Path) -> list[str]:
    return [page_text(p) for p in sorted(folder.iterdir()) if p.suffix in (".txt", ".md")]


def zipf_exponent(counts: list[int], first: int = 10, last: int = 400) -> float:
    """Least-squares slope of log(frequency) against log(rank) over ranks ``first``..``last``."""
    points = [(math.log(r), math.log(c)) for r, c in enumerate(counts, 1) if first <= r <= last]
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return -slope


def write_words(counts: Counter[str], exponent: float, path: Path = WORDS_FILE) -> None:
    head = [(w, c) for w, c in counts.most_common() if c >= MIN_COUNT and len(w) > 1]
    lines = [
        "# Word counts of real OJP page text (public domain), the synthetic records' vocabulary.",
        "# Written by: python -m bench.synthetic_fit DIR --write",
        f"# exponent {exponent:.3f}",
        *(f"{w} {c}" for w, c in head),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def document_frequencies(texts: Iterable[str]) -> tuple[Counter[str], int]:
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        df.update(set(page_words(text[:EXCERPT_CHARS])))
        n += 1
    return df, n


def compare(folder: Path, records: int = 2000, top: int = 30) -> str:
    """A markdown table: document frequency of the most common content words, real vs synthetic."""
    from whoosh.analysis import STOP_WORDS

    from bench.synthetic import synthetic_records

    real_df, real_n = document_frequencies(reference_pages(folder))
    synth_df, synth_n = document_frequencies(
        f"{r.title}\n{r.summary}\n{r.body}" for r in synthetic_records(records)
    )
    words = [w for w, _ in real_df.most_common() if w not in STOP_WORDS and len(w) > 2][:top]
    rows = [
        f"DF over {real_n} real page excerpts and {synth_n:,} synthetic records (first "
        f"{EXCERPT_CHARS:,} characters of each)\n",
        "| word | real DF | synthetic DF |",
        "|---|---:|---:|",
    ]
    for w in words:
        rows.append(f"| {w} | {real_df[w] / real_n:.0%} | {synth_df[w] / synth_n:.0%} |")
    shared = [w for w in words if synth_df[w]]
    error = sum(abs(real_df[w] / real_n - synth_df[w] / synth_n) for w in words) / len(words)
    rows.append(
        f"\n{len(shared)} of the {len(words)} words occur in both; mean absolute DF difference "
        f"{error:.1%}."
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--write", action="store_true", help=f"rewrite {WORDS_FILE.name}")
    args = parser.parse_args(argv)
    counts: Counter[str] = Counter()
    for text in reference_pages(args.folder):
        counts.update(page_words(text))
    exponent = zipf_exponent([c for _, c in counts.most_common()])
    print(f"{sum(counts.values()):,} words, {len(counts):,} distinct; exponent {exponent:.3f}")
    if args.write:
        write_words(counts, exponent)
    print(compare(args.folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
