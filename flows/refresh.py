"""The refresh flow: start a run → crawl each site → apply the run to the store and the index →
write the run report.

Each site is crawled by its own task, in parallel, and each crawl runs in its own process
(``crawlers.runner.crawl_site``); only the crawl task retries, since only it touches the network.
A site that still fails after its retries does not stop the others: the run applies what the
other sites staged (a failed crawl is incomplete, so it marks nothing gone), updates the index,
and ends ``failed``. The store applies a run in one transaction and the index commits once, so a
run killed anywhere leaves the last committed store and index as they were.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run, task_run
from prefect.task_runners import ThreadPoolTaskRunner

from crawlers.runner import CHILDREN, crawl_site
from flows.progress import notify
from flows.report import render_markdown, render_text
from flows.sites import load_site_config
from index.datadir import DataDir
from index.errors import ErrorKind, NextStep, OjpError
from index.fulltext.writer import IndexUpdate, SearchError, update_index
from index.lock import hold_refresh_lock
from index.records import CrawlSummary
from index.store import RunChanges, Store, StoreError
from index.watches import WatchCheck, check_watches

#: Crawl attempts after the first, and the wait before each (seconds).
CRAWL_RETRIES = 2
CRAWL_RETRY_DELAYS = (2.0, 10.0)
#: Sites crawled at once (each crawl is a child process).
PARALLEL_CRAWLS = 4
#: The key of the run report artifact in Prefect.
REPORT_ARTIFACT_KEY = "refresh-report"


class SiteUnreachableError(RuntimeError):
    """A crawl that got no HTTP answer at all: the site is down or unreachable."""


class RefreshFailedError(OjpError):
    """A refresh that ran to the end with a failure; ``report`` is its run report (a dict)."""

    kind = ErrorKind.FAILED

    def __init__(self, report: dict[str, Any]) -> None:
        failures = failure_lines(report)
        reasons = "; ".join(failures) or report.get("error") or "see the run report"
        self.report = report
        self.sites_failed = bool(failures)  # else the store or the index refused the run
        super().__init__(
            f"refresh run {report['run_id']} failed: {reasons.rstrip('.')}.",
            next_step=NextStep.STATUS if self.sites_failed else NextStep.NONE,
        )


@dataclass(frozen=True)
class RefreshPlan:
    """What one refresh does, resolved once from the flow's parameters."""

    data_dir: DataDir
    sites_file: Path | None
    sites: tuple[str, ...]
    full: bool
    miss_limit: int
    max_removal_share: float
    deadline: float | None = None  # when the run's crawls must end (seconds since the epoch)
    crawl_deployment: str | None = None  # crawl on a work pool (``flows.crawl_pool``)
    crawl_attempt_seconds: float | None = None  # a pool crawl's time before it is taken for lost
    removal_floor: int = 3  # a site's removals up to this many are never withheld (sites file)
    retries: int = CRAWL_RETRIES  # a failed site is crawled again this many times (sites file)
    confirm_removals: bool = False  # an operator checked the withheld removals: apply them


def plan_refresh(
    sites: list[str] | None,
    full: bool,
    sites_file: str | None,
    data_dir: str | None,
    max_run_seconds: float | None = None,
    store: str | None = None,
) -> RefreshPlan:
    """Validate the sites file and the site names before anything runs (``UsageError``)."""
    path = Path(sites_file).expanduser() if sites_file else None
    config = load_site_config(path)
    selected = config.select(sites or None)  # None: the sites file's sites, else every site
    return RefreshPlan(
        data_dir=DataDir.resolve(data_dir, store=store),
        sites_file=path,
        sites=tuple(site.name for site in selected),
        full=full,
        miss_limit=config.crawl.miss_limit,
        max_removal_share=config.crawl.max_removal_share,
        removal_floor=config.crawl.removal_floor,
        retries=config.crawl.retries,
        deadline=time.time() + (max_run_seconds or config.crawl.max_run_seconds),
    )


def name_refresh_run() -> str:
    """Flow run names like ``refresh nij,ovc`` (``refresh all (full)``)."""
    parameters = flow_run.parameters
    name = "refresh " + ",".join(parameters.get("sites") or ["all"])
    return f"{name} (full)" if parameters.get("full") else name


def failure_lines(report: dict[str, Any]) -> list[str]:
    """One line per site-level failure of a run report."""
    return [f"{e['site']}: {e['error']}" for e in report.get("errors", []) if not e.get("url")]


# -- tasks --------------------------------------------------------------------------------------


@task(name="start-run", task_run_name="start run", cache_policy=NO_CACHE)
def start_run(plan: RefreshPlan) -> int:
    with Store.open(plan.data_dir) as store:
        run_id = store.start_run(plan.sites, full=plan.full)
    get_run_logger().info(
        "Run %d started in %s: %d site(s): %s",
        run_id,
        plan.data_dir.root,
        len(plan.sites),
        ", ".join(plan.sites),
    )
    return run_id


