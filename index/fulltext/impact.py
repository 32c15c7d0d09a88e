"""Impact-ordered postings: the top hits of a query without Whoosh scoring every match.

Whoosh scores every candidate of a query in pure Python, so a word found in most records costs
as much as there are records. Here, at each commit, every term in at least ``MIN_DF`` documents
gets an *impact list* (``ojp-impacts.bin`` beside the index, written and renamed into place like
the facet table): all its documents, best BM25F score first, stored as document numbers and
runs of equal score (documents of a run in number order, as Whoosh breaks ties). Three kinds:

- a word typed without a field: its score summed over the text fields with their weights
  (``FIELD_BOOSTS``), exactly as the parser's OR over the fields scores it;
- a word in ``title`` (``title:word``) and in ``authors`` (the unstemmed term a word typed
  without a field also looks for), unweighted (a query's boost multiplies them).

A rarer term has no list: its complete list is scored when a query needs it (fewer than
``MIN_DF`` postings per field). Scores use Whoosh's own BM25F arithmetic and the index's
statistics at the commit, so a list holds the very scores the exhaustive search computes; a
list written for another commit is never used (the index key is checked). A two-word phrase
typed without a field is scored from the ``pairs`` field (``index.fulltext.pairs``).

``top_hits`` splits the scored query into units whose scores add up (AND, OR and NOT of words,
fielded terms, phrases), takes the documents from the query's match set (``list_match_set``:
AND semantics, filters, date ranges) and finds the best. One list is read best first until
enough documents match. Several lists are added into one array of scores by document, a
vectorised pass per list over its memory-mapped documents, and the best are partitioned out:
the lists hold every document of their term, so the sums are exact, and adding 200,000 entries
costs about a millisecond, where a threshold algorithm in Python spent most of a search's time
on its bookkeeping (bench/RESULTS.md). It returns None for a query of another shape (synonym
groups, boosts, longer phrases, fields without lists) and the caller scores exhaustively.
"""

from __future__ import annotations

import logging
import mmap
import os
import pickle
import shutil
import struct
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from index.fulltext.facets import doc_set, index_key, match_set, merge_word_terms
from index.fulltext.pairs import MAX_FREQUENCY, bucket_of, bucket_term, phrase_entries
from index.fulltext.schema import FIELD_BOOSTS, PAIRS_FIELD, WORD_FIELDS, WORDS_FIELD

log = logging.getLogger(__name__)

IMPACT_FILE = "ojp-impacts.bin"
#: Terms in fewer documents have no stored list: their list is scored when a query needs it.
#: At 250,000 records, 512 rather than 2,048 stores 21,800 lists instead of 7,798 (+99 MB,
#: +16 CPU s at a commit) and spares a query of middling words decoding their postings.
MIN_DF = 512
#: Fields with lists of their own, besides the all-fields lists: ``title:word`` searches, and
#: the ``authors`` term a word typed without a field also looks for.
FIELD_LISTS = ("title", "authors")
#: The key of the lists that sum a word's score over ``WORD_FIELDS``.
ALL_FIELDS = "*"
#: The key of a two-word phrase typed without a field (scored from the ``pairs`` field).
PHRASE = "phrase"
#: Fields whose phrases Whoosh may score itself within the fast path (short texts).
SMALL_FIELDS = ("authors",)
#: The first chunk of a single list read for a query; each next one is twice as long.
FIRST_CHUNK = 128
_HEADER = struct.Struct("<8sQ")  # magic (with the format's version), header length
_MAGIC = b"ojpimp03"


# -- scores as Whoosh computes them ------------------------------------------------------------


def bm25_parameters(searcher: Any) -> tuple[float, float] | None:
    """(B, K1) of the searcher's weighting, or None when it is not plain BM25F."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F or weighting._field_B:
        return None
    return float(weighting.B), float(weighting.K1)


def length_bytes(leaf: Any, fieldname: str) -> bytes:
    """The quantised length byte of ``fieldname`` for every document of a segment."""
    perdoc = leaf._perdoc
    reader = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    count = leaf.doc_count_all()
    if reader is None:
        return bytes(count)
    if getattr(reader, "_fixedlen", None) == 1 and hasattr(reader, "_dbfile"):
        # One unsigned byte per document, written up to the last document with a length.
        stored = bytes(reader._dbfile.get(reader._basepos, reader._count))
        return stored + bytes(count - len(stored))
    return bytes(reader[n] for n in range(count))


@cache
def _length_norms(avgfl: float, b: float, k1: float) -> tuple[float, ...]:
    """Per length byte: the length part of BM25's denominator, as ``bm25()`` computes it."""
    return tuple(k1 * ((1 - b) + b * byte_to_length(n) / avgfl) if n else 0.0 for n in range(256))


