"""The synthetic OJP-like site served over HTTP on 127.0.0.1, for benchmarks.

``SyntheticSiteServer(SyntheticSite(pages=100_000))`` serves a site of any size from a threaded
stdlib server, rendering each page from its URL on request (nothing is written to disk):
robots.txt, a sitemap index with child sitemaps (each at most ``sitemap_size`` URLs, with
lastmod), and pages with ETag / Last-Modified that answer conditional requests with 304. It counts
the requests it answers, by kind (sitemap, page, robots, missing) and by status, so a benchmark
can say how many requests a refresh sent. ``server.set_version(v)`` changes 1 % of the pages per
version step (content and lastmod), as edits between two refreshes.

``sites_toml(base_url)`` is the sites file that crawls it as one site named ``synthetic``.

Serve it standalone: ``python -m bench.synthetic_site --pages 10000 --port 8800``.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from bench.synthetic_markup import http_date
from bench.synthetic_pages import CONTENT_TYPES, SyntheticSite

logger = logging.getLogger(__name__)

SITE_NAME = "synthetic"

#: The sites file's revalidate_days: a no-change refresh re-requests 1/30 of the pages a day.
REVALIDATE_DAYS = 30

#: The site's page-kind rules (regex on the path, content type), first match wins.
KIND_RULES = (
    (r"/library/publications/", CONTENT_TYPES["publication"]),
    (r"/ncjrs/virtual-library/abstracts/", CONTENT_TYPES["abstract"]),
    (r"/topics/articles/", CONTENT_TYPES["article"]),
    (r"/funding/opportunities/", CONTENT_TYPES["funding"]),
    (r"/events/", CONTENT_TYPES["event"]),
    (r"/news/news-release/", CONTENT_TYPES["news"]),
    (r"/taxonomy/term/", CONTENT_TYPES["topic"]),
)


@dataclass(frozen=True)
class RequestCounts:
    """Requests the server answered since the last reset."""

    total: int = 0
    sitemap: int = 0
    page: int = 0
    robots: int = 0
    missing: int = 0
    not_modified: int = 0  # 304 answers (pages and sitemaps)
    by_status: dict[int, int] = field(default_factory=dict)
    cpu_seconds: float = 0.0  # CPU the server spent answering them

    def to_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "sitemap": self.sitemap,
            "page": self.page,
            "robots": self.robots,
            "missing": self.missing,
            "not_modified": self.not_modified,
            "by_status": dict(sorted(self.by_status.items())),
            "cpu_seconds": self.cpu_seconds,
        }


class RequestCounter:
    """Thread-safe request counts by kind and by status."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kinds: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._log: list[tuple[str, int]] = []
        self._cpu = 0.0

    def record(self, kind: str, status: int, path: str = "", cpu: float = 0.0) -> None:
        with self._lock:
            self._kinds[kind] += 1
            self._statuses[status] += 1
            self._log.append((path, status))
            self._cpu += cpu

    def requested(self) -> list[tuple[str, int]]:
        """Every (path, status) answered since the last reset, in order."""
        with self._lock:
            return list(self._log)

    def snapshot(self) -> RequestCounts:
        with self._lock:
            kinds, statuses, cpu = dict(self._kinds), dict(self._statuses), self._cpu
        return RequestCounts(
            total=sum(statuses.values()),
            sitemap=kinds.get("sitemap", 0),
            page=kinds.get("page", 0),
            robots=kinds.get("robots", 0),
            missing=kinds.get("missing", 0),
            not_modified=statuses.get(304, 0),
            by_status=statuses,
            cpu_seconds=cpu,
        )

    def reset(self) -> None:
        with self._lock:
            self._kinds.clear()
            self._statuses.clear()
            self._log.clear()
            self._cpu = 0.0


class SiteHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], site: SyntheticSite, compress: bool) -> None:
        super().__init__(address, SiteRequestHandler)
        self.site = site
        self.compress = compress
        self.counter = RequestCounter()

    @property
    def host_and_port(self) -> str:
        host, port = self.server_address[:2]
        return f"{host!s}:{port}"


class SiteRequestHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the synthetic site, with conditional requests and gzip."""

    protocol_version = "HTTP/1.1"
    server: SiteHTTPServer

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def answer(self, *, send_body: bool) -> None:
        self.started_cpu = time.thread_time()
        site = self.server.site
        validators = site.page_validators(self.path)
        if validators is not None and self.is_fresh(*validators):
            self.send_not_modified("page", *validators)
            return
        host = self.headers.get("Host") or self.server.host_and_port
        response = site.respond(self.path, f"http://{host}")
        if response.etag and self.is_fresh(response.etag, response.last_modified):
            self.send_not_modified(response.kind, response.etag, response.last_modified)
            return
        body = response.body
        encoded = self.server.compress and "gzip" in self.headers.get("Accept-Encoding", "")
        if encoded:
            body = gzip.compress(body, compresslevel=5)
        self.count(response.kind, response.status)  # before answering: counts are never late
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.send_validators(response.etag, response.last_modified)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def is_fresh(self, etag: str, last_modified: datetime | None) -> bool:
        """True when the client's validators say it already has this version."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since or last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and last_modified.replace(microsecond=0) <= since

    def send_not_modified(self, kind: str, etag: str, last_modified: datetime | None) -> None:
        self.count(kind, 304)
        self.send_response(304)
        self.send_validators(etag, last_modified)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def count(self, kind: str, status: int) -> None:
        cpu = time.thread_time() - self.started_cpu
        self.server.counter.record(kind, status, self.path, cpu)

    def send_validators(self, etag: str | None, last_modified: datetime | None) -> None:
        if etag:
            self.send_header("ETag", etag)
        if last_modified is not None:
            self.send_header("Last-Modified", http_date(last_modified))


class SyntheticSiteServer:
    """Serves a ``SyntheticSite`` on ``host`` in a background thread (port 0: any free port)."""

    def __init__(
        self,
        site: SyntheticSite,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        compress: bool = True,
    ) -> None:
        self.site = site
        self._httpd = SiteHTTPServer((host, port), site, compress)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self._httpd.host_and_port}"

    def start(self) -> SyntheticSiteServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="synthetic-site", daemon=True
        )
        self._thread.start()
        logger.info("serving %d synthetic pages at %s", self.site.size, self.base_url)
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> SyntheticSiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def counts(self) -> RequestCounts:
        return self._httpd.counter.snapshot()

    def requested(self) -> list[tuple[str, int]]:
        """Every (path, status) answered since the last reset, in order."""
        return self._httpd.counter.requested()

    def reset_counts(self) -> None:
        self._httpd.counter.reset()

    def set_version(self, version: int) -> None:
        """Change 1 % of the pages per version step from the current version."""
        self.site.set_version(version)


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def sites_toml(base_url: str, *, max_pages: int = 1_000_000, concurrency: int = 16) -> str:
    """A sites file that crawls the synthetic site at ``base_url`` as the site ``synthetic``,
    without politeness delays: no download delay, no autothrottle, high concurrency."""
    host = base_url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    kinds = ",\n    ".join(toml_list([pattern, kind]) for pattern, kind in KIND_RULES)
    return f"""\
# The benchmark's synthetic site on {host}, its own server: rate-unlimited, so no politeness
# delay (download_delay = 0, no autothrottle) and many requests at once. Real sites keep the
# polite defaults.
[crawl]
download_delay = 0
autothrottle = false
concurrency_per_host = {concurrency}
max_pages = {max_pages}
revalidate_days = {REVALIDATE_DAYS}
timeout = 30
retries = 1

[[site]]
name = "{SITE_NAME}"
agency = "OJP"
start_urls = ["{base_url}/"]
allowed_hosts = ["{host}"]
sitemaps = ["{base_url}/sitemap.xml"]
deny = ['^/search/', '^/user/']
kinds = [
    {kinds},
]
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve a synthetic OJP-like site on 127.0.0.1.")
    parser.add_argument("--pages", type=int, default=10_000, help="number of pages (10000)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    parser.add_argument("--version", type=int, default=0, help="change steps applied (0)")
    parser.add_argument("--port", type=int, default=8800, help="port (8800; 0 = any)")
    parser.add_argument("--sitemap-size", type=int, default=10_000, help="URLs per sitemap")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    site = SyntheticSite(
        args.pages, seed=args.seed, version=args.version, sitemap_size=args.sitemap_size
    )
    server = SyntheticSiteServer(site, port=args.port).start()
    sys.stdout.write(f"Serving {site.size} pages at {server.base_url}/ (Ctrl+C stops)\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
