"""Run every benchmark script and collect what each printed into bench/RESULTS.md.

    python -m bench.run            # full figures (can take many minutes)
    python -m bench.run --quick    # every script's quick mode: a smoke test, printed on stdout
    python -m bench.run --only bench_refresh

A benchmark script is a module ``bench/bench_<name>.py`` runnable as ``python -m
bench.bench_<name>``; it prints its figures on stdout (markdown preferred: a heading and a table)
and progress on stderr, and accepts ``--quick`` (a script that rejects the flag is skipped by
``--quick``, since its full size can take many minutes). RESULTS.md gets the date, the machine,
and per script the exact command, its exit status, its wall time and its output. Quick-mode
figures are not reference figures: ``--quick`` prints its report instead of writing RESULTS.md,
unless ``--output`` names a file.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from bench.machine import describe_machine

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"


@dataclass(frozen=True)
class ScriptRun:
    """One benchmark script's run: its command, exit status, wall time and output."""

    name: str
    command: list[str]
    returncode: int
    seconds: float
    stdout: str
    stderr: str
    skipped: bool = False  # quick mode, and the script has none

    @property
    def failed(self) -> bool:
        return self.returncode != 0 and not self.skipped

    @property
    def shown_command(self) -> str:
        return "python " + shlex.join(self.command[1:])


def find_scripts(only: list[str] | None) -> list[str]:
    """Module names of the benchmark scripts, sorted (``bench_refresh``...)."""
    names = sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(
                f"no benchmark script named {', '.join(unknown)}. Scripts: {', '.join(names)}."
            )
        names = [name for name in names if name in only]
    return names


def run_script(name: str, quick: bool, timeout: float | None) -> ScriptRun:
    """Run one script from the repository root, echoing its stderr (progress) as it comes;
    a script that rejects ``--quick`` is skipped in quick mode."""
    command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    sys.stderr.write(f"[bench.run] {shlex.join(['python', *command[1:]])}\n")
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    # One reader per pipe: stderr is echoed as it comes, stdout is collected; the process is
    # only waited for (``communicate`` would read the pipes too and swallow stderr).
    stderr_lines: list[str] = []
    stdout_lines: list[str] = []
    readers = [
        threading.Thread(target=echo_lines, args=(process.stderr, stderr_lines), daemon=True),
        threading.Thread(target=collect_lines, args=(process.stdout, stdout_lines), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        stderr_lines.append(f"timed out after {timeout:.0f} s\n")
    for reader in readers:
        reader.join()
    stdout, stderr = "".join(stdout_lines), "".join(stderr_lines)
    returncode = process.returncode if process.returncode is not None else -1
    seconds = time.perf_counter() - start
    if quick and returncode == 2 and "unrecognized arguments: --quick" in stderr:
        # Its full size could take many minutes: a smoke test skips it rather than wait.
        sys.stderr.write(f"[bench.run] {name} has no --quick mode: skipped\n")
        return ScriptRun(name, command, returncode, seconds, "", stderr, skipped=True)
    return ScriptRun(name, command, returncode, seconds, stdout, stderr)


def collect_lines(stream: IO[str] | None, into: list[str]) -> None:
    """Keep a child's stdout (its figures) as it comes."""
    if stream is not None:
        into.extend(stream)


def echo_lines(stream: IO[str] | None, into: list[str]) -> None:
    """Copy a child's stderr to ours line by line, keeping it for RESULTS.md."""
    if stream is None:
        return
    for line in stream:
        into.append(line)
        sys.stderr.write(line)
        sys.stderr.flush()


def render_output(stdout: str) -> str:
    """A script's stdout as a RESULTS.md section body: markdown with its headings moved one
    level down, or plain text in a code block."""
    text = stdout.strip()
    if not text:
        return "_(no output)_"
    first = text.splitlines()[0]
    if first.startswith(("#", "|")):
        return "\n".join("#" + line if line.startswith("#") else line for line in text.splitlines())
    return f"```text\n{text}\n```"


def render_section(run: ScriptRun, started: datetime) -> str:
    """One script's section: its command, status, date, wall time and output."""
    if run.skipped:
        status = "skipped (no --quick mode)"
    else:
        status = "ok" if run.returncode == 0 else f"**failed (exit {run.returncode})**"
    lines = [
        f"## {run.name}",
        "",
        f"Command: `{run.shown_command}` — {status}, {run.seconds:.0f} s, "
        f"run {started:%Y-%m-%d %H:%M} UTC",
        "",
        render_output(run.stdout),
        "",
    ]
    if run.failed:
        tail = "\n".join(run.stderr.strip().splitlines()[-25:])
        lines += ["Last lines of stderr:", "", f"```text\n{tail}\n```", ""]
    return "\n".join(lines)


def read_sections(path: Path) -> dict[str, str]:
    """The per-script sections of an existing RESULTS.md (``## name`` to the next one)."""
    if not path.exists():
        return {}
    sections: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("## "):
            name = line[3:].strip()
            sections[name] = ""
        if name is not None:
            sections[name] += line
    return sections


def render_results(
    runs: list[ScriptRun], quick: bool, started: datetime, kept: dict[str, str]
) -> str:
    """RESULTS.md: a header, then one section per script, new runs replacing ``kept`` ones."""
    machine = describe_machine()
    header = [
        "# Benchmark results",
        "",
        f"Updated: {started:%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {machine.summary()}  ",
        f"Collected by: `python -m bench.run{' --quick' if quick else ''}`"
        + (" (quick mode: small sizes, one run; not the reference figures)" if quick else "")
        + ". Each section says when it ran.",
        "",
    ]
    sections = dict(kept)
    sections.update({run.name: render_section(run, started) for run in runs})
    body = [sections[name].rstrip("\n") + "\n" for name in sorted(sections)]
    return "\n".join(header) + "\n" + "\n".join(body)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Run the benchmarks into bench/RESULTS.md.")
    parser.add_argument("--quick", action="store_true", help="each script's quick mode")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="run only these scripts; the other sections of RESULTS.md are kept",
    )
    parser.add_argument("--timeout", type=float, help="seconds allowed per script")
    parser.add_argument(
        "--output",
        type=Path,
        help="where the report goes (bench/RESULTS.md; with --quick: stdout)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    try:
        names = find_scripts(args.only)
    except ValueError as error:
        sys.stderr.write(f"Error: {error}\n")
        return 2
    runs = [run_script(name, args.quick, args.timeout) for name in names]
    output = args.output or (None if args.quick else RESULTS_PATH)
    kept = read_sections(output) if args.only and output is not None else {}
    report = render_results(runs, args.quick, started, kept)
    if output is None:
        sys.stdout.write(report)
    else:
        output.write_text(report, encoding="utf-8")
    failed = [run.name for run in runs if run.failed]
    sys.stderr.write(
        f"[bench.run] {'wrote ' + str(output) if output else 'printed the report'}; "
        f"{len(runs)} script(s)" + (f", failed: {', '.join(failed)}\n" if failed else ", all ok\n")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