class FieldScorer:
    """BM25F of one term in one field, per (weight, length byte), with Whoosh's arithmetic:
    ``bm25(idf, weight, length, avgfl, B, K1) * boost``."""

    def __init__(
        self, searcher: Any, fieldname: str, text: Any, boost: float, params: tuple[float, float]
    ) -> None:
        b, k1 = params
        self.idf = searcher.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        self.boost = boost
        self.k1 = k1
        self.norms = np.array(_length_norms(avgfl, b, k1), np.float64)

    def scores(self, weights: Any, lbytes: Any) -> Any:
        """The scores of postings (arrays of weights and length bytes) with ``bm25()``'s
        operations in its order, so the very doubles Whoosh computes."""
        k1 = self.k1
        return self.idf * ((weights * (k1 + 1)) / (weights + self.norms[lbytes])) * self.boost


class WeightScorer:
    """A field without lengths: Whoosh scores a posting by its weight (``WeightScorer``), times
    the term's boost."""

    def __init__(self, boost: float) -> None:
        self.boost = boost

    def scores(self, weights: Any, lbytes: Any) -> Any:
        return weights * self.boost


def _blocks(matcher: Any) -> Iterator[tuple[Iterable[int], Any]]:
    """A leaf matcher's (document numbers, weights) a block at a time, deleted ones included;
    weights are None (all 1.0), one float for the whole block, or a tuple."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        yield ids, tuple(weights)
        return
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        ids, weights = matcher._data[0], matcher._data[1]
        yield (ids if matcher._byteids else accumulate(ids)), weights
        matcher._next_block()


def leaf_postings(matcher: Any) -> tuple[Any, Any]:
    """A leaf matcher's document numbers (int64) and weights (float64), deleted documents
    included: the blocks are joined in lists, then turned into arrays once."""
    ids: list[int] = []
    weights: list[float] = []
    for block, block_weights in _blocks(matcher):
        before = len(ids)
        ids.extend(block)
        if block_weights is None or isinstance(block_weights, float):
            weights.extend([1.0 if block_weights is None else block_weights] * (len(ids) - before))
        else:
            weights.extend(block_weights)
    return np.array(ids, np.int64), np.array(weights, np.float64)


class Scores:
    """A unit's scores by document, summed part by part (field by field, segment by segment)
    into one array, in the order a dictionary summed them: the same doubles."""

    def __init__(self, doc_count: int) -> None:
        self.totals = np.zeros(doc_count, np.float64)
        self.present = np.zeros(doc_count, np.bool_)

    def add(self, docs: Any, scores: Any) -> None:
        """Add ``scores`` to ``docs`` (no document twice in one call)."""
        self.totals[docs] += scores
        self.present[docs] = True

    def arrays(self) -> tuple[Any, Any]:
        """(documents in number order, their scores)."""
        docs = np.flatnonzero(self.present)
        return docs, self.totals[docs]


def add_field_scores(
    searcher: Any,
    fieldname: str,
    text: Any,
    boost: float,
    params: tuple[float, float],
    into: Scores,
    lengths: dict[tuple[int, str], bytes] | None = None,
) -> None:
    """Add the field's score of ``text`` into ``into`` for every document that has it."""
    reader = searcher.reader()
    scorer: FieldScorer | WeightScorer | None = None
    scorable = bool(reader.schema[fieldname].scorable)
    lengths = {} if lengths is None else lengths
    for leaf, base in reader.leaf_readers():
        try:
            matcher = leaf.postings(fieldname, text)
        except TermNotFound:
            continue
        if scorer is None:
            scorer = (
                FieldScorer(searcher, fieldname, text, boost, params)
                if scorable
                else WeightScorer(boost)
            )
        ids, weights = leaf_postings(matcher)
        if scorable:
            key = (id(leaf), fieldname)
            if key not in lengths:
                lengths[key] = length_bytes(leaf, fieldname)
            lbytes = np.frombuffer(lengths[key], np.uint8)[ids]
        else:
            lbytes = np.zeros(len(ids), np.uint8)
        into.add(ids + base, scorer.scores(weights, lbytes))


