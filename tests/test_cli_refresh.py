"""`ojp-search refresh`, `schedule` and `demo` from the command line: what the user sees, the exit
codes, and the one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import flows.refresh
import search_cli
from index.datadir import DataDir


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = search_cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_bad_sites_file_is_refused_before_anything_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text('[[site]]\nname = "nij"\nagency = "FBI"\n')
    data = tmp_path / "data"

    code, out, err = run_cli(
        capsys, "refresh", "--sites-file", str(sites_file), "--data-dir", str(data)
    )

    assert code == search_cli.ExitCode.USAGE
    assert out == ""
    assert err.startswith(f"Error: {sites_file}: site 'nij': field 'agency'")
    assert err.count("\n") == 1
    assert not data.exists()


def test_an_unknown_site_is_refused_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "refresh", "--site", "fbi", "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err == (
        "Error: unknown site 'fbi'. Known sites: ojp, nij, ovc, ojjdp, bja, bjs, smart.\n"
    )


def test_a_refresh_is_refused_while_another_runs(
    tmp_path: Path,
    sample_sites_file: Path,
    refresh_lock_holder: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = DataDir(tmp_path / "data")
    holder = refresh_lock_holder(data)

    code, out, err = run_cli(
        capsys, "refresh", "--sites-file", str(sample_sites_file), "--data-dir", str(data.root)
    )

    assert code == search_cli.ExitCode.BUSY
    assert out == ""
    assert err == (
        f"Error: another refresh is running on {data.root} (pid {holder.pid}). "
        "Wait for it to finish, or stop it.\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cron", "5 o'clock"], 'Error: "5 o\'clock" is not a valid cron expression.'),
        (["--interval", "-5"], "Error: the interval must be a positive number of seconds"),
    ],
)
def test_schedule_refuses_a_bad_schedule(
    tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "schedule", *args, "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err.startswith(message)
    assert err.count("\n") == 1


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_a_refresh_with_a_site_down_reports_it_and_exits_failed(
    tmp_path: Path,
    editable_site: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from crawlers.sample_site import sites_toml

    monkeypatch.setattr(flows.refresh, "CRAWL_RETRY_DELAYS", (0.0,))  # no back-off in tests
    sites_file = tmp_path / "sites.toml"
    sites_file.write_text(sites_toml(editable_site.base_url))
    editable_site.site.stop()

    code, out, err = run_cli(
        capsys,
        "refresh",
        "--site",
        "ovc",
        "--sites-file",
        str(sites_file),
        "--data-dir",
        str(tmp_path / "data"),
    )

    assert code == search_cli.ExitCode.FAILED
    assert out.startswith("Refresh run 1: failed")
    assert "Failures:\n  ovc: no answer to" in out
    lines = err.splitlines()
    assert lines[:3] == ["ovc: crawling", "ovc: retrying (attempt 2)", "ovc: retrying (attempt 3)"]
    assert lines[3].startswith("ovc: failed: the site is down or unreachable")
    assert lines[-1].startswith("Error: refresh run 1 failed: ovc: no answer to")
    assert "Traceback" not in err


@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_demo_crawls_the_sample_site_and_shows_searches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_dir = tmp_path / "demo"

    code, out, err = run_cli(capsys, "demo", "--data-dir", str(demo_dir))

    assert code == search_cli.ExitCode.OK, err
    assert out.startswith("Refresh run 1: completed")
    for site in ("ojp", "nij", "ovc", "ojjdp", "bja", "bjs", "smart"):
        assert f"\n{site} " in out
    searches = out.split("$ ojp-search search ")[1:]
    assert searches[0].startswith("'human trafficking'\n")
    assert "The Fight Against Human Trafficking (NIJ, publication, 2019-06-01)" in searches[0]
    assert f"ojp-search status --data-dir {demo_dir}" in out
    assert (demo_dir / "store.sqlite3").exists()

    code, out, _ = run_cli(capsys, "status", "--json", "--data-dir", str(demo_dir))
    assert set(json.loads(out)["by_agency"]) >= {"OJP", "NIJ", "OVC", "BJA", "BJS", "SMART"}


def test_demo_refuses_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")

    code, _, err = run_cli(capsys, "demo", "--data-dir", str(tmp_path))

    assert code == search_cli.ExitCode.USAGE
    assert err.startswith(f"Error: {tmp_path} is not empty and was not made by the demo.")
    assert (tmp_path / "notes.txt").read_text() == "mine"
