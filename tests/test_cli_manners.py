"""The command as a new user meets it: help, version, suggestions, a data dir that remembers its
sites file, a refresh that says what it is doing and refuses a second one before Prefect starts."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

import search_cli
from flows.schedule import next_run_time, run_line
from index.datadir import DataDir
from search_cli import ExitCode

REPO = Path(__file__).resolve().parents[1]
ENTRY = "import sys, search_cli; sys.exit(search_cli.main(sys.argv[1:]))"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_bare_command_prints_its_help_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys)
    assert (code, err) == (0, "")
    assert "Usage: ojp-search" in out and "search" in out and "--version" in out
    assert "--debug" in out and "--install-completion" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("ojp-search ") and out.count("\n") == 1


def test_a_mistyped_command_gets_a_suggestion_in_one_clean_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(capsys, "serch")
    assert (code, out) == (ExitCode.USAGE, "")
    assert err == (
        "Error: No such command 'serch'. Did you mean 'search', 'serve'? See 'ojp-search -h'.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["refresh", "--site", "nijj"],
            "Error: unknown site 'nijj'. Did you mean 'nij'? "
            "Known sites: ojp, nij, ovc, ojjdp, bja, bjs, smart.\n",
        ),
        (
            ["search", "x", "--type", "publications"],
            "Error: unknown type 'publications'. Did you mean 'publication'? Types: ",
        ),
    ],
)
def test_misspelt_names_get_the_closest_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *args, "--data-dir", str(tmp_path))
    assert (code, out) == (ExitCode.USAGE, "")
    assert err.startswith(message) and err.count("\n") == 1


def test_help_reflows_and_shows_examples() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", ENTRY, "show", "-h"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
        timeout=60,
    ).stdout
    assert "Examples: ojp-search show 252984 (an NCJ number)" in " ".join(shown.split())


def test_a_second_refresh_is_refused_before_prefect_starts(
    tmp_path: Path,
    sample_sites_file: Path,
    refresh_lock_holder: Callable[[DataDir], subprocess.Popen[str]],
) -> None:
    data = DataDir(tmp_path / "data")
    holder = refresh_lock_holder(data)
    probe = (
        "import json, sys, search_cli\n"
        f"code = search_cli.main(['refresh', '--sites-file', {str(sample_sites_file)!r},"
        f" '--data-dir', {str(data.root)!r}])\n"
        "print(json.dumps([code, sorted({m.split('.')[0] for m in sys.modules} & {'prefect'})]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    holder.kill()
    assert json.loads(done.stdout.splitlines()[-1]) == [ExitCode.BUSY, []]
    assert done.stderr.startswith("Error: another refresh is running on")
    assert "EventsWorker" not in done.stderr


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_a_data_dir_remembers_its_sites_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_sites_file: Path
) -> None:
    data = DataDir(tmp_path / "data")
    where = ["--data-dir", str(data.root)]
    code, out, err = run_cli(
        capsys, "refresh", "--site", "ovc", "--sites-file", str(sample_sites_file), *where
    )
    assert code == ExitCode.OK, err
    assert f"Refreshing {data.root}: ovc (from {sample_sites_file.resolve()})." in err
    assert "Starting Prefect" in err and "s in all, Prefect's start included." in err

    code, out, err = run_cli(capsys, "refresh", "--site", "ovc", *where)
    assert code == ExitCode.OK, err
    remembered = f"ovc (from {sample_sites_file.resolve()}, remembered by the data dir)"
    assert f"Refreshing {data.root}: {remembered}." in err
    assert out.startswith("Refresh run 2: completed")


def test_a_remembered_sites_file_that_is_gone_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = DataDir(tmp_path / "data")
    gone = tmp_path / "gone.toml"
    data.remember("refresh", sites_file=str(gone))
    code, _, err = run_cli(capsys, "refresh", "--data-dir", str(data.root))
    assert code == ExitCode.USAGE
    assert err == (
        f"Error: the data dir {data.root} was refreshed with the sites file {gone}, which is "
        "gone; give --sites-file.\n"
    )


def test_the_schedule_says_when_it_next_runs_and_how_each_run_went() -> None:
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert next_run_time("0 5 * * *", None, noon) == datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
    assert next_run_time(None, 90, noon) == datetime(2026, 12, 3, 12, 1, 30, tzinfo=UTC)
    report = {
        "run_id": 7,
        "status": "completed",
        "duration_s": 12.34,
        "totals": {"added": 3, "changed": 1, "removed": 0},
    }
    assert run_line(report) == (
        "Refresh run 7: completed in 12.3 s (3 added, 1 changed, 0 removed)."
    )