# -- units: the parts a query's score is the sum of --------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A term scored over some fields: ``key`` is ``ALL_FIELDS`` (the word in every text field,
    weighted), ``PHRASE`` (two words adjacent in any text field, ``text`` "first second"), or
    one field name; ``boost`` multiplies the single field's score. A unit with a ``node`` is a
    small query Whoosh scores itself (a phrase among authors)."""

    key: str
    text: str
    boost: float = 1.0
    node: query.Query | None = field(default=None, compare=False)

    def fields(self) -> list[tuple[str, float]]:
        if self.key in (ALL_FIELDS, PHRASE):
            return [(name, FIELD_BOOSTS[name]) for name in WORD_FIELDS]
        return [(self.key, self.boost)]


def _term_text(node: query.Term) -> str | None:
    text = node.text
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return text if isinstance(text, str) else None


def score_units(q: query.Query, schema: Any) -> list[Unit] | None:
    """The units whose scores add up to ``q``'s score on every document of its match set, or
    None when ``q`` has another shape. A word typed without a field (an OR of one term over the
    fields with ``FIELD_BOOSTS``) is one all-fields unit, plus its ``authors`` term."""
    units: list[Unit] = []

    def visit(node: query.Query) -> bool:
        if node.boost != 1.0 and not isinstance(node, query.Term):
            return False
        if type(node) is query.Term:
            text = _term_text(node)
            if text is None:
                return False
            units.append(Unit(node.fieldname, text, float(node.boost)))
            return True
        if type(node) is query.Or:
            phrase = phrase_parts(node, schema)
            if phrase is not None:
                pair, small = phrase
                units.append(Unit(PHRASE, " ".join(pair)))
                units.extend(Unit(p.fieldname, "", node=p) for p in small)
                return True
            terms = [p for p in node.subqueries if type(p) is query.Term]
            found, merged = _word_over_fields(terms)
            units.extend(found)
            return all(visit(p) for p in node.subqueries if not any(p is t for t in merged))
        if type(node) is query.And:
            return all(visit(p) for p in node.subqueries)
        if type(node) is query.AndNot:
            return visit(node.a)
        return False

    if not visit(q):
        return None
    return units


def phrase_parts(
    node: query.Query, schema: Any
) -> tuple[tuple[str, str], list[query.Phrase]] | None:
    """The two words of an OR of one two-word phrase over every one of ``WORD_FIELDS`` (with
    its weight) whose pair the ``pairs`` field indexes, and its phrases in ``SMALL_FIELDS``;
    None for anything else."""
    if type(node) is not query.Or or node.boost != 1.0:
        return None
    words: set[tuple[str, ...]] = set()
    fields, small = [], []
    for part in node.subqueries:
        if type(part) is not query.Phrase or part.slop != 1 or len(part.words) != 2:
            return None
        if part.fieldname in SMALL_FIELDS:
            small.append(part)
        elif part.fieldname in WORD_FIELDS and part.boost == FIELD_BOOSTS[part.fieldname]:
            words.add(tuple(part.words))
            fields.append(part.fieldname)
        else:
            return None
    if len(words) != 1 or sorted(fields) != sorted(WORD_FIELDS):
        return None
    first, second = words.pop()
    if not isinstance(first, str) or not isinstance(second, str):
        return None
    if PAIRS_FIELD not in schema or not schema[PAIRS_FIELD].analyzer.indexes(first, second):
        return None
    return (first, second), small


def match_query(q: query.Query, schema: Any) -> query.Query:
    """``q`` with each two-word phrase typed without a field read from the ``pairs`` field
    (``PairPhrase``): the same documents, from a few short lists instead of positions (for
    match sets)."""
    if PAIRS_FIELD not in schema:
        return q

    def visit(node: query.Query) -> query.Query:
        parts = phrase_parts(node, schema)
        if parts is None:
            return node
        (first, second), small = parts
        return PairPhrase(first, second, small)

    return q.accept(visit)


class PairPhrase(query.Query):  # type: ignore[misc]
    """A two-word phrase typed without a field, its documents read from the ``pairs`` field
    (and from Whoosh for its phrases in ``SMALL_FIELDS``): for match sets only."""

    def __init__(self, first: str, second: str, small: list[query.Phrase]) -> None:
        self.first = first
        self.second = second
        self.small = list(small)
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"PairPhrase({self.first!r}, {self.second!r}, {self.small!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not PairPhrase:
            return False
        return (other.first, other.second, other.small) == (self.first, self.second, self.small)

    def __hash__(self) -> int:
        return hash((self.first, self.second))

    def doc_array(self, searcher: Any) -> Any:
        """Every document with the phrase (deleted documents included), as an array."""
        reader = searcher.reader()
        parts = [np.zeros(0, np.int64)]
        for fieldname in WORD_FIELDS:
            for _, base, ids, _, _ in phrase_postings(reader, fieldname, self.first, self.second):
                parts.append(ids + base)
        for phrase in self.small:
            parts.append(np.fromiter(phrase.docs(searcher), np.int64))
        return np.unique(np.concatenate(parts))

    def docs(self, searcher: Any, deleting: bool = False) -> Iterator[int]:
        docs = self.doc_array(searcher).tolist()
        is_deleted = searcher.reader().is_deleted
        return iter([d for d in docs if not is_deleted(d)])

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        return ListMatcher(list(self.docs(searcher)))


def phrase_postings(
    reader: Any, fieldname: str, first: str, second: str
) -> Iterator[tuple[Any, int, Any, Any, Any]]:
    """(leaf reader, its first document number, the leaf's documents with the two words adjacent
    in ``fieldname``, the first word's and the second word's frequency there): the entries of
    the pair's bucket in the ``pairs`` field, level by level, that are this pair's."""
    if PAIRS_FIELD not in reader.schema:
        return
    analyzer = reader.schema[PAIRS_FIELD].analyzer
    if not analyzer.indexes(first, second):
        return
    key = analyzer.key(fieldname, first, second)
    bucket = bucket_of(key, analyzer.buckets)
    level = 0
    while (PAIRS_FIELD, term := bucket_term(bucket, level)) in reader:
        for leaf, base in reader.leaf_readers():
            try:
                matcher = leaf.postings(PAIRS_FIELD, term)
            except TermNotFound:
                continue
            ids, values = leaf_entries(matcher)
            found, (tf_a, tf_b) = phrase_entries(values, key)
            if found.any():
                yield leaf, base, ids[found], tf_a[found], tf_b[found]
        level += 1


def leaf_entries(matcher: Any) -> tuple[Any, Any]:
    """A ``pairs`` leaf matcher's document numbers and entries (arrays), deleted documents
    included: each block's entries are one string of fixed-size values, its numbers are
    deltas from the block's first."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher) or matcher._byteids:
        ids: list[int] = []
        values: list[bytes] = []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
        return np.array(ids, np.int64), np.frombuffer(b"".join(values), "<u8")
    deltas: list[int] = []
    sizes: list[int] = []
    chunks: list[bytes] = []
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_values = matcher._data[0], matcher._data[2]
        deltas.extend(block_ids)
        sizes.append(len(block_ids))
        chunks.append(block_values)
        matcher._next_block()
    if not sizes:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64)
    sums = np.cumsum(np.array(deltas, np.int64))
    ends = np.cumsum(sizes)
    before = np.concatenate(([0], sums[ends[:-1] - 1]))  # each block's deltas start afresh
    return sums - np.repeat(before, sizes), np.frombuffer(b"".join(chunks), "<u8")


