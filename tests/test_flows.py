"""The refresh flow, run for real: Prefect (the session's test harness), Scrapy crawls of the
sample site served on 127.0.0.1, the SQLite store and the Whoosh index in tmp dirs.

Most tests crawl only the NIJ part of the sample site (about twenty pages) to stay quick.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import search_cli
from crawlers.sample_site import sites_toml
from flows import refresh as refresh_module
from flows.progress import notify
from flows.refresh import REPORT_ARTIFACT_KEY, RefreshFailedError, refresh
from flows.schedule import ScheduleError, build_deployment
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.writer import live_index_path
from index.lock import RefreshBusyError, check_refresh_free
from index.store import Store

pytestmark = [pytest.mark.xdist_group("flows"), pytest.mark.usefixtures("prefect_harness")]

#: One quick retry: the tests do not wait for the production back-off.
QUICK_RETRIES: dict[str, Any] = {"crawl_retries": 1, "crawl_retry_delays": [0]}

EDITED = "/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct"
REMOVED = "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement"
FAILING = "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions"
MISSING = "/nij/topics/articles/improving-collection-digital-evidence"


def run_refresh(data_dir: DataDir, sites_file: Path, sites: tuple[str, ...] = ("nij",)) -> dict:
    return refresh(
        sites=list(sites), sites_file=str(sites_file), data_dir=str(data_dir.root), **QUICK_RETRIES
    )


def titles_found(data_dir: DataDir, query: str) -> list[str]:
    return [hit.title for hit in search(data_dir, SearchRequest(query=query, limit=50)).hits]


def index_files(data_dir: DataDir) -> dict[str, tuple[int, int]]:
    """Every file of the live index generation, with its size and mtime."""
    folder = live_index_path(data_dir)
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()
    }


def write_sites_file(path: Path, base_url: str, **crawl: object) -> Path:
    """The sample site's sites file, with extra ``[crawl]`` settings."""
    extra = "".join(f"{key} = {value}\n" for key, value in crawl.items())
    path.write_text(sites_toml(base_url).replace("[crawl]\n", "[crawl]\n" + extra, 1))
    return path


def record_id_of(data_dir: DataDir, url: str) -> str:
    with Store.open(data_dir) as store:
        record = store.get(url)
    assert record is not None, f"no record for {url}"
    return record.id


def now_lastmod() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def latest_report_artifact() -> Any:
    """The newest run report artifact, from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[REPORT_ARTIFACT_KEY])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return artifacts[0]


def flow_run_and_tasks(flow_run_id: Any) -> tuple[Any, dict[str, Any]]:
    """A flow run and its task runs by name, from the Prefect API."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return run, {task.name: task for task in tasks}


def test_first_run_indexes_every_page_and_a_rerun_writes_nothing(
    tmp_path: Path, sample_sites_file: Path
) -> None:
    data = DataDir(tmp_path / "data")

    first = run_refresh(data, sample_sites_file)

    with Store.open(data) as store:
        live = store.count_records()
    assert first["status"] == "completed"
    assert live > 10
    assert first["index"]["documents"] == live == len(first["changes"]["added"])
    assert "Overview of Human Trafficking and NIJ’s Role" in titles_found(data, "human trafficking")
    assert "Ballistic Resistant Body Armor and the NIJ Mark" in titles_found(data, "body armor")

    generation, files = live_index_path(data).name, index_files(data)
    second = run_refresh(data, sample_sites_file)

    assert second["status"] == "completed"
    assert second["changes"] == {"added": [], "changed": [], "removed": [], "withheld": {}}
    assert {second["totals"][k] for k in ("added", "changed", "removed", "failed")} == {0}
    assert second["index"]["committed"] is False
    assert live_index_path(data).name == generation
    assert index_files(data) == files


