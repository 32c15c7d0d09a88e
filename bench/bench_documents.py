"""Benchmark: how fast linked PDFs are read into searchable text.

Builds a corpus of report-like PDFs (default 200 files of 1–30 pages, Flate-compressed like
real ones), extracts each with ``crawlers.documents.read_document`` in this one process (as a
crawl process does), and prints documents/s, pages/s, MB/s of PDF read and MB/s of text produced,
plus per-document latency percentiles, the command line, the machine and its load (other work
on the machine skews the figures).

    python -m bench.bench_documents [--documents 200] [--max-pages 30] [--rounds 3] [--seed 7]
    python -m bench.bench_documents --quick          # 20 documents, one round
    python -m bench.bench_documents --uncompressed   # raw page streams (larger files)
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shlex
import statistics
import sys
import time
from dataclasses import dataclass

import pypdf

from bench.machine import describe_machine
from crawlers.documents import read_document
from crawlers.sample_site.pdfdoc import make_pdf

MEGABYTE = 1024 * 1024

SUBJECTS = (
    "Juvenile justice agencies",
    "Drug court participants",
    "Victim service providers",
    "Law enforcement officers",
    "Reentry programs",
    "Tribal justice systems",
    "State administering agencies",
    "Crime laboratories",
    "Sexual assault kit initiatives",
    "Community supervision officers",
)
FINDINGS = (
    "reported lower rates of rearrest within 24 months of release",
    "showed no statistically significant difference from the comparison group",
    "relied on formula grant funding for more than half of their services",
    "received training on trauma-informed approaches to victim interviews",
    "reduced the backlog of untested evidence by 38 percent over the grant period",
    "identified gaps in data collection across jurisdictions",
    "expanded mentoring services for youth at risk of system involvement",
    "adopted body-worn cameras under the Bureau of Justice Assistance program",
)
QUALIFIERS = (
    "According to the National Crime Victimization Survey,",
    "In fiscal year 2023,",
    "Among the sites evaluated by the National Institute of Justice,",
    "Consistent with prior research,",
    "As required under the Victims of Crime Act,",
    "Compared with the baseline period,",
)


def report_page(rng: random.Random, page: int) -> str:
    """About one printed page (~3,000 characters) of evaluation-report prose."""
    sentences = [f"Section {page}. Findings and Recommendations"]
    while sum(len(s) for s in sentences) < 3000:
        sentences.append(
            f"{rng.choice(QUALIFIERS)} {rng.choice(SUBJECTS).lower()} "
            f"{rng.choice(FINDINGS)} (NCJ {rng.randint(150000, 310000)})."
        )
    return " ".join(sentences)


def compress_pdf(pdf: bytes) -> bytes:
    """The same PDF with Flate-compressed page streams, as published reports are."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_corpus(count: int, max_pages: int, seed: int, compress: bool) -> list[bytes]:
    rng = random.Random(seed)
    corpus = []
    for number in range(count):
        pages = [report_page(rng, page) for page in range(1, rng.randint(1, max_pages) + 1)]
        pdf = make_pdf(pages, title=f"Evaluation Report {number}")
        corpus.append(compress_pdf(pdf) if compress else pdf)
    return corpus


@dataclass(frozen=True)
class Round:
    seconds: float
    pages: int
    text_chars: int
    latencies: list[float]
    failures: int


def run_round(corpus: list[bytes]) -> Round:
    latencies, pages, chars, failures = [], 0, 0, 0
    started = time.perf_counter()
    for number, pdf in enumerate(corpus):
        begin = time.perf_counter()
        extraction = read_document(
            f"https://ojp.gov/sites/g/files/xyckuh241/files/media/document/{number}.pdf",
            pdf,
            {"Content-Type": "application/pdf"},
        )
        latencies.append(time.perf_counter() - begin)
        pages += extraction.pages_read
        chars += len(extraction.attachment.text)
        failures += extraction.attachment.error is not None
    return Round(time.perf_counter() - started, pages, chars, latencies, failures)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(corpus: list[bytes], rounds: list[Round], compressed: bool) -> None:
    """The figures of the fastest round, as a markdown table."""
    best = min(rounds, key=lambda r: r.seconds)
    corpus_mb = sum(len(pdf) for pdf in corpus) / MEGABYTE
    lat = best.latencies
    kind = "Flate-compressed" if compressed else "uncompressed"
    print(f"corpus: {len(corpus)} {kind} PDFs, {best.pages:,} pages, {corpus_mb:.1f} MB  ")
    print(f"rounds: {', '.join(f'{r.seconds:.2f} s' for r in rounds)} (best shown)\n")
    print("| measure | value |\n|---|---|")
    print(f"| documents/s | {len(corpus) / best.seconds:.1f} |")
    print(f"| pages/s | {best.pages / best.seconds:.0f} |")
    print(f"| PDF MB/s read | {corpus_mb / best.seconds:.2f} |")
    print(f"| text MB/s produced | {best.text_chars / MEGABYTE / best.seconds:.2f} |")
    print(f"| ms per document, median | {statistics.median(lat) * 1000:.0f} |")
    print(f"| ms per document, p95 | {percentile(lat, 0.95) * 1000:.0f} |")
    print(f"| ms per document, max | {max(lat) * 1000:.0f} |")
    print(f"| documents with an error | {best.failures} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--max-pages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--uncompressed", action="store_true", help="keep page streams raw")
    parser.add_argument("--quick", action="store_true", help="20 documents, one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.documents, args.rounds = 20, 1

    arguments = sys.argv[1:] if argv is None else argv
    print("## Document text extraction (bench_documents)\n")
    print(f"command: `{shlex.join(['python', '-m', 'bench.bench_documents', *arguments])}`  ")
    print(f"machine: {describe_machine().summary()}  ")
    print(f"load average before: {load_average()}  ")
    print(f"building {args.documents} PDFs...", file=sys.stderr)
    corpus = build_corpus(args.documents, args.max_pages, args.seed, not args.uncompressed)
    rounds = []
    for number in range(1, args.rounds + 1):
        print(f"round {number} of {args.rounds}...", file=sys.stderr)
        rounds.append(run_round(corpus))
    print(f"load average after: {load_average()}  ")
    report(corpus, rounds, not args.uncompressed)
    return 0


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
