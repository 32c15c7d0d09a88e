"""Which sites a refresh crawls: the sites file checked and the names chosen, before anything
runs. Prefect-free, so a face can refuse a bad sites file or name at once; the refresh flow plans
with the same function.

A data dir remembers the sites file it was refreshed with (``DataDir.remember``), so a later
refresh of it without ``--sites-file`` crawls the same sites, never the built-in OJP sites by
surprise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from crawlers.sites import SiteConfig, SiteConfigError, load_sites
from index.datadir import DataDir
from index.errors import UsageError
from index.filters import check_names

CONFIG_TABLE = "refresh"  # [refresh] sites_file = "..." in the data dir's config.toml


@dataclass(frozen=True)
class SiteSelection:
    """What a refresh will crawl: the sites file (None: the built-in sites) and the names."""

    sites_file: Path | None
    names: tuple[str, ...]
    remembered: bool  # the sites file came from the data dir's config

    def describe(self) -> str:
        source = f"from {self.sites_file}" if self.sites_file else "built in"
        if self.remembered:
            source += ", remembered by the data dir"
        return f"{', '.join(self.names)} ({source})"


def load_site_config(sites_file: str | Path | None) -> SiteConfig:
    """The sites file (or the built-in sites), checked field by field (``UsageError``)."""
    path = Path(sites_file).expanduser() if sites_file else None
    try:
        return load_sites(path)
    except SiteConfigError as exc:
        raise UsageError(str(exc)) from exc


def select_site_names(
    names: Sequence[str] | None, sites_file: str | Path | None
) -> tuple[str, ...]:
    """The names of the sites a refresh crawls: ``names`` (checked, with the closest known name
    for a typo), else the sites file's sites, else every built-in site."""
    config = load_site_config(sites_file)
    if names:
        check_names(names, tuple(config.sites), "site", "Known sites", upper=False)
    try:
        return tuple(site.name for site in config.select(list(names) if names else None))
    except SiteConfigError as exc:
        raise UsageError(str(exc)) from exc


def select_sites(
    data_dir: DataDir, names: Sequence[str] | None, sites_file: str | Path | None
) -> SiteSelection:
    """The sites a refresh of ``data_dir`` crawls: with ``sites_file`` given, that file; else the
    file the data dir remembers (``remember_selection``); else the built-in sites."""
    remembered = False
    if sites_file:
        path: Path | None = Path(sites_file).expanduser().resolve()
    else:
        known = data_dir.read_config().get(CONFIG_TABLE, {}).get("sites_file")
        path, remembered = (Path(known), True) if known else (None, False)
        if path is not None and not path.is_file():
            raise UsageError(
                f"the data dir {data_dir.root} was refreshed with the sites file {path}, which is "
                "gone; give --sites-file."
            )
    return SiteSelection(path, select_site_names(names, path), remembered)


def remember_selection(data_dir: DataDir, selection: SiteSelection) -> None:
    """Make the data dir remember the sites file a refresh of it was given."""
    if selection.sites_file is not None and not selection.remembered:
        data_dir.remember(CONFIG_TABLE, sites_file=str(selection.sites_file))
