"""The Record: one normalized OJP resource, and the contract every other module derives from.

The store persists records as JSON (``Record.to_dict``), the Whoosh schema indexes their fields,
export writes the same keys, and ``ojp-search show`` prints them. Renaming or removing a field is
a schema change: bump ``SCHEMA_VERSION`` and teach ``Record.from_dict`` to read the old shape.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from index.safe_text import json_text

SCHEMA_VERSION = 1

#: Agencies (bureaus) a record can belong to.
AGENCIES = ("OJP", "NIJ", "OVC", "OJJDP", "BJA", "BJS", "SMART", "NCJRS")

#: The kinds of resource. ``topic`` pages are navigation (listings) and rank low in search.
CONTENT_TYPES = (
    "publication",  # library publications and NCJRS abstracts (NCJ-numbered)
    "article",  # bureau topic articles (nij.ojp.gov/topics/articles/...)
    "feature",  # special features and their subpages
    "topic",  # taxonomy / topic listings
    "funding",  # funding opportunities and funding landing pages
    "event",
    "news",  # news releases and press releases
    "blog",
    "announcement",
    "program",  # program and about pages
    "page",  # anything else worth keeping
    "archive",  # an HTML page kept in a file archive (/sites/g/files/.../archives/...)
    "document",  # a PDF or text document linked from no page
)

#: Record fields whose values are lists (joined with "; " in CSV).
LIST_FIELDS = ("topics", "authors", "aliases")


def record_id(canonical_url: str) -> str:
    """Stable record id: the first 16 hex digits of the SHA-1 of the canonical URL."""
    return hashlib.sha1(canonical_url.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A document (PDF, text file...) linked from a page."""

    url: str
    title: str = ""
    media_type: str = ""  # e.g. "application/pdf"
    size: int | None = None  # bytes, when known
    pages: int | None = None
    text: str = ""  # extracted text ("" until extracted)
    error: str | None = None  # why the text could not be extracted

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Link:
    """A related link a page lists: similar publications, feature resources, listing items."""

    url: str
    title: str
    agency: str | None = None
    date: str | None = None  # ISO, with the precision the page gives

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Record:
    """One normalized resource.

    Dates (``published``, ``updated`` and date values in ``details``) are ISO 8601 strings that
    keep the precision the page gives: ``"2019"``, ``"2019-06"`` or ``"2019-06-01"``.

    ``details`` holds the extra facts of a kind, under stable keys:
    publication: ``length_pages``, ``series``, ``agencies``, ``source`` ("NCJRS Virtual Library"),
    ``journal``, ``volume``, ``issue``, ``dated``, ``journal_pages``, ``agency_evidence`` (how
    an agency no label gave was inferred: "annotation: This U.S. Bureau of Justice Statistics
    (BJS) report");
    funding: ``posting_date``, ``closing_date``, ``grants_gov_deadline``,
    ``justgrants_deadline``, ``eligibility``;
    event: ``event_dates``, ``location``, ``address``;
    feature: ``feature``, ``subpage``; program subpage: ``program``, ``subpage``.
    """

    id: str
    url: str
    site: str  # the name of the site definition that crawled it ("nij", "ojp", ...)
    agency: str
    content_type: str
    title: str
    summary: str = ""
    body: str = ""
    topics: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    ncj_number: str | None = None  # digits only, e.g. "195076"
    opportunity_id: str | None = None  # e.g. "O-BJA-2023-171861"
    details: Mapping[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    related: tuple[Link, ...] = ()
    aliases: tuple[str, ...] = ()
    language: str | None = None
    content_hash: str = ""
    fetched_at: str = ""  # ISO 8601 UTC timestamp

    # -- content hash --------------------------------------------------------------------------
    def compute_hash(self) -> str:
        """Hash of the normalized content only: what a reader would see change.

        Excludes the URL, id, aliases, site, and fetch time, so that a new alias or a refetch
        is not a change.
        """
        content = {
            k: v
            for k, v in self.to_dict().items()
            if k
            not in {"id", "url", "site", "aliases", "content_hash", "fetched_at", "schema_version"}
        }
        blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def with_hash(self) -> Record:
        return replace(self, content_hash=self.compute_hash())

    # -- serialization -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with a stable key order (the export and store format)."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("attachments", "related"):
                value = [item.to_dict() for item in value]
            elif isinstance(value, tuple):
                value = list(value)
            elif f.name == "details":
                value = dict(sorted(value.items()))
            out[f.name] = value
        return out

    def to_json(self) -> str:
        """One line of JSON; control and bidi characters escaped (safe to print, lossless)."""
        return json_text(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Record:
        version = data.get("schema_version", SCHEMA_VERSION)
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"record schema version {version} is newer than this program ({SCHEMA_VERSION})"
            )
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        for name in ("topics", "authors", "aliases"):
            kwargs[name] = tuple(kwargs.get(name) or ())
        kwargs["attachments"] = tuple(Attachment(**a) for a in kwargs.get("attachments") or ())
        kwargs["related"] = tuple(Link(**r) for r in kwargs.get("related") or ())
        kwargs["details"] = dict(kwargs.get("details") or {})
        return cls(**kwargs)

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls.from_dict(json.loads(text))


def record_field_names() -> tuple[str, ...]:
    """The export column order: ``schema_version`` then every Record field."""
    return ("schema_version", *(f.name for f in fields(Record)))


#: What happened to one URL in one crawl (the crawl → store contract).
OUTCOMES = (
    "fetched",  # 200 with a record
    "not_modified",  # 304 to a conditional request: nothing changed
    "skipped",  # not requested: its sitemap lastmod has not changed since the last fetch
    "excluded",  # fetched, but not a resource (noindex, listing trap, ...): ``error`` says why
    "gone",  # 404 / 410, or a soft 404
    "failed",  # 5xx, timeout, or another error after retries: never a removal
    "document",  # a linked document read for its page's record: only its validators are kept
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One URL's outcome in a crawl, staged in the store by the crawl process."""

    url: str  # the canonical URL (the record's URL when there is a record)
    outcome: str  # one of OUTCOMES
    record: Record | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None  # the Last-Modified header, verbatim
    sitemap_lastmod: str | None = None  # ISO, from the sitemap entry
    error: str | None = None  # reason for excluded / gone / failed
    aliases: tuple[str, ...] = ()  # URLs that redirected here


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    """Per-site crawl figures, written by the crawl process when it ends."""

    site: str
    complete: bool  # True when the crawl finished normally (not cut by a cap, error or kill)
    requests: int = 0
    responses: Mapping[str, int] = field(default_factory=dict)  # status code -> count
    not_modified: int = 0
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason -> count
    bytes: int = 0
    error: str | None = None
