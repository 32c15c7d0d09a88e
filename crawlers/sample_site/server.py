"""A small HTTP server for the bundled sample site (an offline mirror of the OJP family).

One server on 127.0.0.1 serves every bureau under a path prefix: ``/`` is www.ojp.gov, and
``/nij/``, ``/ovc/``, ``/ojjdp/``, ``/bja/``, ``/bjs/``, ``/smart/`` are the bureau hosts.

Path to file rule (``file_for``), relative to the site root:

- ``/a/b/`` serves ``a/b/index.html`` (``/`` serves ``index.html``);
- ``/a/b`` serves ``a/b.html`` when it exists, else the file ``a/b``; a folder ``a/b`` answers a
  301 to ``/a/b/``;
- a query string is part of the file name: ``/a/b?page=1`` serves ``a/b@page=1.html`` (the raw
  query, as sent). A query with no such file is ignored, as Drupal ignores unknown parameters:
  ``/a/b?utm_source=x`` serves the same file as ``/a/b``.

Files whose name starts with ``_`` are never served; no folder is ever listed; a path that would
leave the root answers 404.

Special behaviour comes from ``<root>/_routes.json``, re-read whenever it changes::

    {"redirects": {"/old/path": "/new/path", "/x?ID=1": "http://example.org/"},
     "status": {"/gone/page": 404, "/broken": 500},
     "delay": {"/slow/page": 1.5}}

Keys are request paths, with their query when they have one (a key with a query matches only that
query; a key without one matches the path with any query). Redirects answer 301.

Responses: ``ETag`` (a quoted hash of the bytes sent) and ``Last-Modified`` (the file's mtime);
``If-None-Match`` and ``If-Modified-Since`` answer 304. Two placeholders in HTML, XML and text
files (also inside ``.gz`` files, which are decompressed, substituted and recompressed) are
filled in as the file is sent: ``{{BASE_URL}}`` becomes the server's base URL, so sitemaps and
robots.txt carry absolute URLs, and ``{{NEXT_YEAR}}`` becomes the current UTC year plus one, so
an open funding opportunity stays open and an upcoming event stays upcoming whatever the year
(the ETag follows the bytes sent; Last-Modified stays the file's mtime). ``.gz`` files are sent as
``application/gzip`` with no ``Content-Encoding``. HTML is ``text/html; charset=utf-8`` unless
its bytes are not UTF-8 (a legacy page declaring its charset only in ``<meta>``): then the header
says plain ``text/html`` and the page's ``<meta charset>`` decides.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

#: The bundled site: pages, sitemaps, robots.txt, PDFs and ``_routes.json``.
SITE_ROOT = Path(__file__).resolve().parent / "site"

ROUTES_FILE = "_routes.json"
BASE_URL_TOKEN = b"{{BASE_URL}}"
NEXT_YEAR_TOKEN = b"{{NEXT_YEAR}}"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".gz": "application/gzip",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
}
SUBSTITUTED = {".html", ".htm", ".xml", ".txt"}


@dataclass
class Routes:
    """The contents of ``_routes.json``."""

    redirects: dict[str, str] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    delay: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> Routes:
        data = json.loads(text) if text.strip() else {}
        return cls(
            redirects=dict(data.get("redirects", {})),
            status={k: int(v) for k, v in data.get("status", {}).items()},
            delay={k: float(v) for k, v in data.get("delay", {}).items()},
        )

    def to_json(self) -> str:
        data = {"redirects": self.redirects, "status": self.status, "delay": self.delay}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"


def lookup_route(table: dict, path: str, query: str) -> object | None:
    """The entry for ``path?query`` (exact) or, failing that, for ``path`` alone."""
    if query and f"{path}?{query}" in table:
        return table[f"{path}?{query}"]
    return table.get(path)


class RouteTable:
    """``_routes.json`` of one root, re-read when its mtime or size changes."""

    def __init__(self, root: Path) -> None:
        self.path = root / ROUTES_FILE
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._routes = Routes()

    def current(self) -> Routes:
        try:
            stat = self.path.stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                text = self.path.read_text(encoding="utf-8") if stamp else ""
                self._routes = Routes.from_json(text)
                self._stamp = stamp
            return self._routes


def file_for(root: Path, path: str, query: str = "") -> Path | None:
    """The file that serves ``path?query`` under ``root`` (see the module docstring), or None.

    Returns the folder itself when ``path`` names a folder without its trailing slash (the
    caller redirects). Never returns anything outside ``root``.
    """
    relative = unquote(path).lstrip("/")
    parts = [p for p in relative.split("/") if p]
    if any(p in {".", ".."} or p.startswith("_") or "\\" in p or "\x00" in p for p in parts):
        return None
    if "/" in query or "\x00" in query:
        query = ""
    candidates: list[Path] = []
    if relative == "" or relative.endswith("/"):
        base = root.joinpath(*parts)
        if query:
            candidates.append(base / f"index@{query}.html")
        candidates.append(base / "index.html")
    else:
        base = root.joinpath(*parts)
        if query:
            candidates.append(base.with_name(f"{base.name}@{query}.html"))
        candidates += [base.with_name(base.name + ".html"), base]
    resolved_root = root.resolve()
    for candidate in candidates:
        resolved = candidate.resolve()
        if not resolved.is_relative_to(resolved_root):
            return None
        if resolved.is_file() or (resolved.is_dir() and candidate == base and relative):
            return resolved
    return None


def placeholder_values(base_url: str, now: datetime | None = None) -> dict[bytes, bytes]:
    """What each placeholder becomes: the server's base URL, and next year (by UTC ``now``)."""
    year = (now or datetime.now(UTC)).year + 1
    return {BASE_URL_TOKEN: base_url.encode("ascii"), NEXT_YEAR_TOKEN: str(year).encode("ascii")}