def test_run_report_is_published_as_a_markdown_artifact(
    tmp_path: Path, sample_sites_file: Path
) -> None:
    report = run_refresh(DataDir(tmp_path / "data"), sample_sites_file, sites=("ovc",))

    artifact = latest_report_artifact()
    markdown = artifact.data
    assert artifact.type == "markdown"
    flow_run, tasks = flow_run_and_tasks(artifact.flow_run_id)
    assert flow_run.name == "refresh ovc"
    assert flow_run.state_type.value == "COMPLETED"
    assert sorted(tasks) == [
        "apply run 1",
        "check saved searches",
        "crawl ovc",
        "report run 1",
        "start run",
        "update index",
    ]
    assert f"# Refresh run {report['run_id']}: completed" in markdown
    added = report["counts"]["ovc"]["added"]
    assert added > 0
    assert re.search(
        rf"^\| ovc \| {report['counts']['ovc']['fetched']} \| .*\| {added} \|", markdown, re.M
    )


def test_edits_removals_and_server_errors_reach_the_index(
    tmp_path: Path, editable_site: Any
) -> None:
    data = DataDir(tmp_path / "data")
    sites_file = write_sites_file(tmp_path / "sites.toml", editable_site.base_url)
    run_refresh(data, sites_file)
    edited_id = record_id_of(data, editable_site.url(EDITED))
    failing_title = "Sexual Assault Kits: Using Science to Find Solutions"
    assert "Research on Body-Worn Cameras and Law Enforcement" in titles_found(data, "body-worn")

    old_title = "How Probationers’ Thoughts on Crime May Inform Conduct"
    new_title = "How Probationers’ Thinking About Crime Shapes Their Conduct"
    page = editable_site.file(EDITED).read_text(encoding="utf-8")
    editable_site.write(EDITED, page.replace(old_title, new_title))
    editable_site.remove(REMOVED)  # 404
    editable_site.fail(FAILING)  # 500
    for path in (REMOVED, FAILING):  # the sitemap says they changed: the crawl asks for them
        assert editable_site.set_lastmod(path, now_lastmod())
    second = run_refresh(data, sites_file)

    assert second["changes"]["changed"] == [edited_id]
    assert second["changes"]["added"] == []
    assert new_title in titles_found(data, "thinking crime conduct")
    assert old_title not in titles_found(data, "probationers")
    assert "Research on Body-Worn Cameras and Law Enforcement" not in titles_found(
        data, "body-worn"
    )
    assert failing_title in titles_found(data, "sexual assault kits")
    with Store.open(data) as store:
        kept = store.get(editable_site.url(FAILING))
    assert kept is not None and kept.title == failing_title
    assert second["counts"]["nij"]["failed"] == 1
    assert second["status"] == "completed"  # a failed page is not a failed run


def test_page_the_crawl_no_longer_reaches_is_removed_after_the_miss_limit(
    tmp_path: Path, sample_site: Any
) -> None:
    """Pages known from earlier runs are asked for again, so a page only goes missing when the
    crawl stops reaching it: here a new ``deny`` rule takes it out of the site."""
    data = DataDir(tmp_path / "data")
    crawl = {"miss_limit": 2, "max_removal_share": 0.5}
    sites_file = write_sites_file(tmp_path / "sites.toml", sample_site.base_url, **crawl)
    title = "Improving the Collection of Digital Evidence"
    run_refresh(data, sites_file)
    missing_id = record_id_of(data, sample_site.url(MISSING))
    assert title in titles_found(data, "digital evidence")

    denied = tmp_path / "denied.toml"
    denied.write_text(sites_file.read_text().replace("deny = [", f'deny = ["{MISSING}$", '))
    once = run_refresh(data, denied)
    assert once["changes"]["removed"] == []
    assert title in titles_found(data, "digital evidence")  # one miss is not enough

    twice = run_refresh(data, denied)
    assert twice["changes"]["removed"] == [missing_id]
    assert title not in titles_found(data, "digital evidence")
    with Store.open(data) as store:
        assert store.record_status(missing_id) == "gone"


