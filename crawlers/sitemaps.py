"""Sitemaps read as they stream: one entry at a time, whatever the size of the file.

A sitemap of 50,000 URLs is a few megabytes of XML; a site may list hundreds of them. Each is
parsed with lxml's ``iterparse`` (entities never expanded, nothing fetched from the network),
gunzipped on the way when it is compressed, and every entry is dropped from the tree once read,
so memory holds one entry at a time rather than the whole document.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import IO

from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"


class SitemapTooLarge(ValueError):
    """A sitemap that grows past the size cap once decompressed."""


class UnreadableSitemap(ValueError):
    """A sitemap that is not XML, or not a sitemap."""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    is_sitemap: bool  # an entry of a sitemap index: another sitemap to read


class CappedReader:
    """A binary stream that raises ``SitemapTooLarge`` past ``max_bytes``."""

    def __init__(self, stream: IO[bytes], max_bytes: int):
        self.stream = stream
        self.left = max_bytes

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size if size >= 0 else self.left + 1)
        self.left -= len(chunk)
        if self.left < 0:
            raise SitemapTooLarge("over the size cap once decompressed")
        return chunk


def read_sitemap(body: bytes, max_bytes: int) -> Iterator[SitemapEntry]:
    """The entries of a sitemap or sitemap index (``body`` may be gzipped), as they are parsed.

    Raises ``SitemapTooLarge`` or ``UnreadableSitemap`` where the file stops making sense; the
    entries before that point have been yielded.
    """
    raw: IO[bytes] = BytesIO(body)
    if body.startswith(GZIP_MAGIC):
        raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    events = etree.iterparse(
        CappedReader(raw, max_bytes),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    root_name = ""
    try:
        for event, element in events:
            name = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if event == "start":
                root_name = root_name or name
                if root_name not in ("urlset", "sitemapindex"):
                    raise UnreadableSitemap(f"not a sitemap (root element <{root_name}>)")
                continue
            if name in ("url", "sitemap"):
                entry = read_entry(element, is_sitemap=root_name == "sitemapindex")
                if entry is not None:
                    yield entry
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise UnreadableSitemap(str(exc)) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableSitemap(f"bad gzip data ({exc})") from None


def read_entry(element: etree._Element, *, is_sitemap: bool) -> SitemapEntry | None:
    """The ``<loc>`` and ``<lastmod>`` of one entry; None without a plain-text ``<loc>`` (one
    holding entity references or markup is not a URL to follow)."""
    values: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name in ("loc", "lastmod") and len(child) == 0:
            values[name] = (child.text or "").strip()
        elif name == "loc":
            return None
    loc = values.get("loc")
    if not loc:
        return None
    return SitemapEntry(loc, values.get("lastmod") or None, is_sitemap)
