"""Match sets and facet counts without scoring every hit.

A *match set* is a Python int used as a bit set with one byte per document (bit ``8 * n`` is
document ``n``): it is filled from posting lists block by block with C-level operations, combined
with ``&``, ``|`` and ``~``, and counted with ``int.bit_count()``. The total of a search is the
size of its match set; the ranking only has to find the top hits (Whoosh's block-max skipping).

Facet counts come from a *facet table* written beside the index after each commit
(``ojp-facets.pickle``): per facet (agency, type, year) its values and one code byte per
document (0: no value or deleted). Counting a facet is one vectorised count of the codes of the
matched documents: nothing per hit, no column read per request. The table also holds
the documents sorted by date, so a date range or a ``--since`` / ``--until`` filter is two
binary searches and a slice, never an expansion into the date field's terms. A table that does not
match the index's segments (a commit whose table was not written yet) is computed in memory.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, repeat
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from index.fulltext.schema import WORD_FIELDS, WORDS_FIELD

log = logging.getLogger(__name__)

FACET_FILE = "ojp-facets.pickle"
#: Facet name → the schema column it counts.
FACET_COLUMNS = {"agency": "agency", "type": "content_type", "year": "year"}
#: The date field (YYYYMMDD numbers) whose ranges the table answers.
DATE_FIELD = "published"
#: Facet value combinations up to which every facet is counted in one pass.
JOINT_COMBINATIONS = 1 << 16


# -- match sets ------------------------------------------------------------------------------


def scatter(buf: bytearray, ids: Iterable[int]) -> None:
    """Set ``buf[i] = 1`` for every i (a C-level loop)."""
    deque(map(buf.__setitem__, ids, repeat(1)), maxlen=0)


def doc_set(docs: Any, doc_count: int) -> int:
    """The match set of an array of document numbers (one vectorised scatter)."""
    buf = np.zeros(doc_count, np.uint8)
    buf[docs] = 1
    return int.from_bytes(buf.data, "little")


def doc_mask(matches: int, doc_count: int) -> Any:
    """A match set as an array of booleans, one per document."""
    return np.frombuffer(matches.to_bytes(doc_count, "little"), np.bool_)


def _block_ids(matcher: Any) -> Iterator[Iterable[int]]:
    """A leaf matcher's document numbers, a block at a time (deleted documents included)."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        yield matcher.all_ids()
        return
    # Whoosh's own all_ids() decodes one posting at a time; a block is one pickled tuple.
    while not matcher._atend:
        if matcher._data is None:
            matcher._read_data()
        yield accumulate(matcher._data[0])
        matcher._next_block()


def live_docs(reader: Any) -> int:
    """The match set of every document not deleted."""
    buf = bytearray(b"\x01") * reader.doc_count_all()
    for leaf, base in reader.leaf_readers():
        for docnum in leaf.deleted_docs_set if leaf.has_deletions() else ():
            buf[base + docnum] = 0
    return int.from_bytes(buf, "little")


def term_docs(reader: Any, fieldname: str, text: Any) -> int:
    """The match set of one term (deleted documents included)."""
    buf = bytearray(reader.doc_count_all())
    for leaf, base in reader.leaf_readers():
        try:
            matcher = leaf.postings(fieldname, text)
        except TermNotFound:
            continue
        for ids in _block_ids(matcher):
            scatter(buf, map(base.__add__, ids) if base else ids)
    return int.from_bytes(buf, "little")


def doc_ids(matches: int, doc_count: int) -> set[int]:
    """The document numbers of a match set."""
    return set(np.flatnonzero(doc_mask(matches, doc_count)).tolist())


