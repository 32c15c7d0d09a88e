"""The views: each turns URL parameters into the library call the CLI makes, computes one dict
(the JSON twin, in the shape of the CLI's ``--json``), and shows it as HTML or JSON.

Every library call runs in the service's worker threads under the time limit (``Service.call``);
the views only translate.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse

from index.datadir import DataDir
from index.errors import OjpError
from index.filters import date_bounds
from index.fulltext.searcher import SearchRequest, search, similar
from index.labels import FIELD_LABELS, detail_rows, journal_citation
from web import readers
from web.errors import WebError, error_answer
from web.export import MEDIA_TYPES, plan_export, stream_export
from web.params import (
    DATE_KEYS,
    DEFAULT_LIMIT,
    MAX_DEPTH,
    MAX_LIMIT,
    SWITCH_KEYS,
    SearchState,
    export_format,
    one_value,
    query_text,
    search_request,
    whole_number,
)
from web.presenters import FACET_LABELS, when
from web.service import Service
from web.shapes import JsonAnswer, results_dict

log = logging.getLogger(__name__)

SIMILAR_ON_PAGE = 5
MAX_SIMILAR = 50


def service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = service(request).render(template, request=request, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, exc: BaseException) -> Response:
    answer = error_answer(exc)
    if answer.kind == "failed":  # unexpected: the operator's log keeps the traceback
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/api/"):
        return JsonAnswer(answer.to_dict(), status_code=answer.status)
    return page(request, "error.html", answer.status, error=answer)


# -- search ----------------------------------------------------------------------------------


def search_data(data_dir: DataDir, request: SearchRequest) -> dict[str, Any]:
    """``ojp-search search --json``: the hits, then total, page, facets, suggestion..."""
    return results_dict(search(data_dir, request), page=request.page, limit=request.limit)


async def search_page(request: Request) -> Response:
    params = request.query_params
    try:
        search_request_ = search_request(params)
    except WebError as exc:
        return error_page(request, exc)
    state = SearchState.of(search_request_)
    context: dict[str, Any] = {"search": search_request_, "state": state, "data": None}
    context["explain"] = params.get("explain") == "1"
    if not search_request_.query and not search_request_.filtered:  # the empty search page
        return page(request, "search.html", **context)
    try:
        data = await service(request).call(search_data, search_request_)
    except Exception as exc:
        answer = error_answer(exc)
        if answer.status != 400:
            return error_page(request, exc)
        return page(request, "search.html", 400, problem=answer, **context)
    context.update(data=data, **search_links(search_request_, state, data))
    return page(request, "search.html", **context)


def search_links(
    request: SearchRequest, state: SearchState, data: dict[str, Any]
) -> dict[str, Any]:
    """The links around a page of results: facets, paging, filters to remove, suggestions."""
    facets = []
    for name, counts in data["facets"].items():
        values = []
        for value, count in counts.items():
            if name == "year":
                chosen = request.since == value and request.until == value
                drop = [("since", None), ("until", None)]
                link = state.link(
                    drop=drop, add=[] if chosen else [("since", value), ("until", value)]
                )
            else:
                chosen = value in state.values(name)
                link = (
                    state.link(drop=[(name, value)]) if chosen else state.link(add=[(name, value)])
                )
            values.append({"value": value, "count": count, "link": link, "chosen": chosen})
        if values:
            facets.append({"name": name, "label": FACET_LABELS.get(name, name), "options": values})
    filters = [
        {
            "label": f"{FACET_LABELS.get(key, key.capitalize())}: {value}",
            "link": state.link(drop=[(key, value)]),
        }
        for key in ("agency", "type", "since", "until", "language", *DATE_KEYS)
        for value in state.values(key)
    ] + [
        {"label": FACET_LABELS.get(key, key.replace("_", " ").capitalize()), "link": link}
        for key in SWITCH_KEYS
        if state.values(key)
        for link in [state.link(drop=[(key, None)])]
    ]
    pages = max(1, min(math.ceil(data["total"] / request.limit), MAX_DEPTH // request.limit))
    paging = {
        "pages": pages,
        "previous": state.link(drop=[("page", None)], add=[("page", str(request.page - 1))])
        if request.page > 1
        else None,
        "next": state.link(drop=[("page", None)], add=[("page", str(request.page + 1))])
        if request.page < pages
        else None,
    }
    suggestion = data["suggestion"]
    words = request.query.split()
    export_state = SearchState.of(replace(request, sort="relevance", limit=DEFAULT_LIMIT, page=1))
    return {
        "facets": facets,
        "filters": filters,
        "paging": paging,
        "suggestion_link": state.link(drop=[("q", None)], add=[("q", suggestion)])
        if suggestion
        else None,
        "any_word_link": state.link(drop=[("q", None)], add=[("q", " OR ".join(words))])
        if len(words) > 1 and not data["total"]
        else None,
        "export_query": export_state.link(),
        "api_link": state.link(keep_page=True),
    }


async def api_search(request: Request) -> Response:
    try:
        search_request_ = search_request(request.query_params)
        if not search_request_.query and not search_request_.filtered:
            raise WebError("q: give a query, e.g. q=human+trafficking, or a filter.")
        data = await service(request).call(search_data, search_request_)
    except Exception as exc:
        return error_page(request, exc)
    return JsonAnswer(data)


# -- records ---------------------------------------------------------------------------------


def record_data(data_dir: DataDir, record_id: str) -> dict[str, Any]:
    """``ojp-search show --json``: the whole record."""
    found = readers.record_with_status(data_dir, record_id)
    if found is None:
        raise WebError(f"no record with id or URL {record_id!r}.", "not found")
    return found[0].to_dict()


def record_page_data(data_dir: DataDir, record_id: str, text: str) -> dict[str, Any]:
    """The record, its status, the passages of its documents matching ``text``, and similar
    records (none when the record is no longer in the index)."""
    found = readers.record_with_status(data_dir, record_id)
    if found is None:
        raise WebError(f"no record with id or URL {record_id!r}.", "not found")
    record, status = found
    try:
        like_results = similar(data_dir, record.id, limit=SIMILAR_ON_PAGE)
        like = results_dict(like_results, page=1, limit=SIMILAR_ON_PAGE)["hits"]
    except Exception as exc:  # gone from the index, or no index: the record still shows
        if error_answer(exc).kind not in ("missing", "not found", "corrupt"):
            raise
        like = []
    passages = readers.document_passages(data_dir, record, text) if text else {}
    return {"record": record.to_dict(), "status": status, "similar": like, "passages": passages}


async def record_page(request: Request) -> Response:
    record_id = request.path_params["record_id"]
    try:
        text = query_text(request.query_params)
        data = await service(request).call(record_page_data, record_id, text)
    except Exception as exc:
        return error_page(request, exc)
    record = data["record"]
    facts = [
        (label, shown_value(key, record[key]))
        for key, label in FIELD_LABELS.items()
        if record.get(key) not in (None, "", [])
    ]
    return page(
        request,
        "record.html",
        data=data,
        record=record,
        facts=facts,
        details=detail_rows(record["details"], citation=False),
        citation=journal_citation(record["details"]),
        query=text,
    )


def shown_value(key: str, value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return when(value) if key == "fetched_at" else str(value)


async def api_record(request: Request) -> Response:
    try:
        data = await service(request).call(record_data, request.path_params["record_id"])
    except Exception as exc:
        return error_page(request, exc)
    return JsonAnswer(data)


async def api_similar(request: Request) -> Response:
    try:
        limit = whole_number(request.query_params, "limit", DEFAULT_LIMIT, MAX_SIMILAR)
        results = await service(request).call(
            similar,
            request.path_params["record_id"],
            limit,  # type: ignore[arg-type]
        )
    except Exception as exc:
        return error_page(request, exc)
    return JsonAnswer(results_dict(results, page=1, limit=limit))


# -- what's new ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangesRequest:
    query: str
    since: str | None  # YYYY[-MM[-DD]]
    run: int | None

    def describe(self) -> str:
        if self.run is not None:
            return f"in run {self.run}"
        if self.since:
            return f"since {self.since}"
        return "in the last run"


def changes_request(request: Request) -> ChangesRequest:
    params = request.query_params
    since = one_value(params, "since")
    run = one_value(params, "run")
    if since and run:
        raise WebError("give since or run, not both.")
    if since:
        date_bounds(since, "since")
    if run is not None and not run.isdigit():
        raise WebError("run: a run number.")
    return ChangesRequest(query_text(params), since, int(run) if run else None)


def changes_data(data_dir: DataDir, wanted: ChangesRequest) -> dict[str, Any]:
    """``ojp-search changes --json`` (one object per change), for the records matching a query."""
    start = date_bounds(wanted.since)[0] if wanted.since else None
    with readers.reading_store(data_dir) as store:
        if wanted.run is not None:
            try:
                store.run_report(wanted.run)
            except Exception as exc:
                raise WebError(f"no run {wanted.run}.", "not found") from exc
        changes = store.changes(since=start, run_id=wanted.run)
    changes = readers.changes_matching(data_dir, changes, wanted.query)
    return {"changes": [change.to_dict() for change in changes]}


async def changes_view(request: Request, template: str | None) -> Response:
    try:
        wanted = changes_request(request)
        data = await service(request).call(changes_data, wanted)
    except Exception as exc:
        return error_page(request, exc)
    if template is None:
        return JsonAnswer(data)
    context: dict[str, Any] = {"data": data, "wanted": wanted, "query_string": request.url.query}
    if template == "changes.atom":
        body = service(request).render(
            template,
            request=request,
            updated=data["changes"][0]["at"] if data["changes"] else now_iso(),
            **context,
        )
        return Response(body, media_type="application/atom+xml; charset=utf-8")
    return page(request, template, **context)


async def changes_page(request: Request) -> Response:
    return await changes_view(request, "changes.html")


async def changes_feed(request: Request) -> Response:
    return await changes_view(request, "changes.atom")


async def api_changes(request: Request) -> Response:
    return await changes_view(request, None)


# -- saved searches ---------------------------------------------------------------------------


def watches_data(data_dir: DataDir) -> dict[str, Any]:
    """``ojp-search watch list --json``: every saved search."""
    from index.watches import list_watches

    with readers.reading_store(data_dir) as store:
        return {"watches": [watch.to_dict() for watch in list_watches(store)]}


def watch_data(data_dir: DataDir, name: str) -> dict[str, Any]:
    """A saved search and its latest events, newest first (reading marks nothing seen: the
    feed is everyone's, ``watch show --new`` is the operator's)."""
    from index.watches import get_watch, recent_events

    with readers.reading_store(data_dir) as store:
        try:
            watch = get_watch(store, name)
        except OjpError as exc:
            raise WebError(exc.message, "not found") from exc
        events = recent_events(store, name)
    return {"watch": watch.to_dict(), "events": [event.to_dict() for event in events]}


async def api_watches(request: Request) -> Response:
    try:
        return JsonAnswer(await service(request).call(watches_data))
    except Exception as exc:
        return error_page(request, exc)


async def api_watch(request: Request) -> Response:
    try:
        data = await service(request).call(watch_data, request.path_params["name"])
    except Exception as exc:
        return error_page(request, exc)
    return JsonAnswer(data)


async def watch_feed(request: Request) -> Response:
    """A saved search as an Atom feed: each record that newly matched, changed or stopped."""
    try:
        data = await service(request).call(watch_data, request.path_params["name"])
    except Exception as exc:
        return error_page(request, exc)
    updated = data["events"][0]["at"] if data["events"] else data["watch"]["created"]
    body = service(request).render("watch.atom", request=request, data=data, updated=updated)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# -- status ----------------------------------------------------------------------------------


def status_data(data_dir: DataDir, schedule: Any) -> dict[str, Any]:
    """``ojp-search status --json``, with the live index and the schedule this process serves."""
    with readers.reading_store(data_dir) as store:
        data = store.status().to_dict()
    try:
        data["index"] = readers.index_info(data_dir).to_dict()
    except Exception as exc:
        if error_answer(exc).kind not in ("missing", "corrupt"):
            raise
        data["index"] = None
    data["schedule"] = schedule.to_dict() if schedule is not None else None
    return data


async def status_page(request: Request) -> Response:
    schedule = service(request).schedule
    try:
        data = await service(request).call(status_data, schedule)
    except Exception as exc:
        if error_answer(exc).kind != "missing":
            return error_page(request, exc)
        # No data yet: the page still says when the first refresh is due.
        empty = {"schedule": schedule.to_dict() if schedule else None}
        return page(request, "status.html", 503, data=empty, no_data=True)
    return page(request, "status.html", data=data, no_data=False)


async def api_status(request: Request) -> Response:
    try:
        data = await service(request).call(status_data, service(request).schedule)
    except Exception as exc:
        return error_page(request, exc)
    return JsonAnswer(data)


# -- export ----------------------------------------------------------------------------------


async def export(request: Request) -> Response:
    try:
        fmt = export_format(request.query_params)
        wanted = search_request(request.query_params)
        plan = await service(request).call(plan_export, wanted, fmt)
    except Exception as exc:
        return error_page(request, exc)
    name = f"ojp-search-export.{fmt}"
    return StreamingResponse(
        stream_export(service(request).data_dir, plan),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# -- the API's description -------------------------------------------------------------------


async def openapi_document(request: Request) -> Response:
    from web.openapi import openapi

    return JsonAnswer(openapi())


async def api_docs(request: Request) -> Response:
    from web.openapi import openapi

    return page(request, "api.html", spec=openapi(), max_limit=MAX_LIMIT)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_page(request, WebError("no such page.", "not found"))


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything unexpected: the site's error page (or JSON), never a traceback."""
    log.exception("%s %s failed", request.method, request.url.path)
    try:
        return error_page(request, exc)
    except Exception:  # the error page itself failed: plain text
        return Response("Something went wrong.\n", status_code=500, media_type="text/plain")
