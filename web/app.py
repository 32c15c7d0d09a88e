"""The web application: routes, static files, and the headers every answer carries.

``create_app(data_dir)`` is a plain ASGI app (Starlette); ``web.server`` runs it with uvicorn.
No route writes: the service reads the store and the live index. Each worker thread keeps the
index open between searches (``index.fulltext.snapshot``) and picks up a refresh's commit or a
new index generation at its next search.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from index.datadir import DataDir
from web import views
from web.schedule import ScheduleInfo
from web.service import DEFAULT_TIMEOUT_S, DEFAULT_WORKERS, Service

STATIC = Path(__file__).parent / "static"
MAX_QUERY_STRING = 4096  # bytes of a URL's query string
#: No script from anywhere, styles from this site only, no frames, forms only to this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'none'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class GuardMiddleware:
    """Read-only and bounded: GET and HEAD only, query strings capped, and the security headers
    on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await plain_answer(send, 405, b"Only GET and HEAD: this service is read-only.\n")
            return
        if len(scope.get("query_string", b"")) > MAX_QUERY_STRING:
            await plain_answer(send, 414, b"The address is too long.\n")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def plain_answer(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), *SECURITY_HEADERS]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


ROUTES = [
    Route("/", views.search_page, name="search"),
    Route("/records/{record_id}", views.record_page, name="record"),
    Route("/changes", views.changes_page, name="changes"),
    Route("/changes.atom", views.changes_feed, name="changes_feed"),
    Route("/watches/{name}.atom", views.watch_feed, name="watch_feed"),
    Route("/status", views.status_page, name="status"),
    Route("/export", views.export, name="export"),
    Route("/api/", views.api_docs, name="api_docs"),
    Route("/api/openapi.json", views.openapi_document, name="openapi"),
    Route("/api/search", views.api_search, name="api_search"),
    Route("/api/records/{record_id}", views.api_record, name="api_record"),
    Route("/api/similar/{record_id}", views.api_similar, name="api_similar"),
    Route("/api/changes", views.api_changes, name="api_changes"),
    Route("/api/watches", views.api_watches, name="api_watches"),
    Route("/api/watches/{name}", views.api_watch, name="api_watch"),
    Route("/api/status", views.api_status, name="api_status"),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]


def create_app(
    data_dir: DataDir,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workers: int = DEFAULT_WORKERS,
    schedule: ScheduleInfo | None = None,
) -> Starlette:
    """The web face over ``data_dir``; each library call is limited to ``timeout_s``."""
    service = Service(data_dir, timeout_s=timeout_s, workers=workers, schedule=schedule)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        yield
        service.close()

    app = Starlette(
        routes=ROUTES,
        exception_handlers={404: views.not_found, 500: views.server_error},
        lifespan=lifespan,
    )
    app.state.service = service
    app.add_middleware(GuardMiddleware)
    return app