def match_set(searcher: Any, q: query.Query, live: int, table: FacetTable | None = None) -> int:
    """The documents ``q`` matches, as a match set within ``live``. With a ``table``, ranges
    of the ``published`` date are read from its sorted dates, not from the date field's terms."""
    reader = searcher.reader()

    def docs(node: query.Query) -> int:
        if table is not None and is_date_range(node):
            return table.date_set(node.start, node.end) & live
        if isinstance(node, query.Term):
            if node.fieldname not in reader.schema:
                return 0
            return term_docs(reader, node.fieldname, node.text) & live
        if isinstance(node, query.Or | query.DisjunctionMax):
            found = 0
            for child in merge_word_terms(node.subqueries, reader.schema):
                found |= docs(child)
            return found
        if isinstance(node, query.And):
            found = live
            for child in node.subqueries:
                found &= docs(child)
                if not found:
                    break
            return found
        if isinstance(node, query.AndNot):
            return docs(node.a) & ~docs(node.b)
        if isinstance(node, query.Not):
            return live & ~docs(node.query)
        if isinstance(node, query.AndMaybe):
            return docs(node.a)
        if isinstance(node, query.Require):
            return docs(node.a) & docs(node.b)
        if isinstance(node, query.Every):
            return live
        if node is query.NullQuery:
            return 0
        if isinstance(node, query.WrappingQuery):
            return docs(node.child)
        # Phrases, ranges and anything else: Whoosh's own matcher.
        buf = bytearray(reader.doc_count_all())
        scatter(buf, node.docs(searcher))
        return int.from_bytes(buf, "little") & live

    return docs(q)


def merge_word_terms(subqueries: list[query.Query], schema: Any) -> list[query.Query]:
    """The parts of an OR, with each word it looks for in every one of ``WORD_FIELDS`` (a word
    typed without a field) looked for once, in ``words``: same documents, one short list."""
    if WORDS_FIELD not in schema:
        return subqueries
    fields: dict[Any, set[str]] = {}
    for part in subqueries:
        if type(part) is query.Term and part.fieldname in WORD_FIELDS:
            fields.setdefault(part.text, set()).add(part.fieldname)
    merged = {text for text, names in fields.items() if len(names) == len(WORD_FIELDS)}
    if not merged:
        return subqueries
    rest = [
        part
        for part in subqueries
        if not (type(part) is query.Term and part.fieldname in WORD_FIELDS and part.text in merged)
    ]
    return rest + [query.Term(WORDS_FIELD, text) for text in merged]


def is_date_range(node: query.Query) -> bool:
    """An inclusive range of the ``published`` date (what the query and the filters make)."""
    return (
        isinstance(node, query.NumericRange)
        and node.fieldname == DATE_FIELD
        and not node.startexcl
        and not node.endexcl
    )


# -- facets ----------------------------------------------------------------------------------


def index_key(reader: Any) -> tuple[tuple[str, int], ...]:
    """What identifies the documents of an open index: its segments (random ids, unique across
    rebuilds) and their deletion counts."""
    key = []
    for leaf, _ in reader.leaf_readers():
        segment = leaf.segment()
        if segment is not None:
            key.append((segment.segment_id(), segment.deleted_count()))
    return tuple(key)


