"""Search the index: parse a query, filter, rank, facet, highlight and suggest.

Query language: Whoosh's, with field names (``title: agency: type: topic: author: ncj: doc:
published: id:``), AND / OR / NOT, phrases and wildcards. ``published:2019..2024`` (also
``2019-06..2020``, ``2019..``, ``..2020``, ``2021``) becomes one date range. Unbalanced quotes
and parentheses are repaired, bureau acronyms and names are synonyms, and a wildcard, prefix, term
range or fuzzy term expands to at most ``MAX_EXPANSIONS`` terms (the most frequent ones).

Counting and ranking are separate (``index.fulltext.facets``): the total and the facet counts
come from
the query's match set and the facet table written beside the index (date ranges and filters
included), so no hit is scored or read for them; then only the top hits are scored.

Ranking: BM25F over title > summary > body > attachment text (``FIELD_BOOSTS``), then the top
``RERANK_DEPTH`` hits are re-ranked by ``rank_factor``: topic listings and plain pages go down,
recent items get a gentle lift. An NCJ number or an opportunity ID typed alone puts its record
first. Date ranges a query requires filter rather than score.

Snippets are computed only for the hits of the page shown, from the store's text; matched words
are wrapped in ``[[`` and ``]]`` (the CLI turns them into colour for people). A hit that matched
only inside a linked document says which: ``In "Full report": ... [[phrase]] ...``.

Documents: the text of linked PDFs is the ``doc`` field (weighted below the page's own fields);
``doc:`` searches it alone, and ``--type document`` means "matched in a document": linked
documents' text and records of kind document.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import heapq
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, islice
from typing import Any

from whoosh import highlight, query, sorting
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.datadir import DataDir
from index.fulltext.analysis import expand_synonyms, text_analyzer
from index.fulltext.facets import (
    FacetTable,
    doc_ids,
    is_date_range,
    live_docs,
    load_facet_table,
    match_set,
)
from index.fulltext.schema import (
    DOCUMENTED_FIELDS,
    FIELD_ALIASES,
    FIELD_BOOSTS,
    WORD_FIELDS,
    WORDS_FIELD,
)
from index.fulltext.writer import (
    IndexCorruptError,
    IndexMissingError,
    SearchError,
    live_index_path,
    open_searcher,
)
from index.records import AGENCIES, CONTENT_TYPES

__all__ = [
    "Hit",
    "IndexCorruptError",
    "IndexMissingError",
    "QueryError",
    "RecordNotFoundError",
    "SearchError",
    "SearchRequest",
    "SearchResults",
    "search",
    "search_ids",
    "similar",
]

log = logging.getLogger(__name__)

MAX_EXPANSIONS = 64  # terms one wildcard may expand to
MAX_SCANNED_TERMS = 20000  # terms a wildcard pattern may look at
RERANK_DEPTH = 50  # hits re-ranked by kind and date
EXACT_BOOST = 1000.0  # an NCJ number / opportunity ID typed alone
SNIPPET_CHARS = 220
SNIPPET_SPAN = 1200  # characters of a long text the highlighter looks at, from the first match
KIND_FACTORS = {"topic": 0.45, "page": 0.8, "program": 0.9, "document": 0.9}
RECENCY_LIFT = 0.15  # at most +15% for this year's items, fading over RECENCY_YEARS
RECENCY_YEARS = 10
SORTS = ("relevance", "date")
MARK_START, MARK_END = "[[", "]]"
TEXT_FIELDS = ("title", "summary", "body", "doc", "topics", "authors", WORDS_FIELD)
DOCUMENT_TYPE = "document"  # as a --type: a match in document text
DOCUMENT_FIELDS = ("doc",)


class QueryError(SearchError):
    """The query or one of its options cannot be understood."""


class RecordNotFoundError(SearchError):
    """No record with that id in the index."""


@dataclass(frozen=True)
class SearchRequest:
    query: str
    agency: Sequence[str] = ()
    type: Sequence[str] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1


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


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    suggestion: str | None = None  # a corrected query that has results
    parsed: str = ""  # the query as Whoosh runs it (for --explain)
    corrected: bool = False  # True: hits are for ``suggestion`` (the query found nothing)


# -- preparing the query string --------------------------------------------------------------

_FIELD_PREFIX = re.compile(r"(?:(?<=^)|(?<=[\s(+\-]))([A-Za-z_]+):(?!//)")
_DATE_TEXT = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_PUBLISHED = re.compile(r"(?i)\bpublished:(?![\[{])(\S*)")
_NCJ_ALONE = re.compile(r"^\s*(?:ncj\s*(?:no\.?|number|#)?\s*:?\s*)?(\d{5,7})\s*$", re.IGNORECASE)
_OPPORTUNITY_ALONE = re.compile(r"^\s*(o-[a-z]+-\d{4}-\d+)\s*$", re.IGNORECASE)
_WORD = re.compile(r"(?<![\w:*?'])([A-Za-z]{3,})(?![\w:*?'])")
_OPERATORS = {"and", "or", "not", "to"}


def repair_query(text: str) -> str:
    """Close an unbalanced quote and balance parentheses (outside quotes)."""
    if text.count('"') % 2:
        text += '"'
    out: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + ")" * depth


def _outside_quotes(text: str) -> str:
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text)


def check_fields(text: str) -> None:
    """Raise QueryError for a ``name:`` that is not a known field."""
    for match in _FIELD_PREFIX.finditer(_outside_quotes(text)):
        name = match.group(1).lower()
        if name in FIELD_ALIASES:
            continue
        close = difflib.get_close_matches(name, DOCUMENTED_FIELDS, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise QueryError(
            f"unknown field '{match.group(1)}'.{hint} Fields: {', '.join(DOCUMENTED_FIELDS)}."
        )


def date_bounds(text: str, where: str) -> tuple[int, int]:
    """The first and last ``YYYYMMDD`` numbers a date of any precision covers."""
    match = _DATE_TEXT.match(text.strip())
    if not match:
        raise _bad_date(text, where)
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            dt.date(year, month or 1, day)  # type: ignore[arg-type]
        elif month is not None and not 1 <= month <= 12:
            raise ValueError(month)
    except ValueError:
        raise _bad_date(text, where) from None
    assert year is not None
    if month is None:
        return year * 10000, year * 10000 + 9999
    if day is None:
        return year * 10000 + month * 100, year * 10000 + month * 100 + 99
    number = year * 10000 + month * 100 + day
    return number, number


def _bad_date(text: str, where: str) -> QueryError:
    return QueryError(f"bad date '{text}' in {where}: use YYYY, YYYY-MM or YYYY-MM-DD.")


def rewrite_dates(text: str) -> str:
    """``published:2019..2024`` → ``published:[20190000 TO 20249999]`` (one numeric range)."""

    def to_range(match: re.Match[str]) -> str:
        value = match.group(1).rstrip(")")
        rest = match.group(1)[len(value) :]
        low_text, sep, high_text = value.partition("..")
        if not sep:
            high_text = low_text
        low = date_bounds(low_text, "published")[0] if low_text else None
        high = date_bounds(high_text, "published")[1] if high_text else None
        if low is None and high is None:
            raise _bad_date(value, "published")
        low_part = f"{low} " if low is not None else ""
        high_part = f" {high}" if high is not None else ""
        return f"published:[{low_part}TO{high_part}]{rest}"

    return _PUBLISHED.sub(to_range, text)


def prepare_query(text: str, *, synonyms: bool = True) -> str:
    """The user's query string, repaired, checked and rewritten for the Whoosh parser."""
    if not text.strip():
        raise QueryError('empty query. Try: ojp-search search "human trafficking"')
    text = repair_query(text.strip())
    check_fields(text)
    text = rewrite_dates(text)
    return expand_synonyms(text) if synonyms else text