def _word_over_fields(terms: list[query.Term]) -> tuple[list[Unit], list[query.Term]]:
    """The all-fields units of an OR's terms for each word it holds in every one of
    ``WORD_FIELDS`` with the field's weight, and those terms."""
    by_text: dict[str, list[query.Term]] = {}
    for term in terms:
        if term.fieldname in WORD_FIELDS and term.boost == FIELD_BOOSTS[term.fieldname]:
            text = _term_text(term)
            if text is not None:
                by_text.setdefault(text, []).append(term)
    units, merged = [], []
    for text, found in by_text.items():
        if sorted(t.fieldname for t in found) == sorted(WORD_FIELDS):
            units.append(Unit(ALL_FIELDS, text))
            merged.extend(found)
    return units, merged


def unit_scores(
    searcher: Any,
    unit: Unit,
    params: tuple[float, float],
    lengths: dict[tuple[int, str], bytes] | None = None,
) -> tuple[Any, Any]:
    """(documents in number order, the unit's exact score of each): every document that has
    the unit's term (deleted documents included)."""
    if unit.node is not None:
        return whoosh_scores(searcher, unit.node)
    scores = Scores(searcher.reader().doc_count_all())
    if unit.key == PHRASE:
        add_phrase_scores(searcher, unit.text, params, scores)
        return scores.arrays()
    for fieldname, boost in unit.fields():
        if fieldname in searcher.schema:
            add_field_scores(searcher, fieldname, unit.text, boost, params, scores, lengths)
    return scores.arrays()


class Unrankable(Exception):
    """The fast path cannot score this unit exactly."""


