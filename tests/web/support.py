"""What the web tests share: the sample site's data built once per session, hostile records,
a real ``ojp-search serve`` process on 127.0.0.1, the CLI as a user runs it, and a headless
Chromium driven by Playwright.

Test modules import the fixtures they use from here; they carry
``pytest.mark.xdist_group("web")`` so that under ``pytest -n 2 --dist loadgroup`` one worker
builds the sample data once and runs them all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from index.datadir import DataDir

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys, search_cli; sys.exit(search_cli.main())"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(tempfile.gettempdir()) / "ojp-search-test-artifacts"


def cli_env(prefect_api: str | None = None) -> dict[str, str]:
    """The environment of a child ``ojp-search``: reporting to the Prefect server at
    ``prefect_api`` (None: a local one it starts itself)."""
    env = dict(os.environ)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # a busy machine is slow
    env.pop("OJP_SEARCH_DATA_DIR", None)
    env.pop("PREFECT_API_URL", None)
    if prefect_api is not None:
        env["PREFECT_API_URL"] = prefect_api
    return env


def run_cli(
    *args: str, check: bool = True, timeout: float = 300, prefect_api: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``ojp-search ARGS`` in a child process, as a user runs it; stdout as bytes."""
    done = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=cli_env(prefect_api),
        timeout=timeout,
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"ojp-search {' '.join(args)} exited {done.returncode}: {done.stderr!r}"
        )
    return done


def cli_json_lines(*args: str) -> list[Any]:
    return [json.loads(line) for line in run_cli(*args).stdout.decode().splitlines() if line]


class ServeProcess:
    """``ojp-search serve --port 0`` as a child process; ``url`` is where it listens."""

    def __init__(self, data_dir: DataDir, *extra: str) -> None:
        self.data_dir = data_dir
        self.process = subprocess.Popen(
            [*CLI, "serve", "--port", "0", "--data-dir", str(data_dir.root), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=PROJECT_ROOT,
            env=cli_env(),
        )
        self.url = self._wait_for_address()
        # The rest of its log is read as it comes (a pipe nobody reads would block the server)
        # and kept for failure messages.
        self.log_lines: list[str] = []
        self._reader = threading.Thread(target=self._keep_log, daemon=True)
        self._reader.start()

    def _keep_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.log_lines.append(line)

    @property
    def log(self) -> str:
        """What the server has printed on stderr since it started listening."""
        return "".join(self.log_lines)

    def _wait_for_address(self, timeout: float = 60) -> str:
        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        lines = []
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                break
            lines.append(line)
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                return found.group(1)
        self.stop()
        raise AssertionError(f"serve did not start: {''.join(lines)!r}")

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        """GET ``path``: (status, body, headers); an HTTP error status is returned, not raised."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=60) as answer:
                return answer.status, answer.read(), dict(answer.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def get_json(self, path: str) -> Any:
        status, body, _ = self.get(path)
        assert status == 200, (status, body[:300])
        return json.loads(body)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.join(5)
        elif self.process.stderr is not None:
            self.process.stderr.close()


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> DataDir:
    """The sample site crawled into a data dir by ``ojp-search demo``, once per session."""
    root = tmp_path_factory.mktemp("web") / "sample"
    run_cli("demo", "--data-dir", str(root), prefect_api=prefect_api)
    return DataDir(root)


@pytest.fixture(scope="session")
def sample_server(sample_data: DataDir) -> Iterator[ServeProcess]:
    """``ojp-search serve`` over the sample data, for the session."""
    server = ServeProcess(sample_data)
    yield server
    server.stop()


def copy_data_dir(source: DataDir, target: Path) -> DataDir:
    shutil.copytree(source.root, target, symlinks=True)
    return DataDir(target)


# -- hostile records -------------------------------------------------------------------------

SCRIPT = "<script>window.__pwned = 1; alert('xss')</script>"
HANDLER = '<img src=x onerror="window.__pwned = 2; alert(2)">'
ESCAPES = "\x1b[31mred\x1b[0m \x07bell \u202egnp.exe\u202c \u2066isolated\u2069"


def hostile_records() -> list[Any]:
    """Records as a hostile page could make them: markup and script in every text field,
    ``javascript:`` and ``data:`` links, terminal escapes and bidi controls."""
    from index.records import Attachment, Link
    from tests.store_builders import make_record

    return [
        make_record(
            "hostile-one",
            title=f"Trafficking report {SCRIPT}{HANDLER}",
            summary=f"Trafficking summary {SCRIPT} {ESCAPES}",
            body=(
                f"Trafficking body </style><style>body{{display:none}}</style> {HANDLER} {ESCAPES}"
            ),
            topics=(f"Topic {SCRIPT}",),
            authors=(f"Author {HANDLER}",),
            details={"series": f"Series {SCRIPT}", "journal": f"J {HANDLER}", "volume": "3"},
            attachments=(
                Attachment(
                    url="javascript:window.__pwned=3;alert(3)",
                    title=f"Document {SCRIPT}",
                    text=f"trafficking in the document {SCRIPT} {ESCAPES}",
                ),
            ),
            related=(
                Link(url="javascript:window.__pwned=4", title=f"Related {HANDLER}"),
                Link(url="data:text/html,<script>alert(5)</script>", title="Data link"),
                Link(url="https://www.ojp.gov/safe", title="A safe link"),
            ),
            aliases=("javascript:alert(6)",),
        ),
        make_record(
            "hostile-two",
            url="javascript:window.__pwned=7;alert(7)//nij.ojp.gov/x",
            title=f"Trafficking {ESCAPES} <b onmouseover=alert(8)>bold</b>",
            summary="Trafficking with a javascript: URL as its own address.",
        ),
        make_record(
            "plain",
            title="Trafficking plain record",
            summary="A plain record about trafficking, to be similar to the others.",
        ),
    ]


def build_hostile_data(root: Path) -> DataDir:
    """A data dir whose store holds ``hostile_records()``, applied as one run, and its index."""
    from index.fulltext.writer import rebuild_index
    from index.store import Store
    from tests.store_builders import fetched, run_crawl

    data_dir = DataDir(root)
    data_dir.ensure()
    with Store.open(data_dir) as store:
        run_crawl(store, [fetched(record) for record in hostile_records()])
        rebuild_index(store, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    return build_hostile_data(tmp_path_factory.mktemp("web") / "hostile")


# -- the browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (skipped when either is missing)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
