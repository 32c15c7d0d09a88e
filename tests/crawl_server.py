"""A small HTTP server on 127.0.0.1 for crawler edge cases, with a log of every request.

Each path maps to a ``Route``: a body and content type, or a status, a redirect, a delay. Pages
get an ETag and answer 304 to a matching If-None-Match, like a real server.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # redirect target (status 301/302)
    delay: float = 0.0  # seconds before answering
    etag: bool = True  # send an ETag and honour If-None-Match
    streamed: bool = False  # no Content-Length: the body ends when the connection closes
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
        self.httpd.handle_error = lambda request, address: None  # type: ignore[method-assign]
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
                self.answer(route.status, route.body, route.content_type, extra, route.streamed)

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
