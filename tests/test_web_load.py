"""Searches keep answering while a refresh applies a run and while `rebuild` swaps the index,
and the service uses the new index generation without a restart."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.sample_site import SampleSite
from index.datadir import DataDir
from tests.web.support import (  # noqa: F401  (fixtures)
    ServeProcess,
    copy_data_dir,
    run_cli,
    sample_data,
)
from web.service import DEFAULT_TIMEOUT_S

pytestmark = pytest.mark.xdist_group("web")

CLIENTS = 4
PAUSE_S = 0.02  # between one client's requests: busy, but leaving the refresh some CPU
#: Every request is answered within the service's time limit (a search that runs out of it is
#: answered 503, which counts as a failure), plus the time to carry the answer.
ANSWERED_WITHIN_S = DEFAULT_TIMEOUT_S + 5
PATHS = [
    "api/search?q=human+trafficking",
    "?q=victim+services&agency=OVC",
    "api/search?q=justice&sort=date&page=2",
    "api/status",
]


class Clients:
    """``CLIENTS`` threads, each asking for ``PATHS`` in turn until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.answered = 0
        self.slowest_s = 0.0
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self.ask, args=(n,)) for n in range(CLIENTS)]

    def ask(self, n: int) -> None:
        turn = n
        while not self.stopping.is_set():
            path = PATHS[turn % len(PATHS)]
            turn += 1
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=60) as answer:
                    answer.read()
                    ok = answer.status == 200
                    failure = f"{path}: {answer.status}"
            except (urllib.error.URLError, OSError) as exc:
                ok, failure = False, f"{path}: {exc}"
            with self.lock:
                self.answered += 1
                self.slowest_s = max(self.slowest_s, time.monotonic() - started)
                if not ok:
                    self.failures.append(failure)
            self.stopping.wait(PAUSE_S)

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(60)


@pytest.fixture
def served_copy(tmp_path: Path, sample_data: DataDir) -> Iterator[ServeProcess]:  # noqa: F811
    server = ServeProcess(copy_data_dir(sample_data, tmp_path / "data"))
    yield server
    server.stop()


def test_searches_answer_through_a_refresh_and_a_rebuild(
    served_copy: ServeProcess, sample_sites_file: Path, sample_site: SampleSite, prefect_api: str
) -> None:
    where = ["--data-dir", str(served_copy.data_dir.root)]
    before = served_copy.get_json("api/search?q=human+trafficking")["total"]
    generation = served_copy.get_json("api/status")["index"]["generation"]

    with Clients(served_copy.url) as clients:
        # The session's sample site listens on another port than the demo's did: every page has
        # a new URL, so this run adds a record for each page.
        run_cli("refresh", "--sites-file", str(sample_sites_file), *where, prefect_api=prefect_api)
        during_refresh = clients.answered
    assert clients.failures == [], served_copy.log[-4000:]
    assert clients.slowest_s < ANSWERED_WITHIN_S
    assert during_refresh > CLIENTS
    assert served_copy.get_json("api/search?q=human+trafficking")["total"] > before

    with Clients(served_copy.url) as clients:
        for _ in range(3):
            run_cli("rebuild", *where)
    assert clients.failures == [], served_copy.log[-4000:]
    assert clients.slowest_s < ANSWERED_WITHIN_S
    assert clients.answered > CLIENTS
    status = served_copy.get_json("api/status")
    assert status["index"]["generation"] != generation
    assert status["index"]["documents"] == status["live"]