def whoosh_scores(searcher: Any, node: query.Query) -> tuple[Any, Any]:
    """Whoosh's own scores of a small query, for every document it matches."""
    scores: dict[int, float] = {}
    matcher = node.matcher(searcher, searcher.context())
    while matcher.is_active():
        scores[matcher.id()] = matcher.score()
        matcher.next()
    found = sorted(scores.items())
    return (
        np.array([d for d, _ in found], np.int64),
        np.array([score for _, score in found], np.float64),
    )


def add_phrase_scores(searcher: Any, text: str, params: tuple[float, float], into: Scores) -> None:
    """Add the score of the two-word phrase ``text`` over ``WORD_FIELDS`` into ``into``, as
    Whoosh scores an OR of ``Phrase`` queries: in each field where the words are adjacent, the
    sum of both words' BM25F scores, times the field's weight. The words' frequencies come from
    the ``pairs`` entries."""
    first, second = text.split(" ")
    reader = searcher.reader()
    if PAIRS_FIELD not in reader.schema:
        raise Unrankable(text)
    for fieldname, boost in [(name, FIELD_BOOSTS[name]) for name in WORD_FIELDS]:
        if fieldname not in reader.schema:
            continue
        scorers: tuple[FieldScorer, FieldScorer] | None = None
        for leaf, base, ids, tf_a, tf_b in phrase_postings(reader, fieldname, first, second):
            if not (tf_a.all() and tf_b.all()) or MAX_FREQUENCY in tf_a or MAX_FREQUENCY in tf_b:
                raise Unrankable(text)
            if scorers is None:
                scorers = (
                    FieldScorer(searcher, fieldname, first, 1.0, params),
                    FieldScorer(searcher, fieldname, second, 1.0, params),
                )
            a, b = scorers
            lbytes = np.frombuffer(length_bytes(leaf, fieldname), np.uint8)[ids]
            pair = a.scores(tf_a.astype(np.float64), lbytes) + b.scores(
                tf_b.astype(np.float64), lbytes
            )
            into.add(ids + base, pair * boost)


def best_first(docs: Any, scores: Any) -> tuple[Any, Any]:
    """A unit's documents and scores best first, equal scores in docnum order (``docs`` is in
    docnum order and the sort is stable)."""
    order = np.argsort(-scores, kind="stable")
    return docs[order], scores[order]


# -- the impact table on disk --------------------------------------------------------------


def _list_keys(reader: Any) -> Iterator[Unit]:
    """The units that get a stored list: terms in at least ``MIN_DF`` documents."""
    if WORDS_FIELD in reader.schema:
        for text, info in reader.iter_field(WORDS_FIELD):
            if info.doc_frequency() >= MIN_DF:
                yield Unit(ALL_FIELDS, _decoded(text))
    for fieldname in FIELD_LISTS:
        if fieldname in reader.schema:
            for text, info in reader.iter_field(fieldname):
                if info.doc_frequency() >= MIN_DF:
                    yield Unit(fieldname, _decoded(text))


def _decoded(text: Any) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def score_runs(docs: Any, scores: Any) -> tuple[Any, Any, Any]:
    """A best-first list as (document numbers, run scores, run lengths): documents of equal
    score form one run, in the order given (docnum order)."""
    starts = np.flatnonzero(np.diff(scores)) + 1 if len(scores) else np.zeros(0, np.int64)
    edges = np.concatenate(([0], starts, [len(scores)])) if len(scores) else np.zeros(1, np.int64)
    return (
        np.ascontiguousarray(docs, "<u4"),
        np.ascontiguousarray(scores[edges[:-1]], "<f8"),
        np.ascontiguousarray(np.diff(edges), "<u4"),
    )


