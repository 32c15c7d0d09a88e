"""Did you mean: a corrected query for rare or absent words.

Only the first ``MAX_SUGGESTED_WORDS`` rare words of a query are looked at, and the corrected
query is written in one pass, so a long query costs no more than a short one.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.searching import Searcher

MAX_SUGGESTED_WORDS = 5  # rare words looked up per query
_WORD = re.compile(r"(?<![\w:*?'])([A-Za-z]{3,})(?![\w:*?'])")
_FIELD_VALUE = re.compile(r"\b[A-Za-z_]+:(\"[^\"]*\"|\S+)")
_OPERATORS = {"and", "or", "not", "to"}


def suggest_query(searcher: Searcher, text: str) -> tuple[str | None, bool]:
    """A corrected query for rare or absent words, and whether a word was absent altogether."""
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
        best = _closest_word(reader, lower, frequency)
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
