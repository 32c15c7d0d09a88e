"""A search request compiled once: the query that runs, its filters, and the words to highlight.

``compile_query`` turns a ``SearchRequest`` into a ``CompiledQuery`` that ranking, counting,
suggesting and highlighting all use: the query string is checked and prepared once, parsed once
for searching (and once more, without bureau synonyms, for highlighting), and the filters are
built once.

Query language: Whoosh's, with field names (``title: agency: type: topic: author: ncj: doc:
published: id:``, the library's ``journal: series: volume: issue: pages: language:`` and the
dates ``added: closing: event:``), AND / OR / NOT, phrases and wildcards.
``published:2019..2024`` (also ``2019-06..2020``, ``2019..``, ``..2020``, ``2021``) becomes one
date range, and so do ``added:``, ``closing:`` and ``event:`` (an event matches when its days
overlap the range); ``pages:10..50`` is a range of lengths. Unbalanced quotes
and parentheses are repaired, bureau acronyms and names are synonyms, and a wildcard, prefix, term
range or fuzzy term expands to at most ``MAX_EXPANSIONS`` terms (the most frequent ones).

Queries come from anyone: a query longer than ``MAX_QUERY_CHARS``, with more than
``MAX_QUERY_WORDS`` words or nested deeper than ``MAX_NESTING`` is refused with one sentence
before any work is done, and every step before that is linear in the query's length.
"""

from __future__ import annotations

import datetime as dt
import difflib
import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from whoosh import query
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser
from whoosh.searching import Searcher

from index.errors import UsageError
from index.filters import DOCUMENT_TYPE, check_agencies, check_types, date_bounds, date_number
from index.fulltext.analysis import AGENCY_NAMES, expand_synonyms
from index.fulltext.facets import is_date_range
from index.fulltext.schema import (
    DATE_FIELDS,
    DOCUMENTED_FIELDS,
    FIELD_ALIASES,
    FIELD_BOOSTS,
    FULL_TEXT,
    WORD_FIELDS,
    WORDS_FIELD,
    language_tag,
)
from index.fulltext.writer import SearchError

MAX_EXPANSIONS = 64  # terms one wildcard may expand to
MAX_SCANNED_TERMS = 20000  # terms a wildcard pattern may look at
EXACT_BOOST = 1000.0  # an NCJ number / opportunity ID typed alone
MAX_QUERY_CHARS = 1000  # a query longer than this is refused
MAX_QUERY_WORDS = 64  # words and operators
MAX_NESTING = 16  # parentheses within parentheses
MAX_LIMIT = 1000  # hits per page
MAX_DEPTH = 10_000  # hits a page may reach down to (deep paging scores everything before it)
#: Sorts other than relevance: the column, and whether the largest value comes first. Dates and
#: "date added" show the newest first; closing and event dates the soonest first.
SORT_COLUMNS = {
    "date": ("published", True),
    "added": ("added", True),
    "closing": ("closing_sort", False),
    "event": ("event_sort", False),
}
SORTS = ("relevance", *SORT_COLUMNS)
TEXT_FIELDS = ("title", "summary", "body", "doc", "topics", "authors", WORDS_FIELD)
DOCUMENT_FIELDS = ("doc",)
EXAMPLE_QUERY = '"human trafficking"'


class QueryError(SearchError, UsageError):
    """The query or one of its options cannot be understood."""


