"""Edits a served copy of the sample site the way a real site changes: pages edited in place
(with a newer mtime and sitemap ``lastmod``), pages removed, pages failing."""

from __future__ import annotations

import gzip
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path

from crawlers.sample_site.server import ROUTES_FILE, Routes, SampleSite, file_for


class EditableSite:
    """A ``SampleSite`` serving a writable copy, with methods that change it.

    Paths are URL paths (``/nij/topics/articles/...``), mapped to files by the server's rule.
    """

    def __init__(self, site: SampleSite) -> None:
        self.site = site
        self.root = site.root

    @property
    def base_url(self) -> str:
        return self.site.base_url

    def url(self, path: str) -> str:
        return self.site.url(path)

    def file(self, path: str) -> Path:
        """The file serving ``path`` (raises FileNotFoundError when none does)."""
        route, _, query = path.partition("?")
        found = file_for(self.root, route, query)
        if found is None or not found.is_file():
            raise FileNotFoundError(f"no file serves {path} under {self.root}")
        return found

    def edit(self, path: str, old: str, new: str, *, touch_sitemap: bool = True) -> Path:
        """Replace ``old`` (which must occur) by ``new`` in the page at ``path``.

        The file's mtime moves forward by at least a second (so Last-Modified changes) and,
        when ``touch_sitemap``, the page's sitemap ``lastmod`` becomes now.
        """
        target = self.file(path)
        text = target.read_text(encoding="utf-8")
        if old not in text:
            raise ValueError(f"{old!r} does not occur in {path}")
        self.write(path, text.replace(old, new), touch_sitemap=touch_sitemap)
        return target

    def write(self, path: str, text: str, *, touch_sitemap: bool = True) -> Path:
        """Overwrite (or create) the page at ``path`` with ``text``."""
        try:
            target = self.file(path)
            previous = target.stat().st_mtime
        except FileNotFoundError:
            target = self.root / (path.strip("/") + ".html")
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = 0.0
        target.write_text(text, encoding="utf-8")
        stamp = max(time.time(), previous + 1.0)
        os.utime(target, (stamp, stamp))
        if touch_sitemap:
            self.set_lastmod(path, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00"))
        return target

    def remove(self, path: str) -> None:
        """Make ``path`` answer 404 (its file and sitemap entry stay, as on a real site)."""
        self.set_status(path, 404)

    def fail(self, path: str, status: int = 500) -> None:
        """Make ``path`` answer ``status`` (a server error by default)."""
        self.set_status(path, status)

    def restore(self, path: str) -> None:
        """Undo ``remove``/``fail``/``delay`` for ``path``."""
        routes = self.routes()
        routes.status.pop(path, None)
        routes.delay.pop(path, None)
        self.save_routes(routes)

    def redirect(self, path: str, target: str) -> None:
        routes = self.routes()
        routes.redirects[path] = target
        self.save_routes(routes)

    def delay(self, path: str, seconds: float) -> None:
        routes = self.routes()
        routes.delay[path] = seconds
        self.save_routes(routes)

    def set_status(self, path: str, status: int) -> None:
        routes = self.routes()
        routes.status[path] = status
        self.save_routes(routes)

    def routes(self) -> Routes:
        routes_path = self.root / ROUTES_FILE
        if not routes_path.exists():
            return Routes()
        return Routes.from_json(routes_path.read_text(encoding="utf-8"))

    def save_routes(self, routes: Routes) -> None:
        routes_path = self.root / ROUTES_FILE
        routes_path.write_text(routes.to_json(), encoding="utf-8")

    def set_lastmod(self, path: str, lastmod: str) -> bool:
        """Set the sitemap ``lastmod`` of ``path``; False when no sitemap lists it."""
        loc = re.escape("{{BASE_URL}}" + path.replace("&", "&amp;"))
        pattern = re.compile(rf"(<loc>{loc}</loc>\s*<lastmod>)[^<]*(</lastmod>)")
        for sitemap in sorted(self.root.rglob("sitemap*.xml*")):
            gzipped = sitemap.suffix == ".gz"
            raw = sitemap.read_bytes()
            text = (gzip.decompress(raw) if gzipped else raw).decode("utf-8")
            updated, count = pattern.subn(rf"\g<1>{lastmod}\g<2>", text)
            if count:
                data = updated.encode("utf-8")
                sitemap.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
                return True
        return False