def test_a_site_that_is_down_fails_its_task_and_keeps_its_records(
    tmp_path: Path, editable_site: Any, sample_site: Any
) -> None:
    data = DataDir(tmp_path / "data")
    sites_file = tmp_path / "sites.toml"  # nij from its own server, ovc from the shared one
    sites_file.write_text(
        sites_toml(editable_site.base_url).replace(
            f"{editable_site.base_url}/ovc/", f"{sample_site.base_url}/ovc/"
        )
    )
    run_refresh(data, sites_file, sites=("nij", "ovc"))
    with Store.open(data) as store:
        live = store.count_records()
    nij_titles = titles_found(data, "agency:NIJ")
    assert len(nij_titles) > 10

    editable_site.site.stop()  # the nij server goes down
    attempts: list[tuple[str, int]] = []
    finished: dict[str, str | None] = {}

    class Recorder:
        def site_started(self, site: str, attempt: int) -> None:
            attempts.append((site, attempt))

        def site_progressed(self, site: str, pages: int) -> None:
            pass

        def site_finished(self, site: str, error: str | None) -> None:
            finished[site] = error

    with notify.listening(Recorder()), pytest.raises(RefreshFailedError) as failed:
        run_refresh(data, sites_file, sites=("nij", "ovc"))

    report = failed.value.report
    assert report["status"] == "failed"
    assert sorted(a for s, a in attempts if s == "nij") == [1, 2]  # retried once
    assert finished["ovc"] is None and "down or unreachable" in (finished["nij"] or "")
    assert [e["site"] for e in report["errors"] if not e["url"]] == ["nij"]
    assert report["counts"]["ovc"]["not_modified"] + report["counts"]["ovc"]["skipped"] > 0
    assert report["changes"]["removed"] == []
    with Store.open(data) as store:
        assert store.count_records() == live
    assert titles_found(data, "agency:NIJ") == nij_titles
    assert store_runs(data)[0] == (report["run_id"], "failed")
    # Prefect's side: the run failed, the nij crawl after its retry, the rest ran.
    artifact = latest_report_artifact()
    assert f"# Refresh run {report['run_id']}: failed" in artifact.data
    assert "## Failures\n\n- nij: no answer to " in artifact.data
    flow_run, tasks = flow_run_and_tasks(artifact.flow_run_id)
    assert flow_run.name == "refresh nij,ovc"
    assert flow_run.state_type.value == "FAILED"
    assert (tasks["crawl nij"].state_type.value, tasks["crawl nij"].run_count) == ("FAILED", 2)
    assert tasks["crawl ovc"].state_type.value == "COMPLETED"
    assert tasks["update index"].state_type.value == "COMPLETED"


def store_runs(data_dir: DataDir) -> list[tuple[int, str]]:
    with Store.open(data_dir) as store:
        return [(run.run_id, run.status) for run in store.last_runs(3)]


def test_a_second_refresh_on_the_same_data_dir_is_refused(
    tmp_path: Path, sample_sites_file: Path, refresh_lock_holder: Any
) -> None:
    data = DataDir(tmp_path / "data")
    holder = refresh_lock_holder(data)

    with pytest.raises(RefreshBusyError) as busy:
        run_refresh(data, sample_sites_file)

    assert str(busy.value) == (
        f"another refresh is running on {data.root} (pid {holder.pid}). "
        "Wait for it to finish, or stop it."
    )
    assert not data.store_path.exists()  # refused before it touched anything
    holder.kill()
    holder.wait()
    check_refresh_free(data)  # a killed refresh leaves no stale lock behind