def replace_placeholders(text: bytes, values: Mapping[bytes, bytes]) -> bytes:
    for token, value in values.items():
        text = text.replace(token, value)
    return text


def substitute_placeholders(body: bytes, suffix: str, values: Mapping[bytes, bytes]) -> bytes:
    """Fill in the placeholders of a text file (and of the text inside a gzipped one)."""
    if suffix in SUBSTITUTED:
        return replace_placeholders(body, values)
    if suffix == ".gz":
        inner = gzip.decompress(body)
        if any(token in inner for token in values):
            return gzip.compress(replace_placeholders(inner, values), mtime=0)
    return body


def content_type_for(path: Path, body: bytes) -> str:
    suffix = path.suffix.lower()
    kind = CONTENT_TYPES.get(suffix, "application/octet-stream")
    if suffix in {".html", ".htm"}:
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return "text/html"
    return kind


def http_date(timestamp: float) -> str:
    return formatdate(int(timestamp), usegmt=True)


class SiteHandler(BaseHTTPRequestHandler):
    """Serves one ``SampleSite``; the site is set on a per-server subclass."""

    site: SampleSite
    server_version = "OJPSampleSite/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    def respond(self, *, send_body: bool) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path or "/", parts.query
        routes = self.site.routes.current()
        delay = lookup_route(routes.delay, path, query)
        if delay:
            time.sleep(float(delay))  # type: ignore[arg-type]
        target = lookup_route(routes.redirects, path, query)
        if target is not None:
            self.redirect(str(target), send_body=send_body)
            return
        status = lookup_route(routes.status, path, query)
        if status is not None:
            self.send_error_page(int(status), send_body=send_body)  # type: ignore[call-overload]
            return
        found = file_for(self.site.root, path, query)
        if found is None:
            self.send_error_page(404, send_body=send_body)
        elif found.is_dir():
            self.redirect(path.rstrip("/") + "/", send_body=send_body)
        else:
            self.send_file(found, send_body=send_body)

    def send_file(self, path: Path, *, send_body: bool) -> None:
        mtime = path.stat().st_mtime
        values = placeholder_values(self.site.base_url)
        body = substitute_placeholders(path.read_bytes(), path.suffix.lower(), values)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        if self.is_not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", http_date(mtime))
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type_for(path, body))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", http_date(mtime))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def is_not_modified(self, etag: str, mtime: float) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
            return etag in tags or "*" in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = parsedate_to_datetime(if_modified_since).timestamp()
            except (TypeError, ValueError):
                return False
            return int(mtime) <= since
        return False

    def redirect(self, target: str, *, send_body: bool) -> None:
        location = target if "://" in target else self.site.base_url + target
        body = f'<html><body>Moved to <a href="{location}">{location}</a></body></html>'
        payload = body.encode("utf-8")
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if send_body:
            self.wfile.write(payload)

    def send_error_page(self, status: int, *, send_body: bool) -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        title = "Page not found" if status == 404 else phrase
        payload = (
            f'<!DOCTYPE html><html lang="en"><head><title>{title}</title></head>'
            f"<body><h1>{status} {title}</h1></body></html>"
        ).encode()
        self.send_response(status, phrase)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if send_body:
            self.wfile.write(payload)


class SampleSite:
    """Serves a sample-site folder on ``host`` in a daemon thread; a context manager.

    ``SampleSite()`` serves the bundled site on a free port of 127.0.0.1::

        with SampleSite() as site:
            print(site.base_url)  # http://127.0.0.1:PORT
    """

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root) if root is not None else SITE_ROOT
        self.host = host
        self.port = port
        self.routes = RouteTable(self.root)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sample site is not started; call start() first")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> SampleSite:
        if self._server is not None:
            return self
        handler = type("BoundSiteHandler", (SiteHandler,), {"site": self})
        server = ThreadingHTTPServer((self.host, self.port), handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="sample-site", daemon=True
        )
        self._thread.start()
        logger.info("sample site %s serving %s", self.base_url, self.root)
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + "/" + path.lstrip("/")

    def __enter__(self) -> SampleSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def copy_site(dest: Path) -> Path:
    """Copy the bundled site into ``dest`` (created if needed) so a test can edit it; returns dest.

    File mtimes are kept, so Last-Modified stays as in the bundled copy until a page is edited.
    """
    dest = Path(dest)
    shutil.copytree(SITE_ROOT, dest, dirs_exist_ok=True)
    return dest