# -- parsing ---------------------------------------------------------------------------------


def make_parser(schema: Any, fields: Sequence[str] | None = None) -> MultifieldParser:
    """A parser searching unprefixed words in ``fields`` (default: all of ``FIELD_BOOSTS``)."""
    names = list(fields or FIELD_BOOSTS)
    boosts = {name: FIELD_BOOSTS[name] for name in names}
    parser = MultifieldParser(names, schema, fieldboosts=boosts, group=AndGroup)
    aliases: dict[str, list[str]] = {}
    for alias, name in FIELD_ALIASES.items():
        if alias != name:
            aliases.setdefault(name, []).append(alias)
    parser.add_plugin(FieldAliasPlugin(aliases))
    return parser


def bound_expansions(q: query.Query, reader: Any) -> query.Query:
    """Replace each query that expands to terms (wildcard, prefix, term range, fuzzy term) by an
    OR of its ``MAX_EXPANSIONS`` most frequent terms, looking at most at ``MAX_SCANNED_TERMS``.
    A pattern of wildcards only (``*``, ``title:?*``) matches every document. A pattern typed
    without a field expands once, in ``words``, rather than once per text field."""

    def visit(node: query.Query) -> query.Query:
        if isinstance(node, query.Phrase) and not _has_positions(reader, node.fieldname):
            return query.And([query.Term(node.fieldname, w) for w in node.words], boost=node.boost)
        if isinstance(node, query.Every) or (
            isinstance(node, query.PatternQuery) and not node.text.strip("*?")
        ):
            return query.Every()
        if not isinstance(node, query.MultiTerm):
            return node
        if isinstance(node, query.Prefix):
            found = (
                (info.doc_frequency(), text)
                for text, info in islice(
                    reader.iter_prefix(node.fieldname, node.text), MAX_SCANNED_TERMS
                )
            )
        else:
            found = (
                (reader.doc_frequency(node.fieldname, text), text)
                for text in islice(node._btexts(reader), MAX_SCANNED_TERMS)
            )
        best = heapq.nlargest(MAX_EXPANSIONS, found)
        field_obj = reader.schema[node.fieldname]
        terms = [
            query.Term(node.fieldname, field_obj.from_bytes(t) if isinstance(t, bytes) else t)
            for _, t in best
        ]
        if not terms:
            return query.NullQuery
        return Expansion(terms, boost=node.boost)

    if WORDS_FIELD in reader.schema:
        q = q.accept(merge_word_patterns)
    return q.accept(visit)