def test_schedule_creates_a_deployment_that_prefect_serves(
    tmp_path: Path, sample_sites_file: Path
) -> None:
    from prefect.client.orchestration import get_client

    data = DataDir(tmp_path / "data")
    deployment = build_deployment(
        data_dir=data, interval=90, sites=["nij"], sites_file=sample_sites_file, name="test-every"
    )
    deployment_id = deployment.apply()
    nightly_id = build_deployment(data_dir=data, name="test-nightly").apply()

    with get_client(sync_client=True) as client:
        every = client.read_deployment(deployment_id)
        nightly = client.read_deployment(nightly_id)
    assert [s.schedule.interval for s in every.schedules] == [timedelta(seconds=90)]
    assert all(s.active for s in every.schedules)
    assert every.parameters == {
        "sites": ["nij"],
        "full": False,
        "sites_file": str(sample_sites_file.resolve()),
        "data_dir": str(data.root.resolve()),
    }
    assert every.entrypoint == "flows.refresh.refresh"  # a module path: works wherever installed
    assert every.global_concurrency_limit is not None
    assert every.global_concurrency_limit.limit == 1
    assert [s.schedule.cron for s in nightly.schedules] == ["0 5 * * *"]
    assert nightly.parameters["sites"] is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cron": "every day"}, '"every day" is not a valid cron expression'),
        ({"interval": 0}, "the interval must be a positive number of seconds"),
        ({"cron": "0 5 * * *", "interval": 60}, "either a cron expression or an interval"),
    ],
)
def test_bad_schedules_are_refused(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(ScheduleError, match=re.escape(message)):
        build_deployment(data_dir=DataDir(tmp_path), **options)


def test_a_refresh_killed_midway_leaves_the_store_and_index_as_they_were(
    tmp_path: Path, editable_site: Any
) -> None:
    data = DataDir(tmp_path / "data")
    sites_file = write_sites_file(tmp_path / "sites.toml", editable_site.base_url)
    run_refresh(data, sites_file)
    with Store.open(data) as store:
        live = store.count_records()
    generation, files = live_index_path(data).name, index_files(data)
    old_title = "How Probationers’ Thoughts on Crime May Inform Conduct"
    page = editable_site.file(EDITED).read_text(encoding="utf-8")
    editable_site.write(EDITED, page.replace(old_title, "A Title That Never Lands"))
    editable_site.delay("/nij/topics/corrections", 30)  # holds the crawl open

    # The command line, in Prefect's ephemeral mode (no server), killed with its crawl process.
    command = [sys.executable, "-m", "search_cli", "refresh", "--sites-file", str(sites_file)]
    command += ["--site", "nij", "--data-dir", str(data.root)]
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"))
    env.pop("PREFECT_API_URL", None)
    process = subprocess.Popen(
        command,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    said = [process.stderr.readline().strip() for _ in range(3)]
    assert said[0].startswith("Refreshing ") and said[1].startswith("Starting Prefect")
    assert said[2] == "nij: crawling"
    time.sleep(2)
    # Meanwhile search and export work, and see the last committed state.
    exported = tmp_path / "during.jsonl"
    assert search_cli.main(["export", "-o", str(exported), "--data-dir", str(data.root)]) == 0
    titles = [json.loads(line)["title"] for line in exported.read_text().splitlines()]
    assert len(titles) == live and old_title in titles
    assert old_title in titles_found(data, "probationers")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()

    assert live_index_path(data).name == generation
    assert index_files(data) == files
    assert old_title in titles_found(data, "probationers")
    with Store.open(data) as store:
        assert store.count_records() == live
    check_refresh_free(data)  # the kernel released the dead run's lock

    editable_site.restore("/nij/topics/corrections")
    after = run_refresh(data, sites_file)
    assert after["status"] == "completed"
    assert "A Title That Never Lands" in titles_found(data, "title never lands")
    assert [status for _, status in store_runs(data)] == ["completed", "failed", "completed"]


#: Runs the real refresh flow, killed (SIGKILL) as soon as its store transaction has committed:
#: the apply task's completion hook kills the process before the index step starts.
KILLED_AFTER_APPLY = """
import os, signal, sys
import flows.refresh as refresh_module

def die(task, task_run, state):
    print("applied", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

refresh_module.apply_run = refresh_module.apply_run.with_options(on_completion=[die])
refresh_module.refresh(sites=["nij"], sites_file=sys.argv[1], data_dir=sys.argv[2])
"""


def test_a_refresh_killed_between_the_store_and_the_index_is_repaired_by_the_next(
    tmp_path: Path, editable_site: Any
) -> None:
    from prefect.settings import PREFECT_API_URL

    data = DataDir(tmp_path / "data")
    sites_file = write_sites_file(tmp_path / "sites.toml", editable_site.base_url)
    run_refresh(data, sites_file)
    edited_id = record_id_of(data, editable_site.url(EDITED))
    generation, files = live_index_path(data).name, index_files(data)
    old_title = "How Probationers’ Thoughts on Crime May Inform Conduct"
    new_title = "Probationers and the Quillwort Question"
    editable_site.edit(EDITED, old_title, new_title)

    env = dict(os.environ, PREFECT_API_URL=str(PREFECT_API_URL.value()))
    child = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_APPLY, str(sites_file), str(data.root)],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert child.stdout == "applied\n"
    with Store.open(data) as store:  # the store committed the edit ...
        assert store.get(edited_id).title == new_title
        assert store.last_runs(1)[0].status == "running"
    assert live_index_path(data).name == generation  # ... the index never saw it
    assert index_files(data) == files
    assert old_title in titles_found(data, "probationers")
    assert new_title not in titles_found(data, "quillwort")

    repair = run_refresh(data, sites_file)

    assert repair["status"] == "completed"
    assert repair["changes"]["changed"] == []  # the store had it already
    assert repair["index"]["upserted"] == 1  # the index caught up from the store
    assert titles_found(data, "quillwort") == [new_title]
    assert old_title not in titles_found(data, "probationers")
    assert [status for _, status in store_runs(data)] == ["completed", "failed", "completed"]
    with Store.open(data) as store:
        assert "interrupted" in (store.last_runs(2)[1].error or "")


def test_only_the_crawl_task_retries_with_backoff() -> None:
    crawl = refresh_module.crawl_one_site
    delays = list(crawl.retry_delay_seconds or [])
    assert crawl.retries == refresh_module.CRAWL_RETRIES > 0
    assert delays == sorted(delays) and delays[0] < delays[-1]
    others = (
        refresh_module.start_run,
        refresh_module.apply_run,
        refresh_module.update_search_index,
        refresh_module.write_run_report,
    )
    assert [task.retries for task in others] == [0, 0, 0, 0]


def test_prefect_yaml_deploys_the_refresh_flow_to_a_work_pool(tmp_path: Path) -> None:
    """`prefect deploy --all` with the bundled prefect.yaml, against the test Prefect server."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.settings import PREFECT_API_URL

    repo = Path(__file__).resolve().parent.parent
    with get_client(sync_client=True) as client:
        for pool in ("ojp-search-index", "ojp-search-crawl"):
            try:
                client.create_work_pool(WorkPoolCreate(name=pool, type="process"))
            except Exception as exc:  # made by an earlier run against the same server
                assert "already exists" in str(exc)
    env = dict(os.environ, PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_HOME=str(tmp_path))
    child = subprocess.run(
        [sys.executable, "-m", "prefect", "--no-prompt", "deploy", "--all"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stdout + child.stderr

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("refresh/ojp-search-refresh")
        crawl = client.read_deployment_by_name("crawl-site/ojp-search-crawl")
    assert deployment.work_pool_name == "ojp-search-index"
    assert deployment.parameters == {"crawl_deployment": "crawl-site/ojp-search-crawl"}
    assert (crawl.work_pool_name, crawl.entrypoint) == (
        "ojp-search-crawl",
        "flows/crawl_pool.py:crawl_site_flow",
    )
    assert deployment.entrypoint == "flows/refresh.py:refresh"
    assert [s.schedule.cron for s in deployment.schedules] == ["0 5 * * *"]
    assert deployment.global_concurrency_limit is not None
    assert deployment.global_concurrency_limit.limit == 1
