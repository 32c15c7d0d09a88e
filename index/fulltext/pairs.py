"""The word-pair field: where each pair of adjacent common words stands, in few short lists.

A two-word phrase typed without a field (``"victim services"``) is, for Whoosh, an OR of one
phrase query per text field, each reading the positions of both words in every document that
has both: the cost grows with how common the words are, not with how often they stand together.
The ``pairs`` field records, for every text field of ``WORD_FIELDS`` and every distinct pair of
adjacent words in it (stemmed, stop words left out, as the phrase query sees them) that are
both common words (``PAIR_WORDS``), one *entry*: the field, the two words and their frequencies
in that field. Pairs with a rarer word are left out: a phrase with a rarer word is cheap for
Whoosh.

Entries are not terms of their own: a term per pair made most terms rare (1.2 million pair terms
at 100,000 records, most in one to four documents), and Whoosh spends about 150 bytes and a
posting block on every term. Instead each entry falls in one of ``PAIR_BUCKETS`` buckets (a hash
of its field and words), and a bucket is a term whose postings carry the entries as fixed-size
values (``ENTRY``: 8 bytes). A document with two entries in one bucket puts the second in the
bucket's next *level* (its own term), and so on. Reading a phrase reads its bucket's levels in
each field and keeps the entries of its words: no positions, and the words' frequencies give
the phrase's BM25F score (the sum of both words' scores in each field where the phrase occurs,
as Whoosh scores ``Phrase``) from the field lengths alone. The index keeps its word list and its
bucket count in its schema (``PairAnalyzer``).
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from whoosh.analysis import Analyzer, Token
from whoosh.formats import Format

from index.fulltext.analysis import text_analyzer
from index.fulltext.pair_words import PAIR_WORDS

#: Separates the texts of the fields in the ``pairs`` value (``WORD_FIELDS`` order).
FIELD_SEPARATOR = "\x1e"
#: Buckets per index: about 30 distinct entries each at 100,000 records.
PAIR_BUCKETS = 1 << 15
#: An entry packs a word's frequency in 12 bits; a word more frequent than this in one field
#: makes the phrase unrankable from the pairs (``index.fulltext.impact`` then lets Whoosh
#: score it).
MAX_FREQUENCY = 4095
#: An entry: ``key << 24 | first frequency << 12 | second frequency``, little-endian.
ENTRY = struct.Struct("<Q")
_WORD_BITS = 10  # a word's number in the sorted word list
_FIELD_SHIFT = 2 * _WORD_BITS
_KEY_SHIFT = 24
_GOLDEN = 0x9E3779B1  # Fibonacci hashing of the key


def word_numbers(words: Iterable[str]) -> dict[str, int]:
    """Each pair word's number: its place in the sorted list."""
    ordered = sorted(words)
    if len(ordered) > 1 << _WORD_BITS:
        raise ValueError(f"at most {1 << _WORD_BITS} pair words, not {len(ordered)}")
    return {word: n for n, word in enumerate(ordered)}


def entry_key(field: int, first: int, second: int) -> int:
    """The key of the pair (first, second) of word numbers in the field numbered ``field``."""
    return (field << _FIELD_SHIFT) | (first << _WORD_BITS) | second


def bucket_of(key: int, buckets: int) -> int:
    return ((key * _GOLDEN) & 0xFFFFFFFF) % buckets


def bucket_term(bucket: int, level: int = 0) -> str:
    """The term of a bucket's level: ``"1a2f"``, then ``"1a2f.1"``, ``"1a2f.2"``…"""
    return f"{bucket:04x}" if not level else f"{bucket:04x}.{level}"


def entry(key: int, first: int, second: int) -> bytes:
    return ENTRY.pack(
        key << _KEY_SHIFT | min(first, MAX_FREQUENCY) << 12 | min(second, MAX_FREQUENCY)
    )


def document_pairs(
    fields_words: Iterable[Sequence[Hashable]], numbers: Mapping[Any, int], buckets: int
) -> list[tuple[str, bytes]]:
    """(bucket term, entry) of every distinct pair of adjacent words of one document whose
    words both have a number; ``fields_words`` holds each field's analysed words in
    ``WORD_FIELDS`` order (str or bytes, as ``numbers`` is keyed)."""
    levels: dict[int, int] = {}
    out = []
    for field, words in enumerate(fields_words):
        if len(words) < 2:
            continue
        frequency: Counter[Hashable] | None = None
        for first, second in dict.fromkeys(pairwise(words)):
            a = numbers.get(first)
            if a is None:
                continue
            b = numbers.get(second)
            if b is None:
                continue
            if frequency is None:
                frequency = Counter(words)
            key = entry_key(field, a, b)
            bucket = bucket_of(key, buckets)
            level = levels.get(bucket, 0)
            levels[bucket] = level + 1
            value = entry(key, frequency[first], frequency[second])
            out.append((bucket_term(bucket, level), value))
    return out


def phrase_entries(values: Any, key: int) -> tuple[Any, Any]:
    """Of an array of entries (``uint64``), the mask of those with ``key`` and every entry's
    two frequencies (arrays)."""
    found = (values >> np.uint64(_KEY_SHIFT)) == np.uint64(key)
    first = (values >> np.uint64(12)) & np.uint64(MAX_FREQUENCY)
    second = values & np.uint64(MAX_FREQUENCY)
    return found, (first.astype(np.int64), second.astype(np.int64))


class PairAnalyzer(Analyzer):  # type: ignore[misc]
    """The ``pairs`` field's analysis: its value is the texts of ``fields`` joined by
    ``FIELD_SEPARATOR``; ``postings`` gives each entry's (bucket term, entry)."""

    def __init__(
        self,
        fields: tuple[str, ...],
        words: frozenset[str] = PAIR_WORDS,
        buckets: int | None = None,
    ) -> None:
        self.fields = tuple(fields)
        self.words = frozenset(words)
        self.buckets = buckets or PAIR_BUCKETS

    def indexes(self, first: str, second: str) -> bool:
        """Whether the pair (first, second) has its entry when it occurs."""
        return first in self.words and second in self.words

    def numbers(self) -> dict[str, int]:
        found: dict[str, int] | None = self.__dict__.get("_numbers")
        if found is None:
            found = self.__dict__["_numbers"] = word_numbers(self.words)
        return found

    def key(self, field: str, first: str, second: str) -> int:
        numbers = self.numbers()
        return entry_key(self.fields.index(field), numbers[first], numbers[second])

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_numbers"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("buckets", PAIR_BUCKETS)

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.fields == self.fields  # type: ignore[attr-defined]
            and other.words == self.words  # type: ignore[attr-defined]
            and other.buckets == self.buckets  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash(self.fields)

    def postings(self, value: str) -> list[tuple[str, bytes]]:
        analyzer = text_analyzer()
        texts = value.split(FIELD_SEPARATOR)[: len(self.fields)]
        fields_words = [[t.text for t in analyzer(text)] for text in texts]
        return document_pairs(fields_words, self.numbers(), self.buckets)

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        for term, _ in self.postings(value):
            yield Token(text=term, boost=1.0, positions=False, chars=False)


class PairFormat(Format):  # type: ignore[misc]
    """Postings whose value is one entry of ``ENTRY.size`` bytes (no weights, no positions)."""

    def fixed_value_size(self) -> int:
        return ENTRY.size

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        return ((term, 1, 1.0, data) for term, data in analyzer.postings(value))

    def decode_frequency(self, valuestring: bytes) -> int:
        return 1

    def decode_weight(self, valuestring: bytes) -> float:
        return 1.0