def merge_word_patterns(node: query.Query) -> query.Query:
    """An OR with the same pattern in every one of ``WORD_FIELDS`` (a pattern typed without a
    field): that pattern once, in ``words`` (the same documents)."""
    if type(node) is not query.Or:
        return node
    patterns = [
        part
        for part in node.subqueries
        if isinstance(part, query.PatternQuery) and part.fieldname in WORD_FIELDS
    ]
    kinds = {(type(part), part.text) for part in patterns}
    if len(kinds) != 1 or {part.fieldname for part in patterns} != set(WORD_FIELDS):
        return node
    kind, text = kinds.pop()
    rest = [part for part in node.subqueries if not any(part is p for p in patterns)]
    return query.Or([kind(WORDS_FIELD, text), *rest], boost=node.boost)


class Expansion(query.Or):
    """The terms a wildcard, prefix, range or fuzzy term expanded to. Like Lucene's default for
    such queries, it matches without scoring: a required expansion filters (``lift_filters``)."""


def is_filter(node: query.Query) -> bool:
    """A date range, an expansion, or an OR of them (a wildcard word over several fields)."""
    if is_date_range(node) or isinstance(node, Expansion | query.Every) or node is query.NullQuery:
        return True
    return type(node) is query.Or and all(is_filter(child) for child in node.subqueries)


def _has_positions(reader: Any, fieldname: str) -> bool:
    return bool(reader.schema[fieldname].format.supports("positions"))


def exact_match(text: str) -> query.Query | None:
    """The NCJ number or opportunity ID the query consists of, as a query."""
    if match := _NCJ_ALONE.match(text):
        return query.Term("ncj", match.group(1), boost=EXACT_BOOST)
    if match := _OPPORTUNITY_ALONE.match(text):
        return query.Term("opportunity", match.group(1).lower(), boost=EXACT_BOOST)
    return None


