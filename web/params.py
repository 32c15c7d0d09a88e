"""URL parameters → the library's requests, as the CLI's flags are: ``q agency type since until
sort page limit language added_since open closing_before upcoming event_from event_until
full_text`` mean what ``ojp-search search`` and ``export --query`` mean by them (a switch such as
``open`` is on when given as ``1``, ``true``, ``yes`` or ``on``).

Sizes are capped here (a web face's own limits, not search rules): the query's length, how many
values a repeated parameter takes, the page size and how deep paging goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from index.fulltext.searcher import SearchRequest
from web.errors import WebError

MAX_QUERY_CHARS = 500
MAX_VALUES = 10  # values of one repeated parameter (agency, type)
MAX_VALUE_CHARS = 40  # an agency, a type, a date, a sort
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_DEPTH = 1000  # page * limit: paging stops at the 1,000th hit
#: Date parameters, beside ``since`` and ``until`` (the request field of the same name).
DATE_KEYS = ("added_since", "closing_before", "event_from", "event_until")
#: Switches: on or off (the request field of the same name).
SWITCH_KEYS = ("open", "upcoming", "full_text")
SEARCH_KEYS = (
    "q",
    "agency",
    "type",
    "since",
    "until",
    "sort",
    "page",
    "limit",
    "language",
    *DATE_KEYS,
    *SWITCH_KEYS,
)
SWITCH_ON = ("1", "true", "yes", "on")
SWITCH_OFF = ("0", "false", "no", "off")
EXPORT_FORMATS = ("csv", "jsonl")


class QueryParams(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def one_value(params: QueryParams, key: str, limit: int = MAX_VALUE_CHARS) -> str | None:
    """A single-valued parameter, stripped; None when absent or empty."""
    values = params.getlist(key)
    if len(values) > 1:
        raise WebError(f"{key}: give it once.")
    value = values[0].strip() if values else ""
    if len(value) > limit:
        raise WebError(f"{key}: at most {limit} characters.")
    return value or None


def many_values(params: QueryParams, key: str) -> tuple[str, ...]:
    values = [v.strip() for v in params.getlist(key) if v.strip()]
    if len(values) > MAX_VALUES:
        raise WebError(f"{key}: at most {MAX_VALUES} values.")
    for value in values:
        if len(value) > MAX_VALUE_CHARS:
            raise WebError(f"{key}: at most {MAX_VALUE_CHARS} characters.")
    return tuple(dict.fromkeys(values))


def whole_number(params: QueryParams, key: str, default: int, high: int) -> int:
    text = one_value(params, key)
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= high:
        raise WebError(f"{key}: a whole number from 1 to {high}.")
    return int(text)


def switch(params: QueryParams, key: str) -> bool:
    value = (one_value(params, key) or "").lower()
    if value and value not in SWITCH_ON + SWITCH_OFF:
        raise WebError(f"{key}: use 1 or 0.")
    return value in SWITCH_ON


def query_text(params: QueryParams) -> str:
    return one_value(params, "q", MAX_QUERY_CHARS) or ""


def search_request(params: QueryParams) -> SearchRequest:
    """The ``SearchRequest`` that ``ojp-search search`` builds from the same flags."""
    limit = whole_number(params, "limit", DEFAULT_LIMIT, MAX_LIMIT)
    page = whole_number(params, "page", 1, MAX_DEPTH)
    if page * limit > MAX_DEPTH:
        raise WebError(f"page: results stop at the {MAX_DEPTH:,}th hit; add words or filters.")
    options: dict[str, Any] = {key: one_value(params, key) for key in DATE_KEYS}
    options.update((key, switch(params, key)) for key in SWITCH_KEYS)
    return SearchRequest(
        query=query_text(params),
        agency=many_values(params, "agency"),
        type=many_values(params, "type"),
        since=one_value(params, "since"),
        until=one_value(params, "until"),
        sort=one_value(params, "sort") or "relevance",
        limit=limit,
        page=page,
        language=many_values(params, "language"),
        **options,
    )


def export_format(params: QueryParams) -> str:
    fmt = one_value(params, "format") or "csv"
    if fmt not in EXPORT_FORMATS:
        raise WebError(f"format: use {' or '.join(EXPORT_FORMATS)}.")
    return fmt


@dataclass(frozen=True)
class SearchState:
    """The parameters of one search page, to link to its neighbours (other pages, facets)."""

    items: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, request: SearchRequest, *, default_limit: int = DEFAULT_LIMIT) -> SearchState:
        items: list[tuple[str, str]] = [("q", request.query)]
        items += [("agency", a) for a in request.agency]
        items += [("type", t) for t in request.type]
        items += [("language", t) for t in request.language]
        items += [(key, "1") for key in SWITCH_KEYS if getattr(request, key)]
        items += [(key, getattr(request, key)) for key in DATE_KEYS if getattr(request, key)]
        for key, value, default in (
            ("since", request.since, None),
            ("until", request.until, None),
            ("sort", request.sort, "relevance"),
            ("limit", str(request.limit), str(default_limit)),
            ("page", str(request.page), "1"),
        ):
            if value is not None and value != default:
                items.append((key, value))
        return cls(tuple(items))

    def link(
        self,
        *,
        drop: Sequence[tuple[str, str | None]] = (),
        add: Sequence[tuple[str, str]] = (),
        keep_page: bool = False,
    ) -> str:
        """The query string with ``drop`` removed (a value of None drops every value of the key)
        and ``add`` appended; back to page 1 unless ``keep_page``."""
        items = [
            (k, v)
            for k, v in self.items
            if not any(k == dk and (dv is None or dv == v) for dk, dv in drop)
            and (keep_page or k != "page")
        ]
        return "?" + urlencode([*items, *add])

    def values(self, key: str) -> list[str]:
        return [v for k, v in self.items if k == key]

    def as_mapping(self) -> Mapping[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.items:
            out.setdefault(k, []).append(v)
        return out
