"""Run every benchmark script and collect what each printed into bench/RESULTS.md.

    python -m bench.run            # full figures (can take many minutes)
    python -m bench.run --quick    # every script's quick mode: a smoke test of the benchmarks
    python -m bench.run --only bench_refresh

A benchmark script is a module ``bench/bench_<name>.py`` runnable as ``python -m
bench.bench_<name>``; it prints its figures on stdout (markdown preferred: a heading and a table)
and progress on stderr, and accepts ``--quick`` (a script that rejects the flag is run without
it). RESULTS.md gets the date, the machine, and per script the exact command, its exit status,
its wall time and its output.
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
    retry without ``--quick`` if the script rejects it."""
    command = [sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])]
    sys.stderr.write(f"[bench.run] {shlex.join(['python', *command[1:]])}\n")
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stderr_lines: list[str] = []
    echo = threading.Thread(target=echo_lines, args=(process.stderr, stderr_lines), daemon=True)
    echo.start()
    try:
        stdout, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, _ = process.communicate()
        stderr_lines.append(f"timed out after {timeout:.0f} s\n")
    echo.join()
    stderr = "".join(stderr_lines)
    returncode = process.returncode if process.returncode is not None else -1
    if quick and returncode == 2 and "unrecognized arguments: --quick" in stderr:
        return run_script(name, False, timeout)
    return ScriptRun(name, command, returncode, time.perf_counter() - start, stdout, stderr)


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
    if run.returncode != 0:
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
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="RESULTS.md path")
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
    kept = read_sections(args.output) if args.only else {}
    args.output.write_text(render_results(runs, args.quick, started, kept), encoding="utf-8")
    failed = [run.name for run in runs if run.returncode != 0]
    sys.stderr.write(
        f"[bench.run] wrote {args.output}; {len(runs)} script(s)"
        + (f", failed: {', '.join(failed)}\n" if failed else ", all ok\n")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
