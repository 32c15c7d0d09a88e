"""Reliability: a refresh killed with SIGKILL anywhere loses nothing, searches keep working while
refreshes and rebuilds run, stale locks and half-written stores recover, a damaged index says
how to repair it, and a page that fails for a run keeps its last good record.

The kill trials run the refresh steps in a child process (``tests/kill_harness.py``: the flow's
steps without Prefect, so a trial costs one crawl) against a copy of the sample site's OVC and
SMART pages, two of which were edited and one added since the last good run. Each trial stops
the child at a chosen point (a delay into the crawl, the N-th SQL statement of ``apply_run``, a
step of the Whoosh commit, a step of a rebuild), kills its whole process group with SIGKILL,
then checks the store, the index and the next refresh against a clean run.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

import search_cli
from crawlers.sample_site import SampleSite, copy_site, sites_toml
from crawlers.sample_site.editor import EditableSite
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search, search_ids
from index.fulltext.writer import live_index_path, open_index, rebuild_index, update_index
from index.store import Store
from search_cli import ExitCode

REPO = Path(__file__).resolve().parents[1]
SITES = ("ovc", "smart")
SEED = 20261127

#: Edits made after the last good run: two pages change (a new title word each), one is added.
EDITED_ABOUT = "/ovc/about"
EDITED_SORNA = "/smart/sorna"
ADDED_PAGE = "/ovc/news/quillwort-notice"


# -- child processes ----------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    )
    env.update(extra)
    return env


@dataclass
class Child:
    """A child process in a session (process group) of its own, its stdout read by a thread."""

    process: subprocess.Popen[str]
    lines: list[tuple[float, str]] = field(default_factory=list)

    @classmethod
    def start(cls, args: list[str], **env: str) -> Child:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(**env),
            start_new_session=True,
        )
        child = cls(process)
        threading.Thread(target=child.read, daemon=True).start()
        return child

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def seen(self, prefix: str) -> tuple[float, str] | None:
        for stamp, line in list(self.lines):
            if line.startswith(prefix):
                return stamp, line
        return None

    def phase(self) -> str:
        """The step the child was in: its last ``phase`` line, or where it paused."""
        phase = "not started"
        for _, line in list(self.lines):
            if line.startswith("phase "):
                phase = line.split()[1]
            elif line.startswith("paused "):
                return line.split()[1].split(":")[0]
            elif line.startswith("done "):
                phase = "done"
        return phase

    def wait_for(self, prefix: str, timeout: float = 60.0) -> tuple[float, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.seen(prefix)
            if found:
                return found
            if self.process.poll() is not None:
                time.sleep(0.05)  # let the reader thread drain the pipe
                found = self.seen(prefix)
                if found:
                    return found
                raise AssertionError(f"child ended before {prefix!r}: {self.stderr_tail()}")
            time.sleep(0.005)
        raise AssertionError(f"no {prefix!r} from the child in {timeout} s")

    def kill_group(self) -> None:
        """SIGKILL the child and everything it started (its process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def finish(self, timeout: float = 120.0) -> int:
        code = self.process.wait(timeout=timeout)
        time.sleep(0.05)
        return code

    def stderr_tail(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return ""
        return self.process.stderr.read()[-3000:]


def harness(*args: str) -> list[str]:
    return ["-m", "tests.kill_harness", *args]


def refresh_args(data: DataDir, sites_file: Path, *extra: str) -> list[str]:
    args = ["refresh", "--data-dir", str(data.root), "--sites-file", str(sites_file)]
    for site in SITES:
        args += ["--site", site]
    return harness(*args, *extra)


def resume_args(data: DataDir, lab: KillLab, *extra: str) -> list[str]:
    """Apply the lab's crawled-but-unapplied run to ``data``."""
    return refresh_args(data, lab.sites_file, "--resume", str(lab.crawled_run), *extra)


def run_to_end(args: list[str]) -> list[str]:
    child = Child.start(args)
    code = child.finish()
    assert code == 0, child.stderr_tail()
    return [line for _, line in child.lines]


# -- what the store and the index hold ----------------------------------------------------------


def live_hashes(data: DataDir) -> dict[str, str]:
    """Live record id -> content hash, read with plain SQLite."""
    conn = sqlite3.connect(data.store_path)
    try:
        rows = conn.execute("SELECT id, content_hash FROM records WHERE status = 'live'")
        return dict(rows.fetchall())
    finally:
        conn.close()


def live_titles(data: DataDir) -> dict[str, str]:
    conn = sqlite3.connect(data.store_path)
    try:
        rows = conn.execute("SELECT id, data FROM records WHERE status = 'live'").fetchall()
    finally:
        conn.close()
    return {rid: json.loads(text)["title"] for rid, text in rows}


def indexed_titles(data: DataDir) -> dict[str, str]:
    """Document id -> stored title of every document in the live index."""
    ix = open_index(data)
    with ix.searcher() as searcher:
        return {doc["id"]: doc.get("title", "") for doc in searcher.all_stored_fields()}


def store_problems(data: DataDir) -> list[str]:
    conn = sqlite3.connect(data.store_path)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ([] if integrity == ["ok"] else integrity) + [f"foreign key: {row}" for row in foreign]


def title_word(title: str) -> str:
    """The title's longest word: a query that must find the record."""
    words = re.findall(r"[A-Za-z]{4,}", title)
    return max(words, key=len)


def unfindable(data: DataDir, titles: dict[str, str]) -> list[str]:
    """The records of ``titles`` that a search by id or by a title word does not find."""
    missing = []
    for rid, title in titles.items():
        by_id = set(search_ids(data, SearchRequest(query=f"id:{rid}")))
        word = title_word(title)
        by_word = set(search_ids(data, SearchRequest(query=word)))
        if rid not in by_id:
            missing.append(f"{rid} by id")
        if rid not in by_word:
            missing.append(f"{rid} by {word!r}")
    return missing


def copy_data(source: DataDir, dest: Path) -> DataDir:
    shutil.copytree(source.root, dest, symlinks=True)
    (dest / "refresh.lock").unlink(missing_ok=True)
    return DataDir(dest)


# -- the lab: a served site, the last good run, and a clean run after the edits ----------------


@dataclass(frozen=True)
class State:
    hashes: dict[str, str]
    index: dict[str, str]


@dataclass(frozen=True)
class KillLab:
    root: Path
    sites_file: Path
    before: DataDir  # the last good run, before the edits
    crawled: DataDir  # a run after the edits, crawled but not applied
    crawled_run: int
    staged_total: int  # the results that run staged
    pre: State
    post: State  # what a clean run after the edits leaves
    apply_statements: int


def edit_site(site: EditableSite) -> None:
    site.edit(EDITED_ABOUT, "About OVC</span>", "About OVC Quillwort</span>")
    site.edit(
        EDITED_ABOUT,
        "Created in 1983",
        f'See the <a href="{ADDED_PAGE}">Quillwort notice</a>. Created in 1983',
    )
    site.edit(EDITED_SORNA, "(SORNA)</span>", "(SORNA) Marshwort Revision</span>")
    template = site.file(EDITED_ABOUT).read_text(encoding="utf-8")
    page = template.replace("About OVC Quillwort</span>", "Quillwort Notice for Grantees</span>")
    page = page.replace("Welcome to the Office", "This notice tells grantees of the Office")
    site.write(ADDED_PAGE, page, touch_sitemap=False)


@pytest.fixture(scope="module")
def kill_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillLab]:
    root = tmp_path_factory.mktemp("kill-lab")
    with SampleSite(copy_site(root / "site")) as served:
        sites_file = root / "sites.toml"
        sites_file.write_text(sites_toml(served.base_url), encoding="utf-8")
        before = DataDir(root / "before")
        run_to_end(refresh_args(before, sites_file))
        edit_site(EditableSite(served))

        crawled = copy_data(before, root / "crawled")
        lines = run_to_end(refresh_args(crawled, sites_file, "--stop-after", "crawl"))
        crawled_run = int(next(line for line in lines if line.startswith("crawled ")).split()[1])
        staged_total = staged_count(crawled, crawled_run)

        reference = copy_data(crawled, root / "reference")
        lines = run_to_end(refresh_args(reference, sites_file, "--resume", str(crawled_run)))
        count = int(next(line for line in lines if line.startswith("count apply")).split()[2])
        pre = State(live_hashes(before), indexed_titles(before))
        post = State(live_hashes(reference), indexed_titles(reference))
        assert post.hashes != pre.hashes and set(pre.hashes) < set(post.hashes)
        assert len(post.hashes) == len(pre.hashes) + 1
        yield KillLab(
            root, sites_file, before, crawled, crawled_run, staged_total, pre, post, count
        )


# -- the trials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trial:
    name: str
    phase: str  # the step the kill must land in
    stop_at: str | None = None  # a pause point of the harness
    staged: float | None = None  # or: as soon as the run has staged this many results
    orphan: bool = False  # kill only the refresh process, not its crawl children


def crawl_trials(staged_total: int) -> list[Trial]:
    """Kills spread over the crawl: as soon as the run has staged a seeded share of the results
    a whole crawl stages (the crawl children are then mid-crawl), some killing only the refresh
    process and leaving its crawl children orphaned."""
    rng = random.Random(SEED)
    shares = sorted(rng.uniform(0.05, 0.7) for _ in range(3))
    trials = [Trial(f"crawl-at-{share:.0%}", "crawl", staged=share) for share in shares]
    trials.append(Trial("crawl-at-first-result", "crawl", staged=0.0))
    trials += [
        Trial(f"crawl-orphan-at-{share:.0%}", "crawl", staged=share, orphan=True)
        for share in (0.2, 0.6)
    ]
    return [replace(t, staged=max(1, int(t.staged * staged_total))) for t in trials]


def apply_points(total: int, count: int = 5) -> list[int]:
    """Statements 1 (BEGIN) .. total (COMMIT), spread evenly, the middle ones seeded."""
    rng = random.Random(SEED + total)
    inner = sorted(rng.sample(range(2, total), k=count - 2))
    return [1, *inner, total]


INDEX_TRIALS = [
    Trial("index-after-1-doc", "index", stop_at="index:docs:1"),
    Trial("index-after-3-docs", "index", stop_at="index:docs:3"),
    Trial("index-before-toc", "index", stop_at="index:toc"),
    Trial("index-before-state", "index", stop_at="index:state"),
    Trial("finish-begin", "finish", stop_at="finish:1"),
    Trial("finish-commit", "finish", stop_at="finish:3"),
]


def run_trial(lab: KillLab, trial: Trial, workdir: Path) -> str:
    """Run one trial to its kill; returns the phase the kill landed in."""
    if trial.stop_at is not None and not trial.stop_at.startswith("crawl"):
        data = copy_data(lab.crawled, workdir / "data")
        child = Child.start(resume_args(data, lab, "--stop-at", trial.stop_at))
        child.wait_for("paused ")
    else:
        data = copy_data(lab.before, workdir / "data")
        child = Child.start(refresh_args(data, lab.sites_file))
        child.wait_for("phase crawl")
        run_id = int(child.wait_for("run ")[1].split()[1])
        assert trial.staged is not None
        wait_until_staged(data, run_id, child, int(trial.staged))
    phase = child.phase()
    if trial.orphan:
        os.kill(child.process.pid, signal.SIGKILL)  # its crawl children live on
        child.process.wait(timeout=30)
    else:
        child.kill_group()
    check_after_kill(lab, data)
    if trial.orphan:
        # The recovery run starts while the orphaned crawls may still stage into the dead run.
        check_recovery(lab, data)
        child.kill_group()
    else:
        check_recovery(lab, data)
    return phase


def staged_count(data: DataDir, run_id: int) -> int:
    conn = sqlite3.connect(data.store_path, timeout=30)
    try:
        query = "SELECT COUNT(*) FROM staging WHERE run_id = ?"
        return int(conn.execute(query, (run_id,)).fetchone()[0])
    finally:
        conn.close()


def wait_until_staged(data: DataDir, run_id: int, child: Child, count: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and child.phase() == "crawl":
        if staged_count(data, run_id) >= count:
            return
        time.sleep(0.01)


def check_after_kill(lab: KillLab, data: DataDir) -> None:
    """The store is sound and holds the pre- or the post-run state; so does the index; every
    record live before is found by id and by a title word."""
    assert store_problems(data) == []
    hashes = live_hashes(data)
    assert hashes in (lab.pre.hashes, lab.post.hashes), "the store holds a mix of two runs"
    index = indexed_titles(data)
    assert index in (lab.pre.index, lab.post.index), "the index holds a mix of two runs"
    assert unfindable(data, lab.pre.index) == []
    assert search(data, SearchRequest(query="victims")).total > 0


def check_recovery(lab: KillLab, data: DataDir) -> None:
    """The next refresh completes and leaves what a clean run leaves."""
    lines = run_to_end(refresh_args(data, lab.sites_file))
    assert any(line.endswith(" completed") for line in lines if line.startswith("done "))
    assert live_hashes(data) == lab.post.hashes
    assert indexed_titles(data) == lab.post.index
    assert store_problems(data) == []
    conn = sqlite3.connect(data.store_path)
    try:
        running = conn.execute("SELECT id FROM runs WHERE status = 'running'").fetchall()
    finally:
        conn.close()
    assert running == []


@pytest.mark.slow
def test_refresh_killed_during_the_crawl_loses_nothing(kill_lab: KillLab, tmp_path: Path) -> None:
    trials = crawl_trials(kill_lab.staged_total)
    phases = [run_trial(kill_lab, t, tmp_path / str(n)) for n, t in enumerate(trials)]
    landed = [(t.name, t.staged, phase) for t, phase in zip(trials, phases, strict=True)]
    assert phases == ["crawl"] * len(trials), landed


@pytest.mark.slow
def test_refresh_killed_inside_the_store_transaction_loses_nothing(
    kill_lab: KillLab, tmp_path: Path
) -> None:
    points = apply_points(kill_lab.apply_statements)
    trials = [Trial(f"apply-{k}", "apply", stop_at=f"apply:{k}") for k in points]
    phases = [run_trial(kill_lab, t, tmp_path / str(n)) for n, t in enumerate(trials)]
    assert phases == ["apply"] * len(trials)


@pytest.mark.slow
def test_refresh_killed_during_the_index_commit_loses_nothing(
    kill_lab: KillLab, tmp_path: Path
) -> None:
    phases = [run_trial(kill_lab, t, tmp_path / str(n)) for n, t in enumerate(INDEX_TRIALS)]
    assert phases == [t.phase for t in INDEX_TRIALS]


@pytest.mark.slow
@pytest.mark.parametrize(
    "stop_at", ["rebuild:docs:1", "rebuild:docs:5", "rebuild:swap", "rebuild:clean"]
)
def test_rebuild_killed_anywhere_keeps_a_working_index(
    kill_lab: KillLab, tmp_path: Path, stop_at: str
) -> None:
    data = copy_data(kill_lab.before, tmp_path / "data")
    child = Child.start(harness("rebuild", "--data-dir", str(data.root), "--stop-at", stop_at))
    child.wait_for("paused ")
    child.kill_group()

    assert indexed_titles(data) == kill_lab.pre.index
    assert unfindable(data, kill_lab.pre.index) == []
    previous = live_index_path(data).name
    out = run_cli(["rebuild", "--data-dir", str(data.root)])
    assert out.code == ExitCode.OK, out.stderr
    assert indexed_titles(data) == kill_lab.pre.index
    # The killed rebuild's half-built generation is gone; the one live before is kept for readers.
    live = live_index_path(data).name
    assert {p.name for p in data.indexes_dir.iterdir()} == {live, previous}


# -- the CLI in-process -------------------------------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str


def run_cli(args: list[str]) -> CliRun:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = search_cli.main(args)
    return CliRun(code, out.getvalue(), err.getvalue())


# -- searches while the index changes -----------------------------------------------------------

SEARCH_LOOP = textwrap.dedent(
    """
    import contextlib, io, json, sys, time
    import search_cli

    data_dir, stop_file = sys.argv[1], sys.argv[2]
    queries = ["victims", "sex offender", "funding", "title:ovc", "trafficking OR registration"]
    n = 0
    import pathlib
    stop = pathlib.Path(stop_file)
    while not stop.exists():
        query = queries[n % len(queries)]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = search_cli.main(["search", query, "--json", "--limit", "50",
                                    "--data-dir", data_dir])
        summary = json.loads(out.getvalue().splitlines()[-1]) if code == 0 else {}
        print(json.dumps({"query": query, "code": code, "stderr": err.getvalue(),
                          "total": summary.get("total")}), flush=True)
        n += 1
    """
)


@dataclass
class SearchLoop:
    """A process that runs ``ojp-search search`` in a loop until told to stop."""

    data: DataDir
    stop_file: Path
    child: Child | None = None

    def __enter__(self) -> SearchLoop:
        self.child = Child.start(["-c", SEARCH_LOOP, str(self.data.root), str(self.stop_file)])
        self.child.wait_for('{"query"')
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.child is not None
        self.stop_file.touch()
        if self.child.process.poll() is None:
            try:
                self.child.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.child.kill_group()

    def results(self) -> list[dict[str, object]]:
        assert self.child is not None
        return [json.loads(line) for _, line in self.child.lines if line.startswith("{")]


def assert_no_search_errors(results: list[dict[str, object]], minimum: dict[str, int]) -> None:
    failures = [r for r in results if r["code"] != 0 or r["stderr"]]
    assert failures == [], failures[:5]
    for r in results:
        assert int(r["total"]) >= minimum[str(r["query"])], r  # type: ignore[arg-type]


def totals(data: DataDir, queries: list[str]) -> dict[str, int]:
    return {q: search(data, SearchRequest(query=q, limit=50)).total for q in queries}


LOOP_QUERIES = ["victims", "sex offender", "funding", "title:ovc", "trafficking OR registration"]


@pytest.mark.slow
def test_searches_during_rebuilds_and_updates_never_fail(kill_lab: KillLab, tmp_path: Path) -> None:
    data = copy_data(kill_lab.crawled, tmp_path / "data")
    minimum = totals(data, LOOP_QUERIES)
    with SearchLoop(data, tmp_path / "stop") as loop, Store.open(data) as store:
        store.apply_run(kill_lab.crawled_run)
        update_index(store, data)
        for _ in range(6):
            rebuild_index(store, data)
            time.sleep(0.1)
        time.sleep(0.3)
    results = loop.results()
    assert len(results) > 10
    assert_no_search_errors(results, minimum)


@pytest.mark.slow
@pytest.mark.xdist_group("prefect")
@pytest.mark.usefixtures("prefect_harness")
def test_searches_during_a_refresh_never_fail(tmp_path: Path) -> None:
    from flows.refresh import refresh

    root = copy_site(tmp_path / "site")
    with SampleSite(root) as served:
        site = EditableSite(served)
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(sites_toml(served.base_url), encoding="utf-8")
        data = DataDir(tmp_path / "data")
        kwargs = {
            "sites": list(SITES),
            "sites_file": str(sites_file),
            "data_dir": str(data.root),
            "crawl_retries": 0,
        }
        refresh(**kwargs)
        minimum = totals(data, LOOP_QUERIES)
        with SearchLoop(data, tmp_path / "stop") as loop:
            for n in range(3):
                for page in site.root.joinpath("ovc").rglob("*.html"):
                    text = page.read_text(encoding="utf-8")
                    path = "/" + str(page.relative_to(site.root).with_suffix(""))
                    path = path.removesuffix("/index") + ("/" if path.endswith("/index") else "")
                    site.write(path, text.replace("</h1>", f"</h1><p>Revision {n} text.</p>", 1))
                report = refresh(**kwargs)
                assert report["status"] == "completed"
                assert report["index"]["committed"] is True
        results = loop.results()
    assert len(results) > 10
    assert_no_search_errors(results, minimum)


# -- stale locks and half-written stores --------------------------------------------------------

HOLD_INDEX_LOCK = textwrap.dedent(
    """
    import subprocess, sys, time
    from pathlib import Path
    from index.datadir import DataDir
    from index.fulltext.writer import LOCK_NAME, OWNER_FILE, live_index_path, open_index

    data = DataDir(Path(sys.argv[1]))
    path = live_index_path(data)
    lock = open_index(data).lock(LOCK_NAME)
    assert lock.acquire()
    (path / OWNER_FILE).write_text(str(__import__("os").getpid()))
    # A helper started now inherits the lock's descriptor and outlives this process.
    helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                              pass_fds=[lock.fd])
    print("helper", helper.pid, flush=True)
    print("locked", flush=True)
    time.sleep(120)
    """
)


def test_stale_index_lock_of_a_killed_writer_is_cleared(kill_lab: KillLab, tmp_path: Path) -> None:
    data = copy_data(kill_lab.crawled, tmp_path / "data")
    holder = Child.start(["-c", HOLD_INDEX_LOCK, str(data.root)])
    helper_pid = int(holder.wait_for("helper ")[1].split()[1])
    holder.wait_for("locked")
    try:
        os.kill(holder.process.pid, signal.SIGKILL)  # the helper keeps the lock held
        holder.process.wait(timeout=30)
        with Store.open(data) as store:
            store.apply_run(kill_lab.crawled_run)
            update = update_index(store, data)
        assert update.committed
        assert indexed_titles(data) == kill_lab.post.index
    finally:
        os.kill(helper_pid, signal.SIGKILL)
        holder.kill_group()


def test_index_lock_held_by_a_live_writer_is_reported_not_broken(
    kill_lab: KillLab, tmp_path: Path
) -> None:
    from index.fulltext.writer import IndexBusyError

    data = copy_data(kill_lab.crawled, tmp_path / "data")
    holder = Child.start(["-c", HOLD_INDEX_LOCK, str(data.root)])
    helper_pid = int(holder.wait_for("helper ")[1].split()[1])
    holder.wait_for("locked")
    try:
        with Store.open(data) as store:
            store.apply_run(kill_lab.crawled_run)
            with pytest.raises(IndexBusyError, match=f"process {holder.process.pid}"):
                update_index(store, data)
        assert indexed_titles(data) == kill_lab.pre.index
    finally:
        os.kill(helper_pid, signal.SIGKILL)
        holder.kill_group()


def test_store_left_mid_transaction_is_recovered(kill_lab: KillLab, tmp_path: Path) -> None:
    data = copy_data(kill_lab.crawled, tmp_path / "data")
    child = Child.start(
        # everything written, no COMMIT
        resume_args(data, kill_lab, "--stop-at", f"apply:{kill_lab.apply_statements}")
    )
    child.wait_for("paused ")
    # While the transaction is open, readers see the last committed state and search works.
    assert live_hashes(data) == kill_lab.pre.hashes
    assert unfindable(data, kill_lab.pre.index) == []
    child.kill_group()

    out = run_cli(["status", "--json", "--data-dir", str(data.root)])
    assert out.code == ExitCode.OK, out.stderr
    assert json.loads(out.stdout)["live"] == len(kill_lab.pre.hashes)
    assert store_problems(data) == []
    check_recovery(kill_lab, data)
    with Store.open(data) as store:
        killed = store.run_report(kill_lab.crawled_run)
    assert killed.status == "failed"


def test_refresh_lock_of_a_killed_refresh_does_not_block_the_next(
    kill_lab: KillLab, tmp_path: Path
) -> None:
    data = copy_data(kill_lab.crawled, tmp_path / "data")
    child = Child.start(resume_args(data, kill_lab, "--stop-at", "index:toc"))
    child.wait_for("paused ")
    busy = run_cli(
        ["refresh", "--sites-file", str(kill_lab.sites_file), "--data-dir", str(data.root)]
    )
    assert busy.code == ExitCode.BUSY
    assert busy.stderr.startswith("Error: another refresh is running on ")
    assert f"(pid {child.process.pid})" in busy.stderr
    child.kill_group()
    from index.lock import check_refresh_free

    check_refresh_free(data)  # raises RefreshBusyError if the dead refresh still held it


# -- a damaged or missing index -----------------------------------------------------------------

QUERIES = ["victims", "sex offender registration", "funding", "title:ovc"]


def hits_of(data: DataDir) -> dict[str, list[str]]:
    return {q: [h.id for h in search(data, SearchRequest(query=q, limit=50)).hits] for q in QUERIES}


def damage_toc(path: Path) -> None:
    toc = next(path.glob("_MAIN_*.toc"))
    toc.write_bytes(b"\x00garbage" * 8)


def damage_segment(path: Path) -> None:
    """Truncate the segment's files (one compound ``.seg`` or one file per part)."""
    for segment in path.iterdir():
        if segment.name.startswith("MAIN_") and segment.name != "MAIN_WRITELOCK":
            segment.write_bytes(segment.read_bytes()[:40])


def remove_generation(path: Path) -> None:
    shutil.rmtree(path)


def empty_generation(path: Path) -> None:
    for item in path.iterdir():
        item.unlink()


DAMAGES = {
    "garbled-toc": damage_toc,
    "truncated-segment": damage_segment,
    "dangling-link": remove_generation,
    "empty-folder": empty_generation,
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_damaged_index_says_run_rebuild_and_rebuild_restores_it(
    kill_lab: KillLab, tmp_path: Path, damage: str
) -> None:
    data = copy_data(kill_lab.before, tmp_path / "data")
    before = hits_of(data)
    DAMAGES[damage](live_index_path(data))

    for args in (["search", "victims"], ["search", "victims", "--json"]):
        out = run_cli([*args, "--data-dir", str(data.root)])
        assert out.code == ExitCode.FAILED, out
        assert out.stdout == ""
        assert out.stderr == (
            f"Error: the search index in {data.index_dir} is damaged. "
            f'Run "ojp-search rebuild --data-dir {data.root}".\n'
        )

    out = run_cli(["rebuild", "--data-dir", str(data.root)])
    assert out.code == ExitCode.OK, out.stderr
    assert out.stdout.startswith(f"Rebuilt the index: {len(kill_lab.pre.hashes)} records")
    assert hits_of(data) == before


def test_missing_index_with_a_store_says_run_rebuild(kill_lab: KillLab, tmp_path: Path) -> None:
    data = copy_data(kill_lab.before, tmp_path / "data")
    before = hits_of(data)
    shutil.rmtree(data.indexes_dir)
    data.index_dir.unlink()

    out = run_cli(["search", "victims", "--data-dir", str(data.root)])
    assert out.code == ExitCode.NO_DATA
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("Error: ")
    assert 'Run "ojp-search rebuild --data-dir ' in out.stderr, out.stderr

    out = run_cli(["rebuild", "--data-dir", str(data.root)])
    assert out.code == ExitCode.OK, out.stderr
    assert hits_of(data) == before


def test_missing_store_and_index_says_run_refresh(tmp_path: Path) -> None:
    out = run_cli(["search", "victims", "--data-dir", str(tmp_path / "nothing")])
    assert out.code == ExitCode.NO_DATA
    assert out.stderr == (
        f"Error: no search index in {tmp_path / 'nothing' / 'index'}. "
        f'Run "ojp-search refresh --data-dir {tmp_path / "nothing"}" first.\n'
    )


# -- a page that fails for one run --------------------------------------------------------------


@pytest.mark.slow
def test_page_failing_for_a_run_keeps_its_last_good_record(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site")
    with SampleSite(root) as served:
        site = EditableSite(served)
        sites_file = tmp_path / "sites.toml"
        text = sites_toml(served.base_url).replace(
            "[crawl]\n", "[crawl]\ntimeout = 1.0\nretries = 0\n", 1
        )
        sites_file.write_text(text, encoding="utf-8")
        data = DataDir(tmp_path / "data")
        run_to_end(refresh_args(data, sites_file))
        titles = live_titles(data)
        about = next(r for r, t in titles.items() if t == "About OVC")
        sorna = next(r for r, t in titles.items() if "SORNA" in t)

        site.fail(EDITED_ABOUT, 500)
        site.delay(EDITED_SORNA, 3.0)  # over the 1 s timeout
        lines = run_to_end(refresh_args(data, sites_file, "--full"))

        assert any(line.startswith("done ") for line in lines)
        assert live_titles(data) == titles
        assert unfindable(data, {about: titles[about], sorna: titles[sorna]}) == []
        assert set(indexed_titles(data)) == set(titles)
        out = run_cli(["status", "--json", "--data-dir", str(data.root)])
        failing = {f["url"]: f["last_error"] for f in json.loads(out.stdout)["failing"]}
        assert failing[served.url(EDITED_ABOUT)] == "HTTP 500"
        assert "timeout" in failing[served.url(EDITED_SORNA)]

        site.restore(EDITED_ABOUT)
        site.restore(EDITED_SORNA)
        run_to_end(refresh_args(data, sites_file, "--full"))
        out = run_cli(["status", "--json", "--data-dir", str(data.root)])
        assert json.loads(out.stdout)["failing"] == []
        assert live_titles(data) == titles


# -- hostile page text ----------------------------------------------------------------------------

ESCAPES = ("\x1b", "\x9b", "\x07", "\u202e")


def test_terminal_control_sequences_in_pages_never_reach_the_terminal(tmp_path: Path) -> None:
    """A page whose title and text carry escape sequences (clear screen, set the window title,
    a C1 CSI, a bidi override) is crawled, stored and indexed; every command that prints it
    prints it inert, and JSON output keeps it losslessly escaped."""
    data = DataDir(tmp_path / "data")
    root = copy_site(tmp_path / "site")
    with SampleSite(root) as served:
        site = EditableSite(served)
        page = site.file(EDITED_ABOUT).read_text(encoding="utf-8")
        hostile = "Quillwort \x1b[2J\x1b]0;owned\x07 Notice \x9b31m \u202etxt.exe"
        page = page.replace("About OVC</span>", f"{hostile}</span>")
        page = page.replace("Welcome to the Office", f"Quillwort {hostile} welcome to the Office")
        site.write(EDITED_ABOUT, page)
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(sites_toml(served.base_url), encoding="utf-8")
        run_to_end(
            harness(
                "refresh",
                "--data-dir",
                str(data.root),
                "--sites-file",
                str(sites_file),
                "--site",
                "ovc",
            )
        )
    rid = next(iter(search_ids(data, SearchRequest(query="quillwort"))))

    outputs = []
    for args in (
        ["search", "quillwort"],
        ["search", "quillwort", "--json"],
        ["search", "quillwrot"],
        ["show", rid],
        ["show", rid, "--json"],
        ["similar", rid],
        ["changes"],
        ["status"],
        ["search", "title:\x1b[2Jx AND (", "--since", "\x1b[31m"],
    ):
        out = run_cli([*args, "--data-dir", str(data.root)])
        outputs.append(out)
        assert not any(ch in out.stdout + out.stderr for ch in ESCAPES), (args, out)
    assert "Quillwort" in outputs[3].stdout  # the text itself is still shown
    shown = json.loads(outputs[4].stdout)
    assert "Quillwort" in shown["title"] and "Notice" in shown["title"]
