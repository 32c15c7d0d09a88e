"""Site crawls on a Prefect work pool: any worker crawls any site, staging into the shared store.

The refresh flow (``flows.refresh``) runs where the index lives. Given a ``crawl_deployment``,
it hands each site to ``crawl_on_pool`` instead of crawling it in its own process: the task
starts a run of that deployment (the ``crawl-site`` flow below, which a worker of a process work
pool picks up), waits for it, and reads the crawl's summary back from the store. The crawl flow
stages its results into the same store (PostgreSQL when the workers are other machines), so
nothing travels through Prefect but the parameters; the refresh then applies the run and updates
the index once, after every crawl, as it does for local crawls.

A crawl that does not end within ``crawl_attempt_seconds`` of starting (its worker died, its
machine went away) is marked crashed and the task retries it: another worker picks the new run.
What the lost attempt staged stays in the run and the retry's results, staged later, win
(``index.sync`` applies the latest result per URL). A site whose attempts all fail fails the run
cleanly, as a local crawl does, and the next refresh catches up.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun, State
from prefect.deployments import run_deployment
from prefect.runtime import task_run
from prefect.states import Crashed

from crawlers.runner import KILL_GRACE_SECONDS
from flows.progress import notify
from flows.refresh import (
    CRAWL_RETRIES,
    CRAWL_RETRY_DELAYS,
    RefreshPlan,
    crawl_one_site,
    plan_refresh,
)
from flows.sites import load_site_config
from index.records import CrawlSummary
from index.store import Store
from index.store_file import store_location

#: The crawl flow's deployment in the bundled prefect.yaml (``flow name/deployment name``).
CRAWL_DEPLOYMENT = "crawl-site/ojp-search-crawl"
#: Seconds a crawl run may take to start on a worker and to report its end, beyond the crawl.
START_SECONDS = 120.0
#: Seconds between two looks at a crawl run's state.
POLL_SECONDS = 1.0


class PoolCrawlError(RuntimeError):
    """A crawl run on the pool that did not complete (the task retries it elsewhere)."""


def worker_name() -> str:
    """The Prefect worker running this flow run (its host name outside a worker)."""
    return os.environ.get("PREFECT__WORKER_NAME") or socket.gethostname()


@flow(name="crawl-site", flow_run_name="crawl {site} (run {run_id})", retries=0)
def crawl_site_flow(
    site: str,
    run_id: int,
    store: str,
    sites_file: str | None = None,
    full: bool = False,
    deadline: float | None = None,
) -> dict[str, Any]:
    """Crawl one site of run ``run_id`` on this worker, staging its results into ``store``.

    ``sites_file`` must be readable at the same path here (or left out: the built-in sites).
    """
    plan = replace(plan_refresh([site], full, sites_file, None, store=store), deadline=deadline)
    crawl = crawl_one_site.with_options(retries=0, task_run_name=f"crawl {site} on {worker_name()}")
    summary = crawl(site, plan, run_id)
    return asdict(summary)


def attempt_seconds(plan: RefreshPlan) -> float:
    """How long one crawl run may take: the crawl's own limit, its grace, and the start."""
    if plan.crawl_attempt_seconds:
        return plan.crawl_attempt_seconds
    limit = load_site_config(plan.sites_file).crawl.max_site_seconds
    return limit + KILL_GRACE_SECONDS + START_SECONDS


def shared_store(plan: RefreshPlan) -> str:
    """The store as a URL the workers can open."""
    location = store_location(plan.data_dir)
    return f"sqlite:///{location}" if isinstance(location, Path) else location


@task(
    name="crawl-site-on-pool",
    task_run_name="crawl {site} on the pool",
    retries=CRAWL_RETRIES,
    retry_delay_seconds=list(CRAWL_RETRY_DELAYS),
    cache_policy=NO_CACHE,
)
def crawl_on_pool(site: str, plan: RefreshPlan, run_id: int) -> CrawlSummary:
    """Run the crawl of ``site`` on the pool and wait for it; its summary, from the store."""
    notify.site_started(site, task_run.run_count)
    parameters = {
        "site": site,
        "run_id": run_id,
        "store": shared_store(plan),
        "sites_file": str(plan.sites_file) if plan.sites_file else None,
        "full": plan.full,
        "deadline": plan.deadline,
    }
    child: FlowRun = run_deployment(  # type: ignore[assignment]
        str(plan.crawl_deployment),
        parameters=parameters,
        timeout=0,
        flow_run_name=f"crawl {site} (run {run_id}, attempt {task_run.run_count})",
    )
    state = wait_for_crawl(child.id, attempt_seconds(plan), plan.deadline)
    if not state.is_completed():
        raise PoolCrawlError(f"the crawl of {site} on the pool ended {state.name}: {state.message}")
    with Store.open(plan.data_dir) as store:
        summary = store.crawl_summaries(run_id).get(site)
    if summary is None:
        raise PoolCrawlError(f"the crawl of {site} on the pool ended without a summary")
    get_run_logger().info("%s: crawled on the pool, %d request(s)", site, summary.requests)
    return summary


def wait_for_crawl(flow_run_id: UUID, seconds: float, deadline: float | None) -> State:
    """The crawl run's final state; a run pending or running for longer than ``seconds`` (or
    past the run's deadline) is marked crashed: its worker is taken for lost."""
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(flow_run_id).state
            if state is None or state.is_final():
                return state or Crashed(message="the crawl run has no state")
            lost = False
            if state.is_running() or state.is_pending():
                lost = (datetime.now(UTC) - state.timestamp).total_seconds() > seconds
            if lost or (deadline is not None and time.time() > deadline):
                message = f"no end after {seconds:g} s: its worker is taken for lost"
                client.set_flow_run_state(flow_run_id, Crashed(message=message), force=True)
                return Crashed(message=message)
            time.sleep(POLL_SECONDS)
