"""Search the index: rank, count, facet, suggest and show hits for one compiled query.

A request is compiled once (``index.fulltext.query``): the query that runs, its filters and the
words to highlight; this module runs it.

Counting and ranking are separate (``index.fulltext.facets``): the total and the facet counts
come from the query's match set and the facet table written beside the index (date ranges and
filters included), so no hit is scored or read for them; then only the top hits are scored.

Ranking: BM25F over title > summary > body > attachment text (``FIELD_BOOSTS``), then the top
``RERANK_DEPTH`` hits are re-ranked by ``rank_factor``: topic listings and plain pages go down,
recent items get a gentle lift. An NCJ number or an opportunity ID typed alone puts its record
first. Date ranges a query requires filter rather than score. Scoring stops at ``time_limit``
seconds with a ``SearchTimeoutError``.

Snippets (``index.fulltext.snippets``) are computed only for the hits of the page shown.
Documents: the text of linked PDFs is the ``doc`` field (weighted below the page's own fields);
``doc:`` searches it alone, and ``--type document`` means "matched in a document": linked
documents' text and records of kind document.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import compress
from typing import Any

from whoosh import collectors, query, sorting
from whoosh.searching import Searcher

from index.datadir import DataDir
from index.errors import ErrorKind, NextStep
from index.filters import DOCUMENT_TYPE
from index.fulltext.facets import FacetTable, doc_ids, match_set
from index.fulltext.impact import (
    ImpactTable,
    list_match_set,
    match_query,
    top_hits,
)
from index.fulltext.query import (
    MAX_EXPANSIONS,
    MAX_LIMIT,
    SORT_COLUMNS,
    CompiledQuery,
    QueryError,
    SearchRequest,
    check_request,
    compile_query,
    lift_filters,
    relax_question,
    word_queries,
)
from index.fulltext.snapshot import Snapshot, open_snapshot, result_cache
from index.fulltext.snippets import (
    SnippetSource,
    hit_snippet,
    read_records,
    snippet_source,
    snippet_texts,
)
from index.fulltext.suggest import suggest_query
from index.fulltext.writer import (
    IndexCorruptError,
    IndexMissingError,
    SearchError,
    live_index_path,
)
from index.records import Record

__all__ = [
    "MAX_EXPANSIONS",
    "CompiledQuery",
    "Hit",
    "IndexCorruptError",
    "IndexMissingError",
    "QueryError",
    "RecordNotFoundError",
    "SearchError",
    "SearchRequest",
    "SearchResults",
    "SearchTimeoutError",
    "matching_ids",
    "search",
    "search_ids",
    "similar",
]

log = logging.getLogger(__name__)

RERANK_DEPTH = 50  # hits re-ranked by kind and date
KIND_FACTORS = {"topic": 0.45, "page": 0.8, "program": 0.9, "document": 0.9}
RECENCY_LIFT = 0.15  # at most +15% for this year's items, fading over RECENCY_YEARS
RECENCY_YEARS = 10
TIME_LIMIT = 10.0  # seconds one search may spend scoring


class RecordNotFoundError(SearchError):
    """No record with that id in the index."""

    kind = ErrorKind.NOT_FOUND
    next_step = NextStep.FIND_ID


class SearchTimeoutError(SearchError):
    """A search ran out of time."""

    kind = ErrorKind.TIMEOUT


@dataclass(frozen=True)
class Hit:
    id: str
    url: str
    title: str
    agency: str
    content_type: str
    published: str | None
    score: float
    snippet: str  # plain text; matched words wrapped in [[ ]]
    ncj_number: str | None = None
    topics: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    added: str | None = None  # the day ojp-search first saw the record
    closing: str | None = None  # a funding opportunity's closing date
    event_dates: str | None = None  # an event's day, or its first and last day ("a/b")

    def to_dict(self) -> dict[str, Any]:
        """The hit as every face's JSON shows it (``"type": "hit"`` first)."""
        data = asdict(self)
        data["topics"], data["authors"] = list(self.topics), list(self.authors)
        return {"type": "hit", **data}


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None  # a corrected query that has results
    parsed: str = ""  # the query as Whoosh runs it (for --explain)
    corrected: bool = False  # True: hits are for ``suggestion`` (the query found nothing)
    notice: str | None = None  # what every face says above the hits (a partial match)
    partial: bool = False  # True: no record has all the words; hits have most of them

    def summary(self, *, page: int, limit: int) -> dict[str, Any]:
        """What the search found beside its hits, as every face's JSON shows it."""
        return {
            "type": "summary",
            "total": self.total,
            "page": page,
            "pages": max(1, -(-self.total // max(limit, 1))),
            "facets": self.facets,
            "suggestion": self.suggestion,
            "corrected": self.corrected,
            "notice": self.notice,
            "partial": self.partial,
            "parsed": self.parsed,
        }


PARTIAL_NOTICE = "No record has all the words; showing records with most of them."


# -- ranking ---------------------------------------------------------------------------------


def rank_factor(content_type: str, published: int, this_year: int) -> float:
    """Multiplier applied to a hit's score: kind (listings down) and a gentle recency lift."""
    factor = KIND_FACTORS.get(content_type, 1.0)
    year = max(published, 0) // 10000  # a missing date reads as the column minimum
    if year:
        age = max(0, this_year - year)
        factor *= 1.0 + RECENCY_LIFT * max(0.0, 1.0 - age / RECENCY_YEARS)
    return factor


@dataclass(frozen=True)
class SearchContext:
    """What every query of one search needs from the open index."""

    searcher: Searcher
    facets: FacetTable
    live: int  # the match set of every document not deleted
    time_limit: float | None = TIME_LIMIT
    impacts: ImpactTable | None = None  # the impact lists (None: rank exhaustively)


def filter_set(context: SearchContext, compiled: CompiledQuery) -> int:
    """The match set of the request's filters: agency and type from the facet table, the
    published range from its sorted dates, the other filters from their posting lists."""
    request, found = compiled.request, context.live
    if request.agency:
        found &= context.facets.value_set("agency", request.agency)
    if request.type and DOCUMENT_TYPE not in request.type:
        found &= context.facets.value_set("type", request.type)
    flt = compiled.filter
    for part in flt.subqueries if isinstance(flt, query.And) else [flt]:
        if _facet_filter(part):
            continue
        found &= match_set(context.searcher, part, context.live, context.facets)
        if not found:
            break
    return found


def _facet_filter(part: query.Query | None) -> bool:
    """An agency or type filter (answered by the facet table)."""
    return isinstance(part, query.Or) and all(
        isinstance(term, query.Term) and term.fieldname in ("agency", "content_type")
        for term in part.subqueries
    )


def newest_first(table: FacetTable, matches: int, count: int) -> list[tuple[int, float]]:
    """The ``count`` newest documents of a match set (undated ones last), unscored."""
    data = matches.to_bytes(table.doc_count, "little")
    page: list[int] = []
    for docnum in reversed(table.date_docs):
        if data[docnum]:
            page.append(docnum)
            if len(page) == count:
                return [(docnum, 0.0) for docnum in page]
    dated = set(table.date_docs)
    for docnum in compress(range(table.doc_count), data):
        if docnum not in dated:
            page.append(docnum)
            if len(page) == count:
                break
    return [(docnum, 0.0) for docnum in page]


def _matches(context: SearchContext, compiled: CompiledQuery) -> int:
    """The match set of a compiled request: its query's documents that pass its filters."""
    matched = match_query(compiled.query, context.searcher.schema)
    found = list_match_set(context.searcher, context.impacts, matched, context.live, context.facets)
    if compiled.filter is not None and found:
        found &= filter_set(context, compiled)
    return found


def _ranked(
    context: SearchContext, compiled: CompiledQuery, restrict: int | None = None
) -> tuple[int, list[tuple[int, float]], dict[str, dict[str, int]]]:
    """(total, [(docnum, score)] for the page, facets).

    The total and the facets come from the match set (``index.fulltext.facets``); only the top
    hits are scored, among the documents the filters and date ranges allow (Whoosh skips the
    posting blocks that cannot reach the top).
    """
    searcher, table, request = context.searcher, context.facets, compiled.request
    matches = _matches(context, compiled)
    if restrict is not None:
        matches &= restrict
    total = matches.bit_count()
    facets = table.count(matches)
    if not total:
        return 0, [], facets
    scored_query, lifted = lift_filters(compiled.query)
    start = (request.page - 1) * request.limit
    end = start + request.limit
    unscored = isinstance(scored_query, query.Every)
    if unscored and request.sort in ("relevance", "date"):  # nothing to score: newest first
        return total, newest_first(table, matches, end)[start:end], facets
    restricted = compiled.filter is not None or lifted or restrict is not None or unscored

    def allowed() -> set[int] | None:
        """The documents Whoosh may collect (None: every match of the query)."""
        return doc_ids(matches, table.doc_count) if restricted else None

    if request.sort in SORT_COLUMNS:
        hits = _collect(context, scored_query, end, allowed(), sortedby=sort_facet(request.sort))
        page = [(hit.docnum, hit.score or 0.0) for hit in hits[start:end]]
    else:
        scored = top_hits(searcher, context.impacts, scored_query, matches, max(end, RERANK_DEPTH))
        if scored is None:  # the impact lists cannot rank it: score every candidate
            hits = _collect(context, scored_query, max(end, RERANK_DEPTH), allowed(), optimize=True)
            scored = [(h.docnum, h.score or 0.0) for h in hits]
        # Only the top RERANK_DEPTH move, so every page of one query sees the same order.
        page = (rerank(table, scored[:RERANK_DEPTH]) + scored[RERANK_DEPTH:])[start:end]
    return total, page, facets


def sort_facet(sort: str) -> sorting.FieldFacet:
    """The column a sort other than relevance orders by (``SORT_COLUMNS``)."""
    column, descending = SORT_COLUMNS[sort]
    return sorting.FieldFacet(column, reverse=descending)


class DeadlineCollector(collectors.WrappingCollector):
    """Raises ``collectors.TimeLimit`` once ``deadline`` (``time.monotonic``) has passed: checked
    per collected hit and per segment. Unlike Whoosh's ``TimeLimitCollector`` it lets the
    collector it wraps run its own loop, so block-max skipping and filters still apply."""

    def __init__(self, child: collectors.Collector, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise collectors.TimeLimit

    def set_subsearcher(self, subsearcher: Any, offset: int) -> None:
        self._check()
        super().set_subsearcher(subsearcher, offset)

    def collect(self, sub_docnum: int) -> Any:
        self._check()
        return self.child.collect(sub_docnum)


def _collect(
    context: SearchContext, q: query.Query, limit: int, allowed: set[int] | None, **options: Any
) -> Any:
    """The top ``limit`` hits of ``q`` among ``allowed`` documents (None: all), scored within
    the context's time limit."""
    searcher = context.searcher
    collector = searcher.collector(limit=limit, **options)
    if context.time_limit is not None:
        collector = DeadlineCollector(collector, time.monotonic() + context.time_limit)
    if allowed is not None:
        collector = collectors.FilterCollector(collector, allow=allowed)
    try:
        searcher.search_with_collector(q, collector)
    except collectors.TimeLimit:
        raise SearchTimeoutError(
            f"the search took longer than {context.time_limit:g} s; "
            "try fewer words, a field or a filter."
        ) from None
    return collector.results()


def rerank(table: FacetTable, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Re-order scored hits by ``score * rank_factor``. Kind and year come from the facet
    table's codes (the ``year`` column is the published date's year), so re-ranking reads
    nothing from the index: a column reader would load every document's offsets first."""
    kinds, years = table.values["type"], table.values["year"]
    kind_codes, year_codes = table.codes["type"], table.codes["year"]
    this_year = dt.date.today().year
    rescored = []
    for docnum, score in scored:
        kind = kinds[kind_codes[docnum] - 1] if kind_codes[docnum] else ""
        year = int(years[year_codes[docnum] - 1]) if year_codes[docnum] else 0
        rescored.append((docnum, score * rank_factor(kind, year * 10000, this_year)))
    return sorted(rescored, key=lambda pair: -pair[1])


# -- hits ----------------------------------------------------------------------------------


def _hits(
    searcher: Searcher,
    data_dir: DataDir,
    page: list[tuple[int, float]],
    terms: frozenset[str] | None,
    *,
    documents_first: bool = False,
) -> list[Hit]:
    """The hits of a page: the index's stored fields, the store's record (topics, authors,
    snippet text) where the store answers."""
    stored = [searcher.stored_fields(docnum) for docnum, _ in page]
    records: dict[str, Record] = {}
    try:
        records = read_records(data_dir, [s["id"] for s in stored])
    except Exception as exc:  # the index still answers when the store cannot
        log.warning("hits from the index only: the store is unavailable (%s)", exc)
    hits = []
    for (_, score), fields in zip(page, stored, strict=True):
        record = records.get(fields["id"])
        dates = fields.get("dates_iso") or {}
        source = snippet_source(record) if record else SnippetSource(fields.get("summary", ""))
        hits.append(
            Hit(
                id=fields["id"],
                url=fields["url"],
                title=fields.get("title", ""),
                agency=fields.get("agency", ""),
                content_type=fields.get("content_type", ""),
                published=fields.get("published_iso") or None,
                score=round(float(score), 4),
                snippet=hit_snippet(source, terms or frozenset(), documents_first=documents_first),
                ncj_number=fields.get("ncj") or None,
                topics=record.topics if record else (),
                authors=record.authors if record else (),
                added=dates.get("added"),
                closing=dates.get("closing"),
                event_dates=dates.get("event"),
            )
        )
    return hits


# -- the public API --------------------------------------------------------------------------


def search(
    data_dir: DataDir, request: SearchRequest, *, time_limit: float | None = TIME_LIMIT
) -> SearchResults:
    """Run one search: the page of hits asked for, facets, and a suggestion when useful."""
    request = check_request(request)  # a bad option is told before the index is opened
    cache = result_cache(data_dir)
    with open_snapshot(data_dir) as snapshot:
        key = snapshot.key(request) if cache is not None else None
        found = cache.get(key) if cache is not None else None
        if found is not None:
            return found  # type: ignore[no-any-return]
        results = _search(data_dir, snapshot, request, time_limit)
    if cache is not None:
        cache.put(key, results)
    return results


def _search(
    data_dir: DataDir, snapshot: Snapshot, request: SearchRequest, time_limit: float | None
) -> SearchResults:
    """One search on an open snapshot: ranking, suggestion, partial match, hits."""
    searcher = snapshot.searcher
    compiled = compile_query(searcher, request)
    context = SearchContext(searcher, snapshot.facets, snapshot.live, time_limit, snapshot.impacts)
    total, page, facets = _ranked(context, compiled)
    suggestion, absent = (None, False)
    if not compiled.exact:
        suggestion, absent = suggest_query(
            searcher, relax_question(request.query), snapshot.spelling()
        )
    corrected = False
    if suggestion is not None:
        fixed = compile_query(searcher, replace(compiled.request, query=suggestion))
        total2, page2, facets2 = _ranked(context, fixed)
        if total2 == 0:
            suggestion = None
        elif total == 0 or (absent and total2 > total):
            compiled, total, page, facets, corrected = fixed, total2, page2, facets2, True
    partial = False
    if total == 0 and not corrected:
        found = _most_words(context, compiled)
        if found is not None:
            compiled, total, page, facets = found
            partial = True
    hits = _hits(
        searcher, data_dir, page, compiled.highlight, documents_first=compiled.documents_first
    )
    notice = PARTIAL_NOTICE if partial else None
    return SearchResults(
        total, hits, facets, suggestion, compiled.parsed, corrected, notice, partial
    )


def _most_words(
    context: SearchContext, compiled: CompiledQuery
) -> tuple[CompiledQuery, int, list[tuple[int, float]], dict[str, dict[str, int]]] | None:
    """When no record has all the words of a plain query: the records with the most of them
    (all but one, else fewer, down to half), ranked by how well they match; None when there
    are none or the query is not plain words."""
    words = word_queries(compiled)
    if not words:
        return None
    at_least = [context.live] + [0] * len(words)  # at_least[m]: docs with m or more words
    for word in words:
        found = match_set(context.searcher, word, context.live, context.facets)
        for m in range(len(words), 0, -1):
            at_least[m] |= at_least[m - 1] & found
    for m in range(len(words) - 1, max(1, len(words) // 2) - 1, -1):
        if at_least[m]:
            anywhere = replace(compiled, query=query.Or(words))
            total, page, facets = _ranked(context, anywhere, restrict=at_least[m])
            if total:
                return anywhere, total, page, facets
    return None


def search_ids(data_dir: DataDir, request: SearchRequest) -> Iterator[str]:
    """Every matching record id, in the requested order (for export --query)."""
    request = check_request(request)
    with open_snapshot(data_dir) as snapshot:
        searcher = snapshot.searcher
        compiled = compile_query(searcher, request)
        sort = compiled.request.sort
        sortedby = sort_facet(sort) if sort in SORT_COLUMNS else None
        results = searcher.search(
            compiled.query, filter=compiled.filter, limit=None, sortedby=sortedby
        )
        ids = [searcher.stored_fields(hit.docnum)["id"] for hit in results]
    yield from ids


def matching_ids(data_dir: DataDir, request: SearchRequest) -> set[str]:
    """The ids of every record the request matches (all its words, its filters), unranked: what
    a saved search matches now."""
    request = check_request(request)
    with open_snapshot(data_dir) as snapshot:
        searcher = snapshot.searcher
        compiled = compile_query(searcher, request)
        context = SearchContext(searcher, snapshot.facets, snapshot.live, None, snapshot.impacts)
        found = _matches(context, compiled)
        docnums = doc_ids(found, snapshot.facets.doc_count)
        return {searcher.stored_fields(docnum)["id"] for docnum in sorted(docnums)}


def similar(data_dir: DataDir, record_id: str, limit: int = 10) -> SearchResults:
    """Records like ``record_id``: Whoosh's more-like-this over the record's text. The total and
    the facets count every other record that shares one of its key terms."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"--limit must be 1 to {MAX_LIMIT:,}.")
    with open_snapshot(data_dir) as snapshot:
        searcher = snapshot.searcher
        docnum = searcher.document_number(id=record_id)
        if docnum is None:
            raise RecordNotFoundError(f"no record with id '{record_id}' in the index.")
        fields = searcher.stored_fields(docnum)
        text = snippet_texts(data_dir, [record_id]).get(record_id, fields.get("summary", ""))
        text = "\n".join([fields.get("title", ""), fields.get("title", ""), text])
        results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=12)
        page = [(hit.docnum, hit.score or 0.0) for hit in results]
        hits = _hits(searcher, data_dir, page, None)
        table = snapshot.facets
        matches = match_set(searcher, results.q, snapshot.live, table)
        matches &= ~(1 << (8 * docnum))
        parsed = f"more like {record_id}"
    return SearchResults(matches.bit_count(), hits, table.count(matches), None, parsed)


def index_location(data_dir: DataDir) -> str:
    """The generation folder of the live index (for messages)."""
    return str(live_index_path(data_dir))