def build_query(
    searcher: Searcher,
    text: str,
    *,
    synonyms: bool = True,
    fields: Sequence[str] | None = None,
) -> query.Query:
    """Parse the (raw) query text into the Whoosh query that runs (unprefixed words searched in
    ``fields``, by default all of them)."""
    parser = make_parser(searcher.schema, fields)
    prepared = prepare_query(text, synonyms=synonyms)
    try:
        q = parser.parse(prepared)
    except (IndexError, AssertionError):  # Whoosh's parser trips on some operator soups
        words = re.findall(r"\w+", prepared)
        q = parser.parse(
            " ".join(w.lower() if w in ("AND", "OR", "NOT", "ANDNOT", "TO") else w for w in words)
        )
    q = bound_expansions(q, searcher.reader())
    exact = exact_match(text)
    if exact is not None:
        q = query.Or([exact, q])
    return q


def type_query(types: Sequence[str]) -> query.Query:
    return query.Or([query.Term("content_type", t.lower()) for t in types])


def request_query(
    searcher: Searcher, text: str, request: SearchRequest, *, synonyms: bool = True
) -> query.Query:
    """The query for ``text`` under the request's types. ``--type document`` selects matches in
    document text (the ``doc`` field); other types filter as usual (``build_filter``), so
    ``--type document --type news`` is news matching anywhere, or any match in a document."""
    q = build_query(searcher, text, synonyms=synonyms)
    if DOCUMENT_TYPE not in request.type:
        return q
    in_documents = build_query(searcher, text, synonyms=synonyms, fields=DOCUMENT_FIELDS)
    others = [t for t in request.type if t != DOCUMENT_TYPE]
    if not others:
        return in_documents
    return query.Or([query.And([q, type_query(others)]), in_documents])


