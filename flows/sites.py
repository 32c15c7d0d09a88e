"""Which sites a refresh crawls: the sites file checked and the names chosen, before anything
runs. Prefect-free, so a face can refuse a bad sites file or name at once; the refresh flow plans
with the same function."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crawlers.sites import SiteConfig, SiteConfigError, load_sites
from index.errors import UsageError


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
    """The names of the sites a refresh crawls: ``names`` (checked), else the sites file's
    sites, else every built-in site. ``UsageError`` for a bad file or an unknown name."""
    config = load_site_config(sites_file)
    try:
        return tuple(site.name for site in config.select(list(names) if names else None))
    except SiteConfigError as exc:
        raise UsageError(str(exc)) from exc
