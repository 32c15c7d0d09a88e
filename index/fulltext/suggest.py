"""Did you mean: a corrected query for rare or absent words.

Only the first ``MAX_SUGGESTED_WORDS`` rare words of a query are looked at, and the corrected
query is written in one pass, so a long query costs no more than a short one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from whoosh.codec.base import Automata
from whoosh.searching import Searcher

MAX_SUGGESTED_WORDS = 5  # rare words looked up per query
_WORD = re.compile(r"(?<![\w:*?'])([A-Za-z]{3,})(?![\w:*?'])")
_FIELD_VALUE = re.compile(r"\b[A-Za-z_]+:(\"[^\"]*\"|\S+)")
_OPERATORS = {"and", "or", "not", "to"}


def suggest_query(
    searcher: Searcher, text: str, words: Sequence[str] | None = None
) -> tuple[str | None, bool]:
    """A corrected query for rare or absent words, and whether a word was absent altogether.
    ``words``: the ``spell`` field's terms, sorted, when the caller keeps them in memory (a
    long-running process); else the index's term dictionary is searched on disk."""
    reader = searcher.reader()
    corrections: dict[str, str] = {}
    absent = False
    for word in dict.fromkeys(_WORD.findall(_FIELD_VALUE.sub(" ", text))):
        lower = word.lower()
        if lower in _OPERATORS or (word.upper() == word and len(word) <= 6):
            continue
        frequency = reader.doc_frequency("spell", lower)
        if frequency > 1:
            continue
        best = _closest_word(reader, lower, frequency, words)
        if best is not None:
            absent = absent or frequency == 0
            corrections[word] = best
        if len(corrections) == MAX_SUGGESTED_WORDS:
            break
    if not corrections:
        return None, False
    words = "|".join(re.escape(word) for word in sorted(corrections, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w:])(?:{words})(?!\w)")
    return pattern.sub(lambda m: corrections[m.group()], text), absent


def _closest_word(
    reader: Any, word: str, frequency: int, words: Sequence[str] | None
) -> str | None:
    maxdist = 1 if len(word) <= 4 else 2
    candidates = []
    if words is None:
        within = reader.terms_within("spell", word, maxdist, prefix=1)
    else:  # the same automaton, walked over the terms in memory instead of the file
        dfa = Automata.levenshtein_dfa(word, maxdist, 1)
        within = Automata.find_matches(dfa, _TermCursor(words))
    for candidate in within:
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


class _TermCursor:
    """A cursor over sorted terms in memory, as Whoosh's automata walk a term dictionary."""

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        self.at = 0

    def text(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def find(self, text: str) -> None:
        self.at = bisect_left(self.words, text)


def spelling_words(searcher: Searcher) -> list[str]:
    """The ``spell`` field's terms, sorted (for ``suggest_query`` in a long-running process)."""
    reader = searcher.reader()
    if "spell" not in reader.schema:
        return []
    return [text.decode("utf-8") for text in reader.lexicon("spell")]
