"""The demo: serve the bundled sample site on 127.0.0.1, refresh a fresh demo data dir from it
with the real refresh flow (Prefect's ephemeral mode, no server needed), and run a few searches.

The demo data dir is wiped first (the sample site's port, hence its URLs, change every time), so
it must be a folder the demo made: it carries a marker file, and a folder without one is refused.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.sample_site import SampleSite, sites_toml
from crawlers.sample_site.site_definitions import PREFIXES
from flows.refresh import refresh
from flows.sites import CONFIG_TABLE
from index.datadir import DataDir
from index.errors import UsageError
from index.fulltext.searcher import SearchRequest, SearchResults, search

#: Searches the demo runs; each finds something in the sample site.
EXAMPLE_QUERIES = ("human trafficking", 'title:"body armor"', "agency:OVC victim services")
MARKER = "OJP-SEARCH-DEMO"


class DemoDirError(UsageError):
    """The demo data dir is a folder the demo did not make."""


@dataclass
class Demo:
    """What a demo run made: where its data is, the sites file, the run report, the searches."""

    data_dir: DataDir
    sites_file: Path
    base_url: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    searches: list[tuple[str, SearchResults]] = field(default_factory=list)


def demo_site_names() -> tuple[str, ...]:
    """The sites of the sample site, in the order the demo crawls them."""
    return tuple(prefix.name for prefix in PREFIXES)


def serve_sample_site() -> SampleSite:
    """The bundled sample site, served on 127.0.0.1 for as long as its block runs."""
    return SampleSite()


def demo_data_dir(parent: DataDir) -> DataDir:
    """The demo's own data dir inside ``parent``."""
    return DataDir(parent.root / "demo")


def check_demo_dir(data_dir: DataDir) -> None:
    """Raise ``DemoDirError`` unless the folder is missing, empty, or made by the demo."""
    root = data_dir.root
    if root.exists() and any(root.iterdir()) and not (root / MARKER).exists():
        raise DemoDirError(
            f"{root} is not empty and was not made by the demo. "
            "Move it away, or give another --data-dir."
        )


def prepare_demo_dir(data_dir: DataDir) -> None:
    """Wipe the demo data dir (only one the demo made) and mark it as the demo's."""
    check_demo_dir(data_dir)
    root = data_dir.root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / MARKER).write_text("Made by `ojp-search demo`; wiped by the next demo run.\n")


def run_demo(
    data_dir: DataDir, site: SampleSite, queries: tuple[str, ...] = EXAMPLE_QUERIES
) -> Demo:
    """Refresh ``data_dir`` (wiped first) from the started sample ``site``, then search it.

    Raises what the refresh raises (``RefreshFailedError`` when a site failed).
    """
    prepare_demo_dir(data_dir)
    demo = Demo(data_dir=data_dir, sites_file=data_dir.root / "sites.toml", base_url=site.base_url)
    demo.sites_file.write_text(sites_toml(site.base_url), encoding="utf-8")
    # A later `refresh --data-dir` of the demo dir crawls the sample site, never the real sites.
    data_dir.remember(CONFIG_TABLE, sites_file=str(demo.sites_file.resolve()))
    demo.report = refresh(sites_file=str(demo.sites_file), data_dir=str(data_dir.root))
    demo.searches = [(q, search(data_dir, SearchRequest(query=q, limit=3))) for q in queries]
    return demo
