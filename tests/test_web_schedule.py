"""`ojp-search serve --interval` serves the page and the scheduled refresh in one process, as
`ojp-search schedule` does (a local Prefect server when PREFECT_API_URL is not set): the page
says there is no data before the first run, then answers from the run without a restart, and
the status shows the schedule."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from index.datadir import DataDir
from tests.web.support import ServeProcess

pytestmark = [pytest.mark.xdist_group("web"), pytest.mark.slow]

FIRST_RUN_WAIT_S = 420  # the local server starts, schedules the run, and the crawl runs


def test_serve_with_an_interval_refreshes_and_serves_the_new_data(
    tmp_path: Path, sample_sites_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    data_dir = DataDir(tmp_path / "data")
    server = ServeProcess(
        data_dir, "--interval", "20", "--sites-file", str(sample_sites_file), "--site", "nij"
    )
    try:
        status, body, _ = server.get("?q=trafficking")
        if status == 503:  # before the first run: no data yet, said plainly
            assert b"No data yet" in body
        status, body, _ = server.get("status")
        assert b"scheduled refresh" in body and b"every 20 seconds" in body
        deadline = time.monotonic() + FIRST_RUN_WAIT_S
        data: dict = {}
        while time.monotonic() < deadline:
            status, body, _ = server.get("api/status")
            data = json.loads(body)
            if status == 200 and data["runs"] and data["runs"][-1]["status"] != "running":
                break
            time.sleep(3)
        assert status == 200, body
        assert data["runs"][-1]["status"] == "completed"
        assert data["schedule"]["interval_s"] == 20 and data["schedule"]["next_run"]
        assert data["live"] > 0 and data["index"]["documents"] == data["live"]
        assert server.get_json("api/search?q=trafficking")["total"] > 0
    finally:
        server.stop()
    assert server.process.returncode is not None