def retry_unless_cancelled(task: Any, task_run: Any, state: Any) -> bool:
    """A crawl is retried after a failure, never after the refresh was stopped."""
    return not CHILDREN.cancelled.is_set()


@task(
    name="crawl-site",
    task_run_name="crawl {site}",
    retries=CRAWL_RETRIES,
    retry_delay_seconds=list(CRAWL_RETRY_DELAYS),
    retry_condition_fn=retry_unless_cancelled,
    cache_policy=NO_CACHE,
)
def crawl_one_site(site: str, plan: RefreshPlan, run_id: int) -> CrawlSummary:
    """Crawl one site in a child process, which stages its results in the store."""
    notify.site_started(site, task_run.run_count)
    summary = crawl_site(
        site,
        sites_file=plan.sites_file,
        data_dir=plan.data_dir,
        run_id=run_id,
        full=plan.full,
        on_progress=partial(notify.site_progressed, site),
        deadline=plan.deadline,
    )
    if summary.requests and not answered(summary):
        answers = "only server errors" if summary.responses else "no answer"
        reason = f"{answers} to {summary.requests} request(s)"
        mark_crawl_incomplete(plan, run_id, summary, reason)
        raise SiteUnreachableError(f"the site is down or unreachable: {reason}")
    get_run_logger().info(
        "%s: %d request(s), %d not modified, answers %s",
        site,
        summary.requests,
        summary.not_modified,
        dict(summary.responses),
    )
    return summary


def answered(summary: CrawlSummary) -> int:
    """Responses other than server errors: a crawl with none found the site down."""
    return sum(n for status, n in summary.responses.items() if not str(status).startswith("5"))


def mark_crawl_incomplete(
    plan: RefreshPlan, run_id: int, summary: CrawlSummary, reason: str
) -> None:
    """Record a crawl as incomplete, so that it marks nothing gone."""
    with Store.open(plan.data_dir) as store:
        store.save_crawl_summary(run_id, replace(summary, complete=False, error=reason))


@task(name="apply-run", task_run_name="apply run {run_id}", cache_policy=NO_CACHE)
def apply_run(plan: RefreshPlan, run_id: int) -> RunChanges:
    with Store.open(plan.data_dir) as store:
        changes = store.apply_run(
            run_id,
            miss_limit=plan.miss_limit,
            max_removal_share=plan.max_removal_share,
            removal_floor=plan.removal_floor,
            confirm_removals=plan.confirm_removals,
        )
    get_run_logger().info(
        "Run %d applied: %d added, %d changed, %d removed",
        run_id,
        len(changes.added),
        len(changes.changed),
        len(changes.removed),
    )
    return changes


@task(name="update-index", task_run_name="update index", cache_policy=NO_CACHE)
def update_search_index(plan: RefreshPlan) -> IndexUpdate:
    with Store.open(plan.data_dir) as store:
        update = update_index(store, plan.data_dir)
    get_run_logger().info(
        "Index %s: %d upserted, %d deleted, %d documents",
        update.generation,
        update.upserted,
        update.deleted,
        update.documents,
    )
    return update


@task(name="check-saved-searches", task_run_name="check saved searches", cache_policy=NO_CACHE)
def check_saved_searches(plan: RefreshPlan, run_id: int) -> list[WatchCheck]:
    """Run each saved search on the updated index and record what newly matches, what changed
    and what stopped matching (``index.watches``)."""
    with Store.open(plan.data_dir) as store:
        checks = check_watches(store, plan.data_dir, run_id)
    for check in checks:
        get_run_logger().info(
            "Saved search %r: %d new, %d changed, %d stopped matching%s",
            check.name,
            len(check.new),
            len(check.changed),
            len(check.stopped),
            f" (not run: {check.error})" if check.error else "",
        )
    return checks


@task(name="write-run-report", task_run_name="report run {run_id}", cache_policy=NO_CACHE)
def write_run_report(
    plan: RefreshPlan, run_id: int, failures: dict[str, str], error: str | None = None
) -> dict[str, Any]:
    """Close the run in the store, log its report and publish it as a markdown artifact."""
    status = "failed" if failures or error else "completed"
    reasons = [f"{site}: {reason}" for site, reason in failures.items()]
    with Store.open(plan.data_dir) as store:
        report = store.finish_run(
            run_id, status=status, error="; ".join([*reasons, *filter(None, [error])]) or None
        ).to_dict()
    get_run_logger().info("Run report\n%s", render_text(report))
    create_markdown_artifact(
        render_markdown(report),
        key=REPORT_ARTIFACT_KEY,
        description=f"Refresh run {run_id}: {status}",
    )
    return report


# -- the flow -----------------------------------------------------------------------------------