@dataclass(frozen=True)
class SearchRequest:
    """One search, as every face asks for it (the CLI's flags, the web page's parameters)."""

    query: str
    agency: Sequence[str] = ()
    type: Sequence[str] = ()
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    limit: int = 10
    page: int = 1
    added_since: str | None = None  # first seen by ojp-search on or after
    open: bool = False  # funding whose closing date has not passed
    closing_before: str | None = None  # funding closing on or before
    upcoming: bool = False  # events whose last day has not passed
    event_from: str | None = None  # events on or after (any of their days)
    event_until: str | None = None  # events on or before
    language: Sequence[str] = ()  # primary language tags ("en", "es")
    full_text: bool = False  # only records with a readable document

    def date_options(self) -> tuple[tuple[str | None, str], ...]:
        """Every date option with the flag that gives it (for messages)."""
        return (
            (self.since, "--since"),
            (self.until, "--until"),
            (self.added_since, "--added-since"),
            (self.closing_before, "--closing-before"),
            (self.event_from, "--event-from"),
            (self.event_until, "--event-until"),
        )

    @property
    def filtered(self) -> bool:
        """True when an option narrows the records (so that no query means every record)."""
        return bool(
            self.agency
            or self.type
            or self.language
            or self.open
            or self.upcoming
            or self.full_text
            or any(value for value, _ in self.date_options())
        )


@dataclass(frozen=True)
class CompiledQuery:
    """A request ready to run: what ranking, counting, suggesting and highlighting share."""

    request: SearchRequest  # checked: agencies upper case, kinds lower case
    query: query.Query  # what matches and scores (the document variant applied)
    filter: query.Query | None  # agency, kind and date filters (None: none)
    highlight: frozenset[str]  # the typed words as the index holds them (no synonyms)
    exact: bool  # the query is an NCJ number or opportunity ID alone

    @property
    def documents_first(self) -> bool:
        """``--type document``: snippets come from linked documents first."""
        return DOCUMENT_TYPE in self.request.type

    @property
    def parsed(self) -> str:
        """The query as Whoosh runs it (for ``--explain``)."""
        return str(self.query) if self.filter is None else f"{self.query} FILTER {self.filter}"


# -- checking and preparing the query string -------------------------------------------------