def write_impact_table(path: Path, searcher: Any) -> int:
    """Write the impact lists of the committed index in ``path`` (temp files, one rename);
    returns the number of lists. Nothing is written for a weighting other than BM25F.

    The file: a fixed header (magic, length of a small pickled header with the index key and
    the sections' places), then the sections, 8-byte aligned: ``keys`` (the lists' keys, sorted,
    concatenated), ``key_at`` (where each key starts), ``entries`` (per list: first document,
    documents, first run, runs), ``docs`` (uint32), ``scores`` (float64 per run) and ``runs``
    (uint32 run lengths). A search reads the header and binary-searches the keys it needs in
    the memory-mapped file: nothing is loaded in full."""
    params = bm25_parameters(searcher)
    target = path / IMPACT_FILE
    if params is None:
        target.unlink(missing_ok=True)
        return 0
    reader = searcher.reader()
    live = np.frombuffer(_live_bytes(reader), np.bool_)
    deletions = not live.all()
    lengths: dict[tuple[int, str], bytes] = {}
    directory: list[tuple[bytes, tuple[int, int, int, int]]] = []
    pid = os.getpid()
    parts = {name: path / f".{IMPACT_FILE}.{pid}.{name}.tmp" for name in ("docs", "scores", "runs")}
    tmp = path / f".{IMPACT_FILE}.{pid}.tmp"
    doc_at = run_at = 0
    try:
        with (
            open(parts["docs"], "wb") as docs_out,
            open(parts["scores"], "wb") as scores_out,
            open(parts["runs"], "wb") as runs_out,
        ):
            for unit in _list_keys(reader):
                docs, scores = best_first(*unit_scores(searcher, unit, params, lengths))
                if deletions:
                    kept = live[docs]
                    docs, scores = docs[kept], scores[kept]
                docs, run_scores, run_lengths = score_runs(docs, scores)
                entry = (doc_at, len(docs), run_at, len(run_scores))
                directory.append((list_key(unit.key, unit.text), entry))
                docs.tofile(docs_out)
                run_scores.tofile(scores_out)
                run_lengths.tofile(runs_out)
                doc_at += len(docs)
                run_at += len(run_scores)
        directory.sort()
        keys = b"".join(key for key, _ in directory)
        key_at = array("Q", accumulate((len(key) for key, _ in directory), initial=0))
        entries = array("Q", (n for _, entry in directory for n in entry))
        sections = [("keys", keys), ("key_at", key_at.tobytes()), ("entries", entries.tobytes())]
        with open(tmp, "wb") as out:
            places = _write_sections(out, index_key(reader), len(directory), sections, parts)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
        log.debug("impact lists: %d, sections %s", len(directory), places)
    finally:
        for part in (*parts.values(), tmp):
            part.unlink(missing_ok=True)
    return len(directory)


def list_key(key: str, text: str) -> bytes:
    return f"{key}\x1f{text}".encode()


