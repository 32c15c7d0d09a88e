"""The word-pair field: each pair of adjacent words of a text field as one term.

A two-word phrase typed without a field (``"victim services"``) is, for Whoosh, an OR of one
phrase query per text field, each reading the positions of both words in every document that
has both: the cost grows with how common the words are, not with how often they stand together.
The ``pairs`` field holds, for every text field of ``WORD_FIELDS`` and every pair of adjacent
words in it (stemmed, stop words left out, as the phrase query sees them) that are both common
words (``PAIR_WORDS``), the term ``"<field>:<word> <word>"``: the documents with the phrase in a
field are one short posting list. Pairs with a rarer word are left out: indexing every pair
would multiply the index size (nearly every pair of rare words is a term of its own), and a
phrase with a rarer word is cheap for Whoosh. The index keeps its word list in its schema.

Each posting's weight carries the two words' frequencies in that field (``first * 4096 +
second``), so the phrase's BM25F score (the sum of both words' scores in each field where the
phrase occurs, as Whoosh scores ``Phrase``) is computed from the pair's postings and the field
lengths alone, without the words' posting lists.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import numpy as np
from whoosh.analysis import Analyzer, Token
from whoosh.formats import Existence, tokens

from index.fulltext.analysis import text_analyzer
from index.fulltext.pair_words import PAIR_WORDS

#: Separates the texts of the fields in the ``pairs`` value (``WORD_FIELDS`` order).
FIELD_SEPARATOR = "\x1e"
#: A pair's weight packs both frequencies in 24 bits (exact in the bulk builder's float32
#: weights); a word more frequent than this in one field makes the phrase unrankable from
#: the pairs (``index.fulltext.impact`` then lets Whoosh score it).
MAX_FREQUENCY = 4095
_SHIFT = 4096


def pair_term(fieldname: str, first: str, second: str) -> str:
    return f"{fieldname}:{first} {second}"


def pair_weight(first: int, second: int) -> float:
    return float(min(first, MAX_FREQUENCY) * _SHIFT + min(second, MAX_FREQUENCY))


def split_weights(weights: Any) -> tuple[Any, Any]:
    """The two words' frequencies the weights of pair postings carry (arrays)."""
    return np.divmod(weights.astype(np.int64), _SHIFT)


def field_pairs(
    fieldname: str, words: list[str], common: frozenset[str]
) -> Iterator[tuple[str, float]]:
    """(term, weight) of each distinct adjacent pair of ``words`` (one field's analysed words)
    that are both in ``common``."""
    if len(words) < 2:
        return
    frequency = Counter(words)
    for first, second in dict.fromkeys(pairwise(words)):
        if first not in common or second not in common:
            continue
        yield pair_term(fieldname, first, second), pair_weight(frequency[first], frequency[second])


class PairAnalyzer(Analyzer):  # type: ignore[misc]
    """Tokens of the ``pairs`` field: its value is the texts of ``fields`` joined by
    ``FIELD_SEPARATOR``; each distinct pair of ``words`` in a field is one token whose boost is
    its weight."""

    def __init__(self, fields: tuple[str, ...], words: frozenset[str] = PAIR_WORDS) -> None:
        self.fields = tuple(fields)
        self.words = frozenset(words)

    def indexes(self, first: str, second: str) -> bool:
        """Whether the pair (first, second) has its term when it occurs."""
        return first in self.words and second in self.words

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and other.fields == self.fields  # type: ignore[attr-defined]
            and other.words == self.words  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash(self.fields)

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Token]:
        analyzer = text_analyzer()
        for fieldname, text in zip(self.fields, value.split(FIELD_SEPARATOR), strict=False):
            words = [t.text for t in analyzer(text)]
            for term, weight in field_pairs(fieldname, words, self.words):
                yield Token(text=term, boost=weight, positions=False, chars=False)


class PairFormat(Existence):  # type: ignore[misc]
    """Existence postings whose weight is the sum of the token boosts (a pair's weight), not
    the field boost."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        weights: dict[str, float] = defaultdict(float)
        kwargs["boosts"] = True
        for t in tokens(value, analyzer, kwargs):
            weights[t.text] += t.boost
        return ((word, 1, weight, b"") for word, weight in weights.items())