_FIELD_PREFIX = re.compile(r"(?:(?<=^)|(?<=[\s(+\-]))([A-Za-z_]+):(?!//)")
_DATE_FIELD = re.compile(r"(?i)\b(published|added|closing|event):(?![\[{])(\S*)")
_PAGES = re.compile(r"(?i)\bpages:(?![\[{])(\d*)(\.\.)?(\d*)")
_NCJ_ALONE = re.compile(r"^\s*(?:ncj\s*(?:no\.?|number|#)?\s*:?\s*)?(\d{5,7})\s*$", re.IGNORECASE)
_OPPORTUNITY_ALONE = re.compile(r"^\s*(o-[a-z]+-\d{4}-\d+)\s*$", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"')
_TOKEN = re.compile(r"[^\s()\"]+")


def check_size(text: str) -> None:
    """Refuse a query too long, with too many words or nested too deep (one linear pass)."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(text):,} characters; at most {MAX_QUERY_CHARS:,})."
        )
    words = sum(1 for _ in _TOKEN.finditer(text))
    if words > MAX_QUERY_WORDS:
        raise QueryError(f"the query has too many words ({words:,}; at most {MAX_QUERY_WORDS}).")
    depth = deepest = 0
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and char == ")" and depth:
            depth -= 1
    if deepest > MAX_NESTING:
        raise QueryError(
            f"the query nests parentheses {deepest} deep; at most {MAX_NESTING} are allowed."
        )


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
    return _QUOTED.sub(lambda m: " " * len(m.group()), text)


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


def date_range_numbers(text: str, where: str) -> tuple[int, int]:
    """The first and last ``YYYYMMDD`` numbers a date of any precision covers, as the index
    stores dates: a year alone is ``YYYY0000``, a month alone ``YYYYMM00``."""
    try:
        first, last = date_bounds(text, where)
    except UsageError as exc:
        raise QueryError(exc.message) from None
    precision = len(text.strip().split("-"))
    low, high = date_number(first), date_number(last)
    if precision == 1:
        return low // 10000 * 10000, high // 10000 * 10000 + 9999
    if precision == 2:
        return low // 100 * 100, high // 100 * 100 + 99
    return low, high


def numeric_range(field: str, low: int | None, high: int | None) -> str:
    """``field:[low TO high]`` in the query language (an open end left out)."""
    low_part = f"{low} " if low is not None else ""
    high_part = f" {high}" if high is not None else ""
    return f"{field}:[{low_part}TO{high_part}]"


def rewrite_dates(text: str) -> str:
    """``published:2019..2024`` → ``published:[20190000 TO 20249999]`` (one numeric range), and
    the same for ``added:`` and ``closing:``; ``event:2027`` → the events that overlap 2027
    (first day before its end, last day after its start); ``pages:10..50`` → a range."""

    def to_range(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        value = match.group(2).rstrip(")")
        rest = match.group(2)[len(value) :]
        low_text, sep, high_text = value.partition("..")
        if not sep:
            high_text = low_text
        low = date_range_numbers(low_text, name)[0] if low_text else None
        high = date_range_numbers(high_text, name)[1] if high_text else None
        if low is None and high is None:
            raise QueryError(f"bad date '{value}' in {name}: use YYYY, YYYY-MM or YYYY-MM-DD.")
        start, end = DATE_FIELDS[name]
        if start == end:
            return numeric_range(start, low, high) + rest
        parts = []
        if high is not None:
            parts.append(numeric_range(start, None, high))
        if low is not None:
            parts.append(numeric_range(end, low, None))
        return "(" + " AND ".join(parts) + ")" + rest

    def to_pages(match: re.Match[str]) -> str:
        low_text, sep, high_text = match.groups()
        if not low_text and not high_text:
            raise QueryError("bad length in pages: use a number or a range, e.g. pages:10..50.")
        low = int(low_text) if low_text else None
        high = int(high_text) if high_text else (None if sep else low)
        return numeric_range("pages", low, high)

    return _PAGES.sub(to_pages, _DATE_FIELD.sub(to_range, text))


def prepare_query(text: str) -> str:
    """The user's query string, checked, repaired and with dates rewritten (no synonyms yet)."""
    if not text.strip():
        raise QueryError(f"empty query: type some words, e.g. {EXAMPLE_QUERY}.")
    check_size(text)
    text = repair_query(text.strip())
    check_fields(text)
    return rewrite_dates(text)


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


def parse(parser: MultifieldParser, prepared: str) -> query.Query:
    """Parse prepared text; an operator soup Whoosh's parser trips on is parsed as words."""
    try:
        return parser.parse(prepared)
    except (IndexError, AssertionError, RecursionError):
        words = re.findall(r"\w+", prepared)
        return parser.parse(
            " ".join(w.lower() if w in ("AND", "OR", "NOT", "ANDNOT", "TO") else w for w in words)
        )


class Expansion(query.Or):
    """The terms a wildcard, prefix, range or fuzzy term expanded to. Like Lucene's default for
    such queries, it matches without scoring: a required expansion filters (``lift_filters``)."""


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


def _has_positions(reader: Any, fieldname: str) -> bool:
    return bool(reader.schema[fieldname].format.supports("positions"))


def is_filter(node: query.Query) -> bool:
    """A numeric range (dates, pages), an expansion, or an OR or AND of them (a wildcard word
    over several fields, an event's overlap)."""
    if is_date_range(node) or isinstance(node, Expansion | query.Every | query.NumericRange):
        return True
    if node is query.NullQuery:
        return True
    return type(node) in (query.Or, query.And) and all(
        is_filter(child) for child in node.subqueries
    )


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


def exact_key(text: str) -> tuple[str, str] | None:
    """(field, value) when ``text`` is an NCJ number or a funding opportunity ID alone."""
    if match := _NCJ_ALONE.match(text):
        return "ncj", match.group(1)
    if match := _OPPORTUNITY_ALONE.match(text):
        return "opportunity", match.group(1).lower()
    return None


def exact_match(text: str) -> query.Query | None:
    """The NCJ number or opportunity ID the query consists of, as a query."""
    key = exact_key(text)
    return query.Term(*key, boost=EXACT_BOOST) if key else None


def highlight_terms(q: query.Query) -> frozenset[str]:
    """The words of the query's text fields, as the analyzer indexes them (phrases included)."""
    words = set()
    for fieldname, text in q.iter_all_terms():
        if fieldname in TEXT_FIELDS:
            words.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(words)


def type_query(types: Sequence[str]) -> query.Query:
    return query.Or([query.Term("content_type", t.lower()) for t in types])


# -- the request -----------------------------------------------------------------------------


def check_request(request: SearchRequest) -> SearchRequest:
    """The request with agency and kind names normalised; QueryError for a bad option (the
    query string itself is checked when it is compiled)."""
    try:
        agencies = check_agencies(request.agency)
        types = check_types(request.type)
        for value, where in request.date_options():
            if value is not None:
                date_bounds(value, where)
    except UsageError as exc:
        raise QueryError(exc.message) from None
    languages = []
    for value in request.language:
        tag = language_tag(value)
        if tag is None:
            raise QueryError(
                f"unknown language {value.strip()!r}: use a language code, e.g. en or es."
            )
        languages.append(tag)
    if request.sort not in SORTS:
        raise QueryError(f"unknown sort '{request.sort}'. Use {', '.join(SORTS)}.")
    if request.limit < 1 or request.page < 1:
        raise QueryError("--limit and --page must be 1 or more.")
    if request.limit > MAX_LIMIT:
        raise QueryError(f"--limit must be at most {MAX_LIMIT:,}.")
    if request.page * request.limit > MAX_DEPTH:
        raise QueryError(
            f"pages reach down to hit {MAX_DEPTH:,} at most; narrow the search or sort by date."
        )
    text = request.query if request.query.strip() or not request.filtered else "*"
    return replace(
        request, query=text, agency=agencies, type=types, language=tuple(dict.fromkeys(languages))
    )


def today_number() -> int:
    """Today (local time) as ``YYYYMMDD``: what "open" and "upcoming" compare with."""
    return date_number(dt.date.today().isoformat())


def build_filter(request: SearchRequest) -> query.Query | None:
    """Agency, type, language, full-text and date filters (AND of them), or None. With
    ``document`` among the types, the types are part of the query instead
    (``compile_query``). "Open" funding closes today or later; an "upcoming" event ends today
    or later; an event is within ``--event-from`` / ``--event-until`` when one of its days is."""
    parts: list[query.Query] = []
    if request.agency:
        parts.append(query.Or([query.Term("agency", a.lower()) for a in request.agency]))
    if request.type and DOCUMENT_TYPE not in request.type:
        parts.append(type_query(request.type))
    low = date_range_numbers(request.since, "--since")[0] if request.since else None
    high = date_range_numbers(request.until, "--until")[1] if request.until else None
    if low is not None or high is not None:
        parts.append(query.NumericRange("published", low, high))
    if request.language:
        parts.append(query.Or([query.Term("language", tag) for tag in request.language]))
    if request.full_text:
        parts.append(query.Term("fulltext", FULL_TEXT))
    if request.added_since:
        low = date_range_numbers(request.added_since, "--added-since")[0]
        parts.append(query.NumericRange("added", low, None))
    today = today_number()
    if request.open or request.closing_before:
        low = today if request.open else None
        high = (
            date_range_numbers(request.closing_before, "--closing-before")[1]
            if request.closing_before
            else None
        )
        parts.append(query.NumericRange("closing", low, high))
    if request.upcoming or request.event_from:
        starts = [today] if request.upcoming else []
        if request.event_from:
            starts.append(date_range_numbers(request.event_from, "--event-from")[0])
        parts.append(query.NumericRange("event_end", max(starts), None))
    if request.event_until:
        high = date_range_numbers(request.event_until, "--event-until")[1]
        parts.append(query.NumericRange("event_start", None, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else query.And(parts)


def compile_query(searcher: Searcher, request: SearchRequest) -> CompiledQuery:
    """Check the request, prepare its query string once and build everything a search uses.

    ``--type document`` selects matches in document text (the ``doc`` field); other types
    filter as usual, so ``--type document --type news`` is news matching anywhere, or any match
    in a document.
    """
    request = check_request(request)
    prepared = relax_question(prepare_query(request.query))
    expanded = expand_synonyms(prepared)
    reader = searcher.reader()
    parser = make_parser(searcher.schema)
    q = parsed = bound_expansions(parse(parser, expanded), reader)
    exact = exact_match(request.query)
    if exact is not None:
        q = query.Or([exact, q])
    if DOCUMENT_TYPE in request.type:
        in_documents = bound_expansions(
            parse(make_parser(searcher.schema, DOCUMENT_FIELDS), expanded), reader
        )
        others = [t for t in request.type if t != DOCUMENT_TYPE]
        q = query.Or([query.And([q, type_query(others)]), in_documents]) if others else in_documents
    # Highlight what the user typed, not the bureau names a synonym added.
    typed = parsed if expanded == prepared else bound_expansions(parse(parser, prepared), reader)
    return CompiledQuery(
        request=request,
        query=q,
        filter=build_filter(request),
        highlight=highlight_terms(typed),
        exact=exact is not None,
    )


# -- questions and partial matches -----------------------------------------------------------

#: Words a question or a search-box phrase carries that say nothing about what is sought: they
#: are dropped from the words every hit must have ("how do I apply for NIJ funding?").
_QUESTION_WORDS = """a about an and any are as at be can could did do does for from get give how i
in is it me my of on or our please should show tell that the their there these this to was we
were what when where which who whom whose why will with would you your"""
QUESTION_WORDS = frozenset(_QUESTION_WORDS.split())
_PLAIN = re.compile(r"^[\w\s'’.,;!?&/-]*$")
_OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "TO"})
_WORD_PUNCTUATION = re.compile(r"(?<=\w)[?!.,;:]+(?=\s|$)|(?:^|\s)[?!.,;:]+(?=\s|$)")


def is_plain_text(text: str) -> bool:
    """True for words typed as one types them into a search box: no quotes, fields, groups,
    wildcards or operators."""
    return bool(_PLAIN.match(text)) and not (_OPERATORS & set(text.split()))


#: A bureau's full name as typed: it becomes its acronym before question words are dropped, so
#: that "National Institute of Justice" keeps its "of" and still reads as the bureau.
_BUREAU_NAMES = tuple(
    (
        re.compile(r"\b" + r"[\s,]+".join(map(re.escape, re.findall(r"\w+", name))) + r"\b", re.I),
        acronym,
    )
    for acronym, name in AGENCY_NAMES.items()
)


def relax_question(text: str) -> str:
    """A plain query without its question words and sentence punctuation ("how do I apply for
    NIJ funding?" → "apply NIJ funding"); any other query unchanged. A query of such words only
    is left as typed."""
    if not is_plain_text(text):
        return text
    for name, acronym in _BUREAU_NAMES:
        text = name.sub(acronym, text)
    words = _WORD_PUNCTUATION.sub(" ", text).split()
    kept = [word for word in words if word.lower().strip("'’") not in QUESTION_WORDS]
    return " ".join(kept) if kept else " ".join(words) or text


def word_queries(compiled: CompiledQuery) -> list[query.Query]:
    """The per-word parts of a plain query of several words (each matching its word in any
    field), for matching most of the words when no record has them all; [] otherwise."""
    if compiled.exact or compiled.documents_first or not is_plain_text(compiled.request.query):
        return []
    q = compiled.query
    if not isinstance(q, query.And) or len(q.subqueries) < 2:
        return []
    return list(q.subqueries)