def _write_sections(
    out: Any,
    key: Any,
    count: int,
    sections: list[tuple[str, bytes]],
    parts: dict[str, Path],
) -> dict[str, tuple[int, int]]:
    """Write the header and the sections (in memory ones, then the part files)."""
    sizes = [(name, len(data)) for name, data in sections]
    sizes += [(name, part.stat().st_size) for name, part in parts.items()]
    places: dict[str, tuple[int, int]] = {}
    room = 4096  # bytes kept for the header; grown until the header fits
    while True:
        at = _aligned(_HEADER.size + room)
        for name, size in sizes:
            places[name] = (at, size)
            at = _aligned(at + size)
        header = pickle.dumps({"key": key, "count": count, "places": places}, 5)
        if len(header) <= room:
            header += b" " * (room - len(header))
            break
        room = _aligned(len(header)) * 2
    out.write(_HEADER.pack(_MAGIC, len(header)))
    out.write(header)
    for name, data in sections:
        out.write(b"\0" * (places[name][0] - out.tell()))
        out.write(data)
    for name, part in parts.items():
        out.write(b"\0" * (places[name][0] - out.tell()))
        with open(part, "rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)
    return places


def _live_bytes(reader: Any) -> bytes:
    buf = bytearray(b"\x01") * reader.doc_count_all()
    for leaf, base in reader.leaf_readers():
        for docnum in leaf.deleted_docs_set if leaf.has_deletions() else ():
            buf[base + docnum] = 0
    return bytes(buf)


_QUAD = struct.Struct("<Q")
_ENTRY = struct.Struct("<4Q")


@dataclass
class ImpactTable:
    """The impact lists of one index, read from the memory-mapped file as queries need them."""

    data: Any  # mmap or bytes
    count: int
    places: dict[str, tuple[int, int]]

    def find(self, key: str, text: str) -> tuple[int, int, int, int] | None:
        """The entry of a list (first document, documents, first run, runs), or None."""
        wanted = list_key(key, text)
        data, keys_at = self.data, self.places["keys"][0]
        key_at = self.places["key_at"][0]
        low, high = 0, self.count
        while low < high:
            mid = (low + high) // 2
            start, stop = struct.unpack_from("<2Q", data, key_at + 8 * mid)
            found = data[keys_at + start : keys_at + stop]
            if found < wanted:
                low = mid + 1
            elif found > wanted:
                high = mid
            else:
                entry: tuple[int, int, int, int] = _ENTRY.unpack_from(
                    data, self.places["entries"][0] + 32 * mid
                )
                return entry
        return None

    def runs(self, where: tuple[int, int, int, int]) -> tuple[Any, Any]:
        """A list's run scores (float64) and run lengths (uint32): views of the mapped file."""
        _, _, run_at, run_count = where
        scores = np.frombuffer(
            self.data, np.float64, run_count, self.places["scores"][0] + 8 * run_at
        )
        lengths = np.frombuffer(
            self.data, np.uint32, run_count, self.places["runs"][0] + 4 * run_at
        )
        return scores, lengths

    def docs(self, where: tuple[int, int, int, int]) -> Any:
        """A list's documents, best first (uint32): a view of the mapped file."""
        doc_at, doc_count, _, _ = where
        return np.frombuffer(self.data, np.uint32, doc_count, self.places["docs"][0] + 4 * doc_at)


def load_impact_table(path: Path, reader: Any) -> ImpactTable | None:
    """The impact table beside the index, or None when it is missing, damaged or belongs to
    another commit (searches then score exhaustively)."""
    try:
        with open(path / IMPACT_FILE, "rb") as fh:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    try:
        magic, size = _HEADER.unpack_from(data, 0)
        if magic != _MAGIC:
            return None
        header = pickle.loads(data[_HEADER.size : _HEADER.size + size])
        places = header["places"]
        if header["key"] != index_key(reader) or any(
            at + length > len(data) for at, length in places.values()
        ):
            return None
        return ImpactTable(data, int(header["count"]), places)
    except (struct.error, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError):
        log.info("impact table in %s unreadable: scoring exhaustively", path)
        return None


def _aligned(offset: int) -> int:
    return offset + (-offset % 8)


# -- the threshold algorithm -------------------------------------------------------------------


class ScoreList:
    """One unit's documents, best first, as runs of equal score."""

    def __init__(self, docs: Any, scores: Any, lengths: Any) -> None:
        self.docs = docs  # uint32 array (a view of the mapped file for a stored list)
        self.run_scores = scores  # float64 per run
        self.run_lengths = lengths  # documents per run
        self.length = len(docs)

    @classmethod
    def stored(
        cls, table: ImpactTable, where: tuple[int, int, int, int], boost: float = 1.0
    ) -> ScoreList:
        """A stored list; ``boost`` multiplies its scores, as Whoosh boosts a term's score."""
        scores, lengths = table.runs(where)
        if boost != 1.0:
            scores = scores * boost
        return cls(table.docs(where), scores, lengths)

    @classmethod
    def complete(cls, docs: Any, scores: Any) -> ScoreList:
        """A list scored now: documents in number order and their scores."""
        return cls(*score_runs(*best_first(docs, scores)))

    def scores(self, stop: int | None = None) -> Any:
        """Each document's score (the runs expanded), up to document ``stop``."""
        expanded = np.repeat(self.run_scores, self.run_lengths)
        return expanded if stop is None else expanded[:stop]


def unit_list(
    searcher: Any, table: ImpactTable | None, unit: Unit, params: tuple[float, float]
) -> ScoreList | None:
    """The unit's list: stored, or scored now when its term is rare; None when it is neither."""
    if table is not None:
        where = table.find(unit.key, unit.text)
        if where is not None and unit.boost > 0.0:
            return ScoreList.stored(table, where, unit.boost)
    if unit.node is not None or unit.key == PHRASE:
        try:
            return ScoreList.complete(*unit_scores(searcher, unit, params))
        except Unrankable:
            return None
    reader = searcher.reader()
    frequency = sum(
        reader.doc_frequency(name, unit.text) for name, _ in unit.fields() if name in reader.schema
    )
    if frequency >= MIN_DF * len(unit.fields()):
        return None
    return ScoreList.complete(*unit_scores(searcher, unit, params, {}))


def top_hits(
    searcher: Any,
    table: ImpactTable | None,
    q: query.Query,
    matches: int,
    count: int,
) -> list[tuple[int, float]] | None:
    """The ``count`` best (docnum, score) of the documents in ``matches`` for ``q``'s scores,
    best first (equal scores by docnum), or None when the lists cannot guarantee them."""
    params = bm25_parameters(searcher)
    units = score_units(q, searcher.schema) if params is not None else None
    if not units or params is None:
        return None
    lists = []
    for unit in units:
        found = unit_list(searcher, table, unit, params)
        if found is None:
            return None
        lists.append(found)
    wanted = matches.to_bytes(searcher.reader().doc_count_all(), "little")
    return threshold_merge(lists, wanted, count)


def threshold_merge(lists: list[ScoreList], wanted: bytes, count: int) -> list[tuple[int, float]]:
    """The ``count`` best documents among those whose byte in ``wanted`` is set, with exact
    scores, best first (equal scores by docnum).

    One list: its first ``count`` wanted documents, read best first a chunk at a time. Several:
    every list is complete, so a document's score is the sum of its entries (0 where a list
    does not have it); each list is added into one array of scores by document in a single
    vectorised pass, in the lists' order (the same additions, in the same order, as scoring
    one document at a time), and the best ``count`` wanted documents are partitioned out."""
    mask = np.frombuffer(wanted, np.bool_)
    if len(lists) == 1:
        return _first_wanted(lists[0], mask, count)
    totals, present = _scratch(len(wanted))
    for slist in lists:
        docs = slist.docs.astype(np.intp)
        totals[docs] += slist.scores()
        present[docs] = True
    docs = np.flatnonzero(mask & present)
    return _best(docs, totals[docs], count)


_SCRATCH = threading.local()


def _scratch(doc_count: int) -> tuple[Any, Any]:
    """This thread's arrays of scores and of presence by document, zeroed: reused from one
    search to the next, a fresh pair of megabytes would cost a page fault per 4 KiB."""
    kept = getattr(_SCRATCH, "arrays", None)
    if kept is None or len(kept[0]) != doc_count:
        kept = _SCRATCH.arrays = (np.zeros(doc_count, np.float64), np.zeros(doc_count, np.bool_))
    else:
        kept[0].fill(0.0)
        kept[1].fill(False)
    return kept


def _best(docs: Any, scores: Any, count: int) -> list[tuple[int, float]]:
    """The ``count`` best of (docs, scores), best first, equal scores by docnum."""
    if len(docs) > count:
        # Everything at or above the count-th best score: ties at the cut are all kept, so
        # the order below breaks them by docnum, as Whoosh does.
        kth = np.partition(scores, len(scores) - count)[len(scores) - count]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:count]
    return list(zip(docs[order].tolist(), scores[order].tolist(), strict=True))


