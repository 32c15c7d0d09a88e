"""What a crawl knows from earlier runs of its site: the one place a crawl reads the store.

For every URL the store holds for the site: its validators (ETag / Last-Modified), its sitemap
``lastmod`` and when it was last fetched, read once when the crawl starts. On demand, the stored
record of one URL: the documents a page has read before, and whether a document is a record of
its own. A full crawl still lists the known URLs (they are requested again) but claims no
validators and no unchanged ``lastmod``.

The crawl writes through the store pipeline (``crawlers.pipelines``), never through this object.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from index.datadir import DataDir
from index.records import Attachment, Record
from index.store import KnownUrl, Store
from index.urls import canonical_url

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)


def in_revalidation_slice(url: str, day: date, days: int) -> bool:
    """True on the one day in every ``days`` when ``url`` is re-requested whatever its lastmod.

    The slice is a hash of the URL, so each day re-validates a stable ``1/days`` of the pages.
    """
    slot = int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:8], 16) % days
    return slot == day.toordinal() % days


class CrawlHistory:
    """The store's memory of one site, as one crawl of it sees it (see the module docstring)."""

    def __init__(
        self, data_dir: DataDir, site: str, *, full: bool = False, revalidate_days: int = 30
    ):
        self.data_dir = data_dir
        self.site = site
        self.full = full
        self.revalidate_days = revalidate_days
        self.known: dict[str, KnownUrl] = {}  # canonical URL -> what the store knows of it
        self.store: Store | None = None

    # -- reading the store ---------------------------------------------------------------------
    def open_store(self) -> Store:
        if self.store is None:
            self.store = Store.open(self.data_dir)
        return self.store

    def load(self) -> None:
        """Read what the store knows of the site's URLs (once, when the crawl starts)."""
        targets = self.open_store().crawl_targets(self.site)
        self.known = {canonical_url(target.url): target for target in targets}

    def stored_record(self, url: str) -> Record | None:
        return self.open_store().get(url)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    # -- what it says --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.known)

    def urls(self) -> Iterator[tuple[str, str]]:
        """(canonical URL, stored URL) of every URL known from earlier runs."""
        for key, known in self.known.items():
            yield key, known.url

    def live(self, url: str) -> KnownUrl | None:
        """What the store knows of ``url`` when it was live at the last fetch."""
        known = self.known.get(canonical_url(url))
        return known if known is not None and known.status == "live" else None

    def validators(self, url: str) -> Validators:
        """The stored ETag and Last-Modified for ``url`` (none on a full crawl)."""
        known = self.live(url)
        if self.full or known is None:
            return None, None
        return known.etag, known.last_modified

    def is_unchanged(self, key: str, lastmod: str | None, now: datetime | None = None) -> bool:
        """True when the sitemap says ``key`` has not changed since its last fetch, and it is
        not due for re-validation (old fetch, or today's slice)."""
        known = self.live(key)
        if self.full or not lastmod or known is None:
            return False
        if known.sitemap_lastmod != lastmod or not known.last_fetched:
            return False
        now = now or datetime.now(UTC)
        try:
            fetched = datetime.fromisoformat(known.last_fetched.replace("Z", "+00:00"))
        except ValueError:
            return False
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        if now - fetched > timedelta(days=self.revalidate_days):
            return False
        return not in_revalidation_slice(key, now.date(), self.revalidate_days)

    def previous_attachments(self, page_url: str) -> dict[str, Attachment]:
        """The documents the stored record of ``page_url`` has read (text or a reason)."""
        stored = self.stored_record(page_url)
        if stored is None:
            return {}
        return {
            canonical_url(a.url): a for a in stored.attachments if a.text or a.error is not None
        }

    def is_standalone_document(self, key: str) -> bool:
        """False when a page read the document at ``key`` before (its text lives in that page's
        record); True when it has a record of its own or was never read."""
        if self.live(key) is None:
            return True
        stored = self.stored_record(key)
        return stored is not None and stored.url == key and stored.content_type == "document"
