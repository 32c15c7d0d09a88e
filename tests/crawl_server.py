"""A small HTTP server on 127.0.0.1 for crawler edge cases, with a log of every request, and
``run_crawl``, which crawls it in a child process as production does.

Each path maps to a ``Route``: a body and content type, or a status, a redirect, a delay. Pages
get an ETag and answer 304 to a matching If-None-Match, like a real server.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

from crawlers.runner import crawl_site
from index.datadir import DataDir
from index.records import CrawlSummary, FetchResult
from index.store import Store
from index.sync import fetch_result_from_json


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # redirect target (status 301/302)
    delay: float = 0.0  # seconds before answering
    etag: bool = True  # send an ETag and honour If-None-Match
    streamed: bool = False  # no Content-Length: the body ends when the connection closes
    trickle: float = 0.0  # seconds between two bytes of the body (a tarpit)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]


class CrawlServer:
    """``with CrawlServer(routes) as server:`` serves ``routes`` on ``server.base_url``."""

    def __init__(self, routes: dict[str, Route] | None = None):
        self.routes: dict[str, Route] = dict(routes or {})
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        handler = self.handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        with self.lock:
            return [hit.path for hit in self.hits]

    def count(self, path: str) -> int:
        return self.paths().count(path)

    def clear(self) -> None:
        with self.lock:
            self.hits.clear()

    def __enter__(self) -> CrawlServer:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                with server.lock:
                    server.hits.append(Hit("GET", self.path, dict(self.headers.items())))
                route = server.routes.get(self.path)
                if route is None:
                    self.answer(404, b"<html><title>Not found</title></html>", "text/html")
                    return
                if route.delay:
                    time.sleep(route.delay)
                if route.location is not None:
                    self.answer(route.status, b"", "text/html", {"Location": route.location})
                    return
                extra = dict(route.headers)
                if route.etag and route.status == 200:
                    tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    extra["ETag"] = tag
                    if self.headers.get("If-None-Match") == tag:
                        self.answer(304, b"", None, extra)
                        return
                if route.streamed:
                    extra["Connection"] = "close"
                    self.close_connection = True
                if route.trickle:
                    self.trickle(route)
                    return
                self.answer(route.status, route.body, route.content_type, extra, route.streamed)

            def trickle(self, route: Route) -> None:
                """The body one byte at a time, ``route.trickle`` seconds apart."""
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.close_connection = True
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for byte in route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.trickle)

            def answer(
                self,
                status: int,
                body: bytes,
                content_type: str | None,
                headers: dict[str, str] | None = None,
                streamed: bool = False,
            ) -> None:
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if status != 304 and not streamed:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


# -- crawling it ---------------------------------------------------------------------------------

SIZE_CAP = 20_000
TIMEOUT = 2.0  # seconds: far above a local answer, even on a busy machine
REVALIDATE_DAYS = 100_000  # keeps the daily re-validation slice (1 URL in 100,000) out of the way


def page(title: str, text: str = "", links: tuple[str, ...] = (), head: str = "") -> bytes:
    anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title>{head}</head><body>"
        f"<main><h1>{title}</h1><p>{text or 'A page about justice programs.'}</p>"
        f"<ul>{anchors}</ul></main></body></html>"
    ).encode()


def sitemap_gz(base: str, entries: dict[str, str]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></url>"
        for path, lastmod in entries.items()
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    return gzip.compress(xml.encode())


def sites_file(
    path: Path,
    base: str,
    *,
    crawl: str = "",
    extra: str = "",
    hosts: tuple[str, ...] = ("127.0.0.1",),
    timeout: float = TIMEOUT,
    revalidate_days: int = REVALIDATE_DAYS,
) -> Path:
    """A sites file for one site, "test", on ``base``: fast, with small caps and one retry."""
    path.write_text(
        f"""
[crawl]
download_delay = 0
autothrottle = false
retries = 1
concurrency_per_host = 4
timeout = {timeout}
max_page_bytes = {SIZE_CAP}
revalidate_days = {revalidate_days}
{crawl}

[[site]]
name = "test"
agency = "NIJ"
start_urls = ["{base}/"]
sitemaps = ["{base}/robots.txt"]
allowed_hosts = {json.dumps(list(hosts))}
deny = ["\\\\?", "^/media/"]
kinds = [["^/library/", "publication"]]
{extra}
""",
        encoding="utf-8",
    )
    return path


def staged(data_dir: DataDir, run_id: int) -> list[FetchResult]:
    """Every FetchResult a crawl staged for ``run_id``, in staging order."""
    with sqlite3.connect(data_dir.store_path) as conn:
        rows = conn.execute(
            "SELECT result FROM staging WHERE run_id = ? ORDER BY rowid", (run_id,)
        ).fetchall()
    return [fetch_result_from_json(row[0]) for row in rows]


@dataclass
class Crawl:
    """One crawl's outcome, as the store and the server saw it."""

    run_id: int
    summary: CrawlSummary
    results: list[FetchResult]
    hits: list[Hit]
    progress: list[int] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def by_path(self, base: str) -> dict[str, FetchResult]:
        return {r.url.removeprefix(base): r for r in self.results}

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]


class LogLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def run_crawl(
    server: CrawlServer, data_dir: DataDir, sites: Path, *, full: bool = False, apply: bool = True
) -> Crawl:
    """Crawl the test site once (a run of its own), then apply the run to the store."""
    with Store.open(data_dir) as store:
        run_id = store.start_run(["test"], full=full)
    server.clear()
    progress: list[int] = []
    handler = LogLines()
    runner_log = logging.getLogger("crawlers.runner")
    runner_log.addHandler(handler)
    level = runner_log.level
    runner_log.setLevel(logging.DEBUG)
    try:
        summary = crawl_site(
            "test",
            sites_file=sites,
            data_dir=data_dir,
            run_id=run_id,
            full=full,
            on_progress=progress.append,
        )
    finally:
        runner_log.removeHandler(handler)
        runner_log.setLevel(level)
    results = staged(data_dir, run_id)  # applying a run clears its staging
    if apply:
        with Store.open(data_dir) as store:
            store.apply_run(run_id)
            store.finish_run(run_id, status="completed")
    return Crawl(run_id, summary, results, list(server.hits), progress, handler.lines)