def _first_wanted(slist: ScoreList, mask: Any, count: int) -> list[tuple[int, float]]:
    """The first ``count`` wanted documents of a list, read in chunks that double: a broad
    query reads a few hundred entries, a narrow filter reads further."""
    size = max(FIRST_CHUNK, count)
    at = 0
    found: list[Any] = []
    wanted = 0
    while at < slist.length:
        chunk = slist.docs[at : at + size]
        hits = np.flatnonzero(mask[chunk])
        if len(hits):
            found.append(hits + at)
            wanted += len(hits)
        at += size
        if wanted >= count:
            break
        size *= 2
    if not found:
        return []
    places = np.concatenate(found)[:count]
    scores = slist.scores(int(places[-1]) + 1)[places]
    return list(zip(slist.docs[places].tolist(), scores.tolist(), strict=True))


# -- match sets from the lists ---------------------------------------------------------------


def list_match_set(
    searcher: Any, table: ImpactTable | None, q: query.Query, live: int, facets: Any
) -> int:
    """``facets.match_set`` of ``q``, with the documents of each term that has a stored list
    (a word in the text fields, a title or authors term) read from the list: one array of
    document numbers instead of the term's posting blocks. Every other part is left to
    ``facets.match_set``."""
    if table is None:
        return match_set(searcher, q, live, facets)
    schema = searcher.schema
    count = searcher.reader().doc_count_all()

    def docs(node: query.Query) -> int:
        if type(node) is PairPhrase:
            return doc_set(node.doc_array(searcher), count) & live
        if type(node) is query.Term and node.fieldname in _LIST_FIELDS:
            text = _term_text(node)
            where = table.find(_LIST_FIELDS[node.fieldname], text) if text else None
            if where is not None:
                return doc_set(table.docs(where), count) & live
        if isinstance(node, query.Or):
            # A wildcard's expansion too: its frequent terms are read from their lists.
            found = 0
            for child in merge_word_terms(node.subqueries, schema):
                found |= docs(child)
            return found
        if type(node) is query.And:
            found = live
            for child in node.subqueries:
                found &= docs(child)
                if not found:
                    break
            return found
        if type(node) is query.AndNot:
            return docs(node.a) & ~docs(node.b)
        return match_set(searcher, node, live, facets)

    return docs(q)


#: Fields whose terms have stored lists, and the lists' key.
_LIST_FIELDS = {WORDS_FIELD: ALL_FIELDS, "title": "title", "authors": "authors"}