@dataclass(frozen=True)
class FacetTable:
    """Per facet: its values, and one code byte per document (value index + 1, 0 for none)."""

    key: tuple[tuple[str, int], ...]  # index_key() of the index it was computed from
    doc_count: int
    values: dict[str, list[str]]
    codes: dict[str, bytes]
    dates: array[int]  # the published dates (YYYYMMDD) of the live documents that have one, sorted
    date_docs: array[int]  # their document numbers, in the same order

    def date_set(self, low: int | None, high: int | None) -> int:
        """The match set of the documents published from ``low`` to ``high`` (inclusive)."""
        start = bisect_left(self.dates, low) if low is not None else 0
        end = bisect_right(self.dates, high) if high is not None else len(self.dates)
        return doc_set(np.frombuffer(self.date_docs, np.uint32)[start:end], self.doc_count)

    def value_set(self, facet: str, wanted: Iterable[str]) -> int:
        """The match set of the documents whose ``facet`` is one of ``wanted``."""
        names = self.values[facet]
        table = bytearray(256)
        for value in wanted:
            if value in names:
                table[names.index(value) + 1] = 1
        return int.from_bytes(self.codes[facet].translate(table), "little")

    def count(self, matches: int) -> dict[str, dict[str, int]]:
        """Facet counts of a match set: value → documents, most frequent first (years newest
        first)."""
        # A matched document keeps its codes, the others count as 0 (no value): one vectorised
        # count of every facet's codes at once (``_joint``), or one per facet.
        selected = doc_mask(matches, self.doc_count).view(np.uint8)
        joint = self._joint
        if joint is not None:
            sizes = [len(names) + 1 for names in self.values.values()]
            together = np.bincount(joint * selected, minlength=math.prod(sizes)).reshape(sizes)
            axes = range(len(sizes))
            each = [together.sum(axis=tuple(j for j in axes if j != i)).tolist() for i in axes]
        else:
            each = [
                np.bincount(
                    np.frombuffer(self.codes[facet], np.uint8) * selected, minlength=len(names) + 1
                ).tolist()
                for facet, names in self.values.items()
            ]
        facets: dict[str, dict[str, int]] = {}
        for (facet, names), counted in zip(self.values.items(), each, strict=True):
            counts = [(name, counted[n + 1]) for n, name in enumerate(names)]
            counts = [(name, c) for name, c in counts if c]
            if facet == "year":
                counts.sort(key=lambda kv: kv[0], reverse=True)
            else:
                counts.sort(key=lambda kv: (-kv[1], kv[0]))
            facets[facet] = dict(counts)
        return facets

    @cached_property
    def _joint(self) -> Any | None:
        """Every document's facet codes as one number (mixed radix: the first facet's code is
        the most significant), so that one count gives every facet; None when the combinations
        are too many for one count."""
        sizes = [len(names) + 1 for names in self.values.values()]
        if not sizes or math.prod(sizes) > JOINT_COMBINATIONS:
            return None
        joint = np.zeros(self.doc_count, np.intp)
        for facet, size in zip(self.values, sizes, strict=True):
            joint *= size
            joint += np.frombuffer(self.codes[facet], np.uint8)
        return joint


def _has_value(value: Any) -> bool:
    """False for a column's "no value" (None, "", or the NUMERIC default 0 for a missing year)."""
    return value not in (None, "") and not (isinstance(value, int) and value <= 0)


def compute_facet_table(reader: Any) -> FacetTable:
    """Read the facet columns of every document (a few hundred ms per 100,000 documents)."""
    count = reader.doc_count_all()
    values: dict[str, list[str]] = {}
    codes: dict[str, bytes] = {}
    for facet, column in FACET_COLUMNS.items():
        names: dict[str, int] = {}
        buf = bytearray(count)
        for leaf, base in reader.leaf_readers() if count else ():
            deleted = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
            for docnum, value in enumerate(leaf.column_reader(column)):
                if docnum in deleted or not _has_value(value):
                    continue
                name = str(value)
                code = names.get(name)
                if code is None:
                    if len(names) == 255:
                        raise ValueError(f"more than 255 values in facet {facet!r}")
                    code = names[name] = len(names) + 1
                buf[base + docnum] = code
        values[facet] = list(names)
        codes[facet] = bytes(buf)
    dated = []
    for leaf, base in reader.leaf_readers() if count else ():
        deleted = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
        for docnum, date in enumerate(leaf.column_reader(DATE_FIELD)):
            if date and date > 0 and docnum not in deleted:
                dated.append((date, base + docnum))
    dated.sort()
    dates = array("I", (date for date, _ in dated))
    date_docs = array("I", (docnum for _, docnum in dated))
    return FacetTable(index_key(reader), count, values, codes, dates, date_docs)


def write_facet_table(path: Path, reader: Any) -> None:
    """Write the facet table of the index in ``path`` (atomically: temp file, rename)."""
    table = compute_facet_table(reader)
    tmp = path / f".{FACET_FILE}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        pickle.dump(table, fh, pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path / FACET_FILE)


def load_facet_table(path: Path, reader: Any) -> FacetTable:
    """The facet table beside the index, or one computed now if it is missing or stale."""
    try:
        with open(path / FACET_FILE, "rb") as fh:
            table = pickle.load(fh)
        if isinstance(table, FacetTable) and table.key == index_key(reader):
            return table
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    log.info("facet table in %s missing or stale: computing it", path)
    return compute_facet_table(reader)
