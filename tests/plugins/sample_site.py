"""Fixtures serving the bundled sample site (an offline OJP mirror) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawlers.sample_site import SampleSite, copy_site, sites_toml
from crawlers.sample_site.editor import EditableSite


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SampleSite]:
    """The bundled site, served read-only for the whole session."""
    with SampleSite() as site:
        yield site


@pytest.fixture
def editable_site(tmp_path: Path) -> Iterator[EditableSite]:
    """A private copy of the site, served, with ``edit``/``remove``/``fail`` methods."""
    root = copy_site(tmp_path / "site")
    with SampleSite(root) as site:
        yield EditableSite(site)


@pytest.fixture
def sample_sites_file(tmp_path: Path, sample_site: SampleSite) -> Path:
    """A sites file (TOML) crawling the session's sample site."""
    path = tmp_path / "sites.toml"
    path.write_text(sites_toml(sample_site.base_url), encoding="utf-8")
    return path