def site_crawl_task(plan: RefreshPlan) -> Any:
    """Crawl here, each site in a process of its own, or on the plan's work pool."""
    if plan.crawl_deployment is None:
        return crawl_one_site
    from flows.crawl_pool import crawl_on_pool

    return crawl_on_pool


def collect_failures(crawls: dict[str, PrefectFuture[CrawlSummary]]) -> dict[str, str]:
    """Wait for every crawl; return the sites that failed after their retries, with why."""
    sites = {future.task_run_id: site for site, future in crawls.items()}
    failures: dict[str, str] = {}
    for future in as_completed(list(crawls.values())):
        site = sites[future.task_run_id]
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, CrawlSummary):
            notify.site_finished(site, None)
        else:
            failures[site] = str(outcome) or type(outcome).__name__
            notify.site_finished(site, failures[site])
    return failures


@flow(
    name="refresh",
    flow_run_name=name_refresh_run,
    task_runner=ThreadPoolTaskRunner(max_workers=PARALLEL_CRAWLS),  # type: ignore[arg-type]
)
def refresh(
    sites: list[str] | None = None,
    full: bool = False,
    sites_file: str | None = None,
    data_dir: str | None = None,
    crawl_retries: int | None = None,
    crawl_retry_delays: list[float] | None = None,
    max_run_seconds: float | None = None,
    store: str | None = None,
    crawl_deployment: str | None = None,
    crawl_attempt_seconds: float | None = None,
    confirm_removals: bool = False,
) -> dict[str, Any]:
    """Refresh the store and the index from ``sites`` (default: the sites file's sites, else
    every built-in site). The crawls stop after ``max_run_seconds`` (default: the sites file's),
    incomplete; the run then applies what they found.

    ``store`` is the store's URL (default: the data dir's). With ``crawl_deployment`` (e.g.
    ``crawl-site/ojp-search-crawl``) each site is crawled by a worker of that deployment's work
    pool, staging into the shared store (``flows.crawl_pool``); the apply and index steps run
    here, once, after the crawls. ``confirm_removals`` applies the removals the safety valve
    would withhold (an operator checked them in ``ojp-search status``). A site whose crawl
    fails is crawled again up to ``crawl_retries`` times (default: the sites file's ``retries``).

    Returns the run report (a dict, with the run's ``changes`` and the ``index`` update); raises
    ``RefreshFailedError`` carrying that report when a site failed or the store or the index
    refused the run (the run is then reported failed, and the next refresh catches up), and
    ``RefreshBusyError`` when another refresh holds the data dir.
    """
    plan = plan_refresh(sites, full, sites_file, data_dir, max_run_seconds, store=store)
    plan = replace(
        plan,
        crawl_deployment=crawl_deployment,
        crawl_attempt_seconds=crawl_attempt_seconds,
        confirm_removals=confirm_removals,
    )
    retries = plan.retries if crawl_retries is None else crawl_retries
    delays = list(CRAWL_RETRY_DELAYS if crawl_retry_delays is None else crawl_retry_delays)
    crawl = site_crawl_task(plan).with_options(retries=retries, retry_delay_seconds=delays)
    with hold_refresh_lock(plan.data_dir.ensure()):
        run_id = start_run(plan)
        try:
            futures = {site: crawl.submit(site, plan, run_id) for site in plan.sites}
            failures = collect_failures(futures)
        except STOP_SIGNALS:  # end the crawls now: Prefect waits for its task threads to end
            CHILDREN.cancel()
            raise
        try:
            changes = apply_run(plan, run_id)
            index = update_search_index(plan)
            check_saved_searches(plan, run_id)
        except (StoreError, SearchError) as exc:  # a sentence the user can act on
            raise RefreshFailedError(write_run_report(plan, run_id, failures, str(exc))) from exc
        except Exception as exc:
            write_run_report(plan, run_id, failures, error=f"{type(exc).__name__}: {exc}")
            raise
        report = write_run_report(plan, run_id, failures)
    report.update(changes=asdict(changes), index=asdict(index))
    if report["status"] != "completed":
        raise RefreshFailedError(report)
    return report


#: What stops a refresh from outside: Ctrl-C, and SIGTERM (which Prefect raises as its own
#: ``TerminationSignal`` while a flow runs).
STOP_SIGNALS: tuple[type[BaseException], ...] = (KeyboardInterrupt, TerminationSignal)


def stopped_by_sigterm(exc: BaseException) -> bool:
    return isinstance(exc, TerminationSignal)


def cancel_refresh(data_dir: DataDir, reason: str) -> list[int]:
    """Stop a refresh of this process that a signal interrupted: its crawl processes end at once
    and no retry starts another; its run is marked cancelled and its staged results dropped, so
    the store and the index stay as the last completed run left them. Returns the runs
    cancelled."""
    CHILDREN.cancel()
    with Store.open(data_dir) as store:
        return store.cancel_running_runs(reason)
