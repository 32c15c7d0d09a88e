"""A large synthetic OJP-like site, generated from the URL: no page is ever written to disk.

``SyntheticSite(pages=10_000, seed=1)`` lays out ``pages`` numbered pages of the OJP kinds
(library publications with the NCJ label block, NCJRS abstracts, topic articles, funding
opportunities, events, news releases, topic listings) under URL shapes of ojp.gov and its bureau
sites, and renders any of them on demand in Drupal field markup. Text comes from sentences
modelled on real OJP pages (``corpus.txt``), recombined by a word-level Markov chain, with rare
names mixed in so that the vocabulary grows with the site as a real one does.

Everything is a function of ``(seed, pages, number, revision)``: the same site renders the same
bytes on every machine. ``version`` is the change knob: each version step changes exactly one
page in every block of 100 (1 %), its content and its lastmod.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

from bench.synthetic_markup import (
    PageSpec,
    render_document,
    render_footer,
    render_header,
    render_home_main,
    render_main,
    w3c_datetime,
)
from bench.synthetic_text import TextSource

#: Page kinds and their share of the site (percent).
KIND_SHARES = (
    ("publication", 30),
    ("abstract", 28),
    ("article", 8),
    ("funding", 6),
    ("event", 5),
    ("news", 13),
    ("topic", 10),
)

#: The content_type each kind should be normalized to (also the site's kind rules).
CONTENT_TYPES = {
    "publication": "publication",
    "abstract": "publication",
    "article": "article",
    "funding": "funding",
    "event": "event",
    "news": "news",
    "topic": "topic",
}

#: Bureau path prefixes, as the sample site mirrors the OJP family on one host ("" = ojp.gov).
BUREAUS: tuple[tuple[str, str], ...] = (
    ("", "OJP"),
    ("nij", "NIJ"),
    ("ovc", "OVC"),
    ("ojjdp", "OJJDP"),
    ("bja", "BJA"),
    ("bjs", "BJS"),
    ("smart", "SMART"),
)

#: When a changed page's lastmod falls if its version step has no recorded time.
VERSION_EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
SITE_START = date(2010, 1, 1)
CHANGE_PERIOD = 100  # one page in this many changes at every version step


@dataclass(frozen=True, slots=True)
class Response:
    """What the server sends for one path."""

    status: int
    kind: str  # "page", "sitemap", "robots" or "missing"
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: datetime | None = None


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80].rstrip("-")


def change_slot(number: int) -> int:
    """The version steps (mod 100) at which page ``number`` changes: one page per block of 100
    for every slot, so each step changes exactly 1 % of a site whose size is a multiple of 100."""
    return (37 * (number % CHANGE_PERIOD) + 11 * (number // CHANGE_PERIOD)) % CHANGE_PERIOD


def last_change(number: int, version: int) -> int:
    """The latest version step ``<= version`` that changed page ``number`` (0: never changed)."""
    slot = change_slot(number) or CHANGE_PERIOD
    if version < slot:
        return 0
    return version - (version - slot) % CHANGE_PERIOD


class SyntheticSite:
    """The pages of a synthetic site and the responses for its paths (no HTTP here)."""

    def __init__(
        self, pages: int = 10_000, *, seed: int = 1, version: int = 0, sitemap_size: int = 10_000
    ) -> None:
        if pages < 1 or not 1 <= sitemap_size <= 50_000:
            raise ValueError("pages must be >= 1 and sitemap_size between 1 and 50000")
        self.size = pages
        self.seed = seed
        self.sitemap_size = sitemap_size
        self.text = TextSource(seed)
        self.pages = [self.make_spec(number) for number in range(pages)]
        self.by_path = {spec.path: spec.number for spec in self.pages}
        self.topic_numbers = [s.number for s in self.pages if s.kind == "topic"]
        self.version = version
        self.version_times: dict[int, datetime] = {}

    # -- layout --------------------------------------------------------------------------------
    def make_spec(self, number: int) -> PageSpec:
        rng = random.Random(f"page-{self.seed}-{number}")
        kind = rng.choices([k for k, _ in KIND_SHARES], [w for _, w in KIND_SHARES])[0]
        prefix, agency = ("", "NCJRS") if kind == "abstract" else rng.choice(BUREAUS)
        title = self.text.title(rng)
        published = SITE_START + timedelta(days=rng.randrange(15 * 365))
        lastmod = datetime.combine(published, datetime.min.time(), UTC) + timedelta(
            days=rng.randrange(400), seconds=rng.randrange(86_400)
        )
        path = page_path(kind, prefix, agency, title, number, published.year)
        return PageSpec(number, kind, prefix, agency, path, title, published, lastmod)

    def set_version(self, version: int, at: datetime | None = None) -> None:
        """Move to ``version``; steps taken now get ``at`` (default: now) as their lastmod."""
        moment = (at or datetime.now(UTC)).replace(microsecond=0)
        for step in range(self.version + 1, version + 1):
            self.version_times.setdefault(step, moment)
        self.version = version

    def changed_pages(self, step: int) -> list[int]:
        """The page numbers that version ``step`` changes."""
        return [n for n in range(self.size) if last_change(n, step) == step]

    def revision(self, number: int) -> int:
        return last_change(number, self.version)

    def lastmod(self, number: int) -> datetime:
        step = self.revision(number)
        if step == 0:
            return self.pages[number].base_lastmod
        return self.version_times.get(step, VERSION_EPOCH + timedelta(hours=step))

    def etag(self, number: int) -> str:
        key = f"{self.seed}-{self.size}-{number}-{self.revision(number)}"
        return '"' + hashlib.sha1(key.encode()).hexdigest()[:20] + '"'

    # -- responses -----------------------------------------------------------------------------
    def respond(self, path: str, base_url: str) -> Response:
        """The response for a request path (the query is ignored, as Drupal does)."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/robots.txt":
            return text_response("robots", self.robots_txt(base_url), "text/plain")
        if path == "/sitemap.xml":
            return text_response("sitemap", self.sitemap_index(base_url), "application/xml")
        match = re.fullmatch(r"/sitemaps/sitemap-(\d+)\.xml", path)
        if match and int(match.group(1)) < self.sitemap_count:
            body = self.sitemap(int(match.group(1)), base_url)
            return text_response("sitemap", body, "application/xml")
        if path == "/":
            return text_response("page", self.render_home(base_url), "text/html; charset=utf-8")
        number = self.page_number(path)
        if number is None:
            return text_response("missing", render_not_found(), "text/html; charset=utf-8", 404)
        return Response(
            status=200,
            kind="page",
            body=self.render_page(number, base_url).encode("utf-8"),
            content_type="text/html; charset=utf-8",
            etag=self.etag(number),
            last_modified=self.lastmod(number),
        )

    def page_number(self, path: str) -> int | None:
        """The page a request path names (query and trailing slash ignored), if any."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        return self.by_path.get(path.rstrip("/") or "/")

    def page_validators(self, path: str) -> tuple[str, datetime] | None:
        """ETag and Last-Modified of a page path without rendering it (for cheap 304s)."""
        number = self.page_number(path)
        if number is None:
            return None
        return self.etag(number), self.lastmod(number)

    # -- robots and sitemaps -------------------------------------------------------------------
    def robots_txt(self, base_url: str) -> str:
        return (
            "User-agent: *\nCrawl-delay: 0\nDisallow: /search/\nDisallow: /user/\n"
            f"Disallow: /node/*/edit\n\nSitemap: {base_url}/sitemap.xml\n"
        )

    @property
    def sitemap_count(self) -> int:
        return -(-self.size // self.sitemap_size)

    def sitemap_index(self, base_url: str) -> str:
        entries = []
        for k in range(self.sitemap_count):
            numbers = range(k * self.sitemap_size, min(self.size, (k + 1) * self.sitemap_size))
            newest = max(self.lastmod(n) for n in numbers)
            entries.append(
                f"<sitemap><loc>{base_url}/sitemaps/sitemap-{k}.xml</loc>"
                f"<lastmod>{w3c_datetime(newest)}</lastmod></sitemap>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(entries)
            + "\n</sitemapindex>\n"
        )

    def sitemap(self, k: int, base_url: str) -> str:
        start = k * self.sitemap_size
        rows = [
            f"<url><loc>{base_url}{self.pages[n].path}</loc>"
            f"<lastmod>{w3c_datetime(self.lastmod(n))}</lastmod></url>"
            for n in range(start, min(self.size, start + self.sitemap_size))
        ]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(rows)
            + "\n</urlset>\n"
        )

    # -- pages ---------------------------------------------------------------------------------
    @cached_property
    def chrome(self) -> tuple[str, str]:
        """The banner + header with its menu, and the footer: the same on every page."""
        menu = [(self.pages[n].path, self.pages[n].title) for n in self.topic_numbers[:60]]
        return render_header(menu), render_footer(menu[:12])

    def render_page(self, number: int, base_url: str) -> str:
        spec = self.pages[number]
        step = self.revision(number)
        facts = random.Random(f"facts-{self.seed}-{number}")
        prose = random.Random(f"prose-{self.seed}-{number}-{step}")
        related = [self.pages[n] for n in self.related_numbers(spec)]
        updated = self.updated_date(number)
        main = render_main(spec, facts, prose, self.text, related, updated)
        header, footer = self.chrome
        return render_document(spec.title, base_url + spec.path, spec.kind, header, main, footer)

    def render_home(self, base_url: str) -> str:
        header, footer = self.chrome
        newest = sorted(self.pages, key=lambda s: s.published, reverse=True)[:20]
        main = render_home_main(newest)
        title = "Office of Justice Programs"
        return render_document(title, base_url + "/", "home", header, main, footer)

    def related_numbers(self, spec: PageSpec) -> list[int]:
        """Pages a page links to: similar items, or the items of a topic listing."""
        rng = random.Random(f"links-{self.seed}-{spec.number}")
        count = 10 if spec.kind == "topic" else 4
        return [rng.randrange(self.size) for _ in range(count)]

    def updated_date(self, number: int) -> date | None:
        if self.revision(number) == 0:
            return None
        return self.lastmod(number).date()


def page_path(kind: str, prefix: str, agency: str, title: str, number: int, year: int) -> str:
    root = f"/{prefix}" if prefix else ""
    slug = f"{slugify(title)}-{number}"
    if kind == "publication":
        return f"{root}/library/publications/{slug}"
    if kind == "abstract":
        return f"/ncjrs/virtual-library/abstracts/{slug}"
    if kind == "article":
        return f"{root}/topics/articles/{slug}"
    if kind == "funding":
        office = "ojp" if agency == "OJP" else agency.lower()
        return f"{root}/funding/opportunities/o-{office}-{year}-{170_000 + number}"
    if kind == "event":
        return f"{root}/events/{slug}"
    if kind == "news":
        return f"{root}/news/news-release/{slug}"
    return f"{root}/taxonomy/term/{slug}"


def text_response(kind: str, text: str, content_type: str, status: int = 200) -> Response:
    body = text.encode("utf-8")
    etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"' if status == 200 else None
    return Response(status, kind, body, content_type, etag=etag)


def render_not_found() -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Page not found | Office of Justice Programs'
        "</title></head><body><main><h1>Page not found</h1><p>The requested page could not be "
        "found.</p></main></body></html>"
    )