def build_filter(request: SearchRequest) -> query.Query | None:
    """Agency, type and date filters (AND of them), or None. With ``document`` among the
    types, the types are part of the query instead (``request_query``)."""
    parts: list[query.Query] = []
    if request.agency:
        parts.append(query.Or([query.Term("agency", a.lower()) for a in request.agency]))
    if request.type and DOCUMENT_TYPE not in request.type:
        parts.append(type_query(request.type))
    low = date_bounds(request.since, "--since")[0] if request.since else None
    high = date_bounds(request.until, "--until")[1] if request.until else None
    if low is not None or high is not None:
        parts.append(query.NumericRange("published", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def validate_request(request: SearchRequest) -> SearchRequest:
    """Normalise agency and type names; raise QueryError for bad options."""
    agencies = tuple(a.upper() for a in request.agency)
    for agency in agencies:
        if agency not in AGENCIES:
            raise QueryError(f"unknown agency '{agency}'. Agencies: {', '.join(AGENCIES)}.")
    types = tuple(t.lower() for t in request.type)
    for kind in types:
        if kind not in CONTENT_TYPES:
            raise QueryError(f"unknown type '{kind}'. Types: {', '.join(CONTENT_TYPES)}.")
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort '{request.sort}'. Use relevance or date.")
    if request.limit < 1 or request.page < 1:
        raise QueryError("--limit and --page must be 1 or more.")
    prepare_query(request.query)  # empty query, unknown field, bad date
    build_filter(request)  # bad --since / --until
    return replace(request, agency=agencies, type=types)


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


def filter_set(context: SearchContext, request: SearchRequest, flt: query.Query) -> int:
    """The match set of the request's filters (``build_filter``): agency, type and dates from
    the facet table."""
    found = context.live
    if request.agency:
        found &= context.facets.value_set("agency", request.agency)
    if request.type and DOCUMENT_TYPE not in request.type:
        found &= context.facets.value_set("type", request.type)
    for part in getattr(flt, "subqueries", [flt]):
        if isinstance(part, query.NumericRange):
            found &= match_set(context.searcher, part, context.live, context.facets)
    return found


def lift_filters(q: query.Query) -> tuple[query.Query, bool]:
    """``q`` without the parts it requires that match without scoring (date ranges, wildcard
    expansions), and whether there were any: ``dna published:2019..2024`` scores ``dna`` among
    the documents of 2019-2024. A query of such parts only scores nothing (``Every``)."""
    if is_filter(q):
        return query.Every(), True
    if not isinstance(q, query.And):
        return q, False
    rest = [part for part in q.subqueries if not is_filter(part)]
    if len(rest) == len(q.subqueries):
        return q, False
    if not rest:
        return query.Every(), True
    return (rest[0] if len(rest) == 1 else query.And(rest, boost=q.boost)), True


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


def _ranked(
    context: SearchContext, q: query.Query, flt: query.Query | None, request: SearchRequest
) -> tuple[int, list[tuple[int, float]], dict[str, dict[str, int]]]:
    """(total, [(docnum, score)] for the page, facets).

    The total and the facets come from the match set (``index.fulltext.facets``); only the top
    hits are
    scored, among the documents the filters and date ranges allow (Whoosh skips the posting
    blocks that cannot reach the top).
    """
    searcher, table = context.searcher, context.facets
    matches = match_set(searcher, q, context.live, table)
    if flt is not None and matches:
        matches &= filter_set(context, request, flt)
    total = matches.bit_count()
    facets = table.count(matches)
    if not total:
        return 0, [], facets
    scored_query, lifted = lift_filters(q)
    start = (request.page - 1) * request.limit
    end = start + request.limit
    if isinstance(scored_query, query.Every):  # nothing to score: newest first
        return total, newest_first(table, matches, end)[start:end], facets
    allowed = doc_ids(matches, table.doc_count) if flt is not None or lifted else None
    if request.sort == "date":
        results = searcher.search(
            scored_query,
            filter=allowed,
            limit=end,
            sortedby=sorting.FieldFacet("published", reverse=True),
        )
        page = [(hit.docnum, hit.score or 0.0) for hit in results[start:end]]
    else:
        results = searcher.search(
            scored_query, filter=allowed, limit=max(end, RERANK_DEPTH), optimize=True
        )
        scored = [(h.docnum, h.score or 0.0) for h in results]
        # Only the top RERANK_DEPTH move, so every page of one query sees the same order.
        page = (rerank(searcher, scored[:RERANK_DEPTH]) + scored[RERANK_DEPTH:])[start:end]
    return total, page, facets


def rerank(searcher: Searcher, scored: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Re-order scored hits by ``score * rank_factor``, reading columns segment by segment (no
    stored fields; Whoosh's multi-segment column reader mis-maps documents after deletions)."""
    leaves = searcher.reader().leaf_readers()
    bases = [base for _, base in leaves]
    kinds = [leaf.column_reader("content_type") for leaf, _ in leaves]
    dates = [leaf.column_reader("published") for leaf, _ in leaves]
    this_year = dt.date.today().year
    rescored = []
    for docnum, score in scored:
        n = bisect.bisect_right(bases, docnum) - 1
        local = docnum - bases[n]
        factor = rank_factor(kinds[n][local], dates[n][local] or 0, this_year)
        rescored.append((docnum, score * factor))
    return sorted(rescored, key=lambda pair: -pair[1])


# -- suggestions -----------------------------------------------------------------------------


def suggest_query(searcher: Searcher, text: str) -> tuple[str | None, bool]:
    """A corrected query for rare or absent words, and whether a word was absent altogether."""
    reader = searcher.reader()
    corrected = text
    absent = False
    changed = False
    for word in dict.fromkeys(_WORD.findall(_outside_field_values(text))):
        lower = word.lower()
        if lower in _OPERATORS or (word.upper() == word and len(word) <= 6):
            continue
        frequency = reader.doc_frequency("spell", lower)
        if frequency > 1:
            continue
        best = _closest_word(reader, lower, frequency)
        if best is None:
            continue
        absent = absent or frequency == 0
        changed = True
        corrected = re.sub(rf"(?<![\w:]){re.escape(word)}(?!\w)", best, corrected)
    return (corrected if changed else None), absent


def _outside_field_values(text: str) -> str:
    return re.sub(r"\b[A-Za-z_]+:(\"[^\"]*\"|\S+)", " ", text)


def _closest_word(reader: Any, word: str, frequency: int) -> str | None:
    maxdist = 1 if len(word) <= 4 else 2
    candidates = []
    for candidate in reader.terms_within("spell", word, maxdist, prefix=1):
        if candidate == word:
            continue
        df = reader.doc_frequency("spell", candidate)
        if df <= frequency * 3:
            continue
        distance = _edit_distance(word, candidate)
        candidates.append((distance, -df, candidate))
    return min(candidates)[2] if candidates else None


def _edit_distance(a: str, b: str) -> int:
    from whoosh.support.levenshtein import distance

    return int(distance(a, b))


# -- snippets --------------------------------------------------------------------------------


class BracketFormatter(highlight.Formatter):
    """Plain text with each matched word wrapped in ``[[ ]]``."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"


def highlight_terms(q: query.Query) -> frozenset[str]:
    """The words of the query's text fields, as the analyzer indexes them (phrases included)."""
    words = set()
    for fieldname, text in q.iter_all_terms():
        if fieldname in TEXT_FIELDS:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(words)


def make_snippet(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` around the query's words, or its opening."""
    text = " ".join(text[:100_000].split())
    marked = marked_fragments(text, terms)
    if marked:
        return marked
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def passage(text: str, terms: frozenset[str]) -> str:
    """The part of a long ``text`` where the query's words first occur (``SNIPPET_SPAN``
    characters), found with one regular expression; "" when none can occur. The highlighter
    analyses every word it is given, so it gets this passage, not the whole text."""
    if len(text) <= SNIPPET_SPAN:
        return text
    # A stem without its last two letters prefixes every word it stems from ("studi": "study").
    stems = sorted({re.escape(term[: max(3, len(term) - 2)]) for term in terms}, key=len)
    found = re.search(r"(?i)\b(?:" + "|".join(stems) + ")", text)
    if found is None:
        return ""
    start = text.rfind(" ", 0, max(0, found.start() - 100)) + 1
    return text[start : start + SNIPPET_SPAN]


def marked_fragments(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` with the query's words marked ("" when none occurs)."""
    if not terms or not text:
        return ""
    text = passage(text, terms)
    if not text:
        return ""
    return str(
        highlight.highlight(
            text,
            terms,
            text_analyzer(),
            highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60),
            BracketFormatter(),
            top=2,
        )
        or ""
    )


@dataclass(frozen=True)
class SnippetSource:
    """A record's text for snippets: its own, and each linked document's (title, text)."""

    own: str
    documents: tuple[tuple[str, str], ...] = ()


def hit_snippet(source: SnippetSource, terms: frozenset[str], *, documents_first: bool) -> str:
    """The snippet of one hit: from the page's own text when the query's words are there, else
    from the first linked document that has them, named (``In "Title": ...``). With
    ``documents_first`` (``--type document``), documents are tried before the page."""
    own = " ".join(source.own[:100_000].split())
    if not documents_first and (marked := marked_fragments(own, terms)):
        return marked
    for title, text in source.documents:
        marked = marked_fragments(" ".join(text[:100_000].split()), terms)
        if marked:
            return f'In "{title}": {marked}' if title else marked
    return make_snippet(own, terms)


def snippet_sources(data_dir: DataDir, ids: Sequence[str]) -> dict[str, SnippetSource]:
    """The snippet text of the records shown, read from the store. A record of kind document
    is its document: its text counts as its own."""
    if not ids:
        return {}
    from index.store import Store

    with Store.open(data_dir) as store:
        records = store.get_many(list(ids))
    sources = {}
    for r in records:
        documents = tuple((a.title or a.url, a.text) for a in r.attachments if a.text)
        if r.content_type == DOCUMENT_TYPE:
            own = "\n".join([r.summary, r.body, *(text for _, text in documents)])
            sources[r.id] = SnippetSource(own)
        else:
            sources[r.id] = SnippetSource("\n".join([r.summary, r.body]), documents)
    return sources


def snippet_texts(data_dir: DataDir, ids: Sequence[str]) -> dict[str, str]:
    """Summary, body and attachment text of the records shown, read from the store."""
    if not ids:
        return {}
    from index.store import Store

    with Store.open(data_dir) as store:
        records = store.get_many(list(ids))
    return {r.id: "\n".join([r.summary, r.body, *(a.text for a in r.attachments)]) for r in records}


def _hits(
    searcher: Searcher,
    data_dir: DataDir,
    page: list[tuple[int, float]],
    terms: frozenset[str] | None,
    *,
    documents_first: bool = False,
) -> list[Hit]:
    stored = [searcher.stored_fields(docnum) for docnum, _ in page]
    sources: dict[str, SnippetSource] = {}
    if terms is not None:
        try:
            sources = snippet_sources(data_dir, [s["id"] for s in stored])
        except Exception as exc:  # the index still answers when the store cannot
            log.warning("snippets from the summary only: the store is unavailable (%s)", exc)
    hits = []
    for (_, score), fields in zip(page, stored, strict=True):
        source = sources.get(fields["id"]) or SnippetSource(fields.get("summary", ""))
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
            )
        )
    return hits


# -- the public API --------------------------------------------------------------------------


def search(data_dir: DataDir, request: SearchRequest) -> SearchResults:
    """Run one search: the page of hits asked for, facets, and a suggestion when useful."""
    request = validate_request(request)
    flt = build_filter(request)
    with open_searcher(data_dir) as searcher:
        reader = searcher.reader()
        facet_table = load_facet_table(live_index_path(data_dir), reader)
        context = SearchContext(searcher, facet_table, live_docs(reader))
        q = request_query(searcher, request.query, request)
        total, page, facets = _ranked(context, q, flt, request)
        suggestion, absent = (None, False)
        if exact_match(request.query) is None:
            suggestion, absent = suggest_query(searcher, request.query)
        corrected = False
        shown_query = request.query
        if suggestion is not None:
            q2 = request_query(searcher, suggestion, request)
            total2, page2, facets2 = _ranked(context, q2, flt, request)
            if total2 == 0:
                suggestion = None
            elif total == 0 or (absent and total2 > total):
                q, total, page, facets, corrected = q2, total2, page2, facets2, True
                shown_query = suggestion
        # Highlight what the user typed, not the bureau names a synonym added.
        typed = build_query(searcher, shown_query, synonyms=False)
        documents_first = DOCUMENT_TYPE in request.type
        hits = _hits(
            searcher, data_dir, page, highlight_terms(typed), documents_first=documents_first
        )
    parsed = str(q) if flt is None else f"{q} FILTER {flt}"
    return SearchResults(total, hits, facets, suggestion, parsed, corrected)


def search_ids(data_dir: DataDir, request: SearchRequest) -> Iterator[str]:
    """Every matching record id, in the requested order (for export --query)."""
    request = validate_request(request)
    flt = build_filter(request)
    with open_searcher(data_dir) as searcher:
        q = request_query(searcher, request.query, request)
        sortedby = sorting.FieldFacet("published", reverse=True) if request.sort == "date" else None
        results = searcher.search(q, filter=flt, limit=None, sortedby=sortedby)
        ids = [searcher.stored_fields(hit.docnum)["id"] for hit in results]
    yield from ids


def similar(data_dir: DataDir, record_id: str, limit: int = 10) -> SearchResults:
    """Records like ``record_id`` (Whoosh's more-like-this over the record's text)."""
    with open_searcher(data_dir) as searcher:
        docnum = searcher.document_number(id=record_id)
        if docnum is None:
            raise RecordNotFoundError(
                f"no record with id '{record_id}' in the index. "
                'Find ids with "ojp-search search QUERY --json".'
            )
        fields = searcher.stored_fields(docnum)
        text = snippet_texts(data_dir, [record_id]).get(record_id, fields.get("summary", ""))
        text = "\n".join([fields.get("title", ""), fields.get("title", ""), text])
        results = searcher.more_like(docnum, "body", text=text, top=limit, numterms=12)
        page = [(hit.docnum, hit.score or 0.0) for hit in results]
        hits = _hits(searcher, data_dir, page, None)
        parsed = f"more like {record_id}"
    return SearchResults(len(hits), hits, {}, None, parsed)


def index_location(data_dir: DataDir) -> str:
    """The generation folder of the live index (for messages)."""
    return str(live_index_path(data_dir))
