"""How text becomes terms: the analyzers of the index and the bureau synonyms used at query time.

Text fields are stemmed English (``StemmingAnalyzer``: "trafficking" and "trafficked" meet). The
``spell`` field keeps words unstemmed, so "did you mean" suggests real words.

Bureau acronyms and names are synonyms, expanded in the query string before parsing, so that
``OVC victim services`` also finds pages that say "Office for Victims of Crime", and the other way
round. ``--explain`` shows the expanded query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from whoosh.analysis import Analyzer, StandardAnalyzer, StemmingAnalyzer

#: Bureau acronym → its full name (both directions are synonyms in queries).
AGENCY_NAMES: dict[str, str] = {
    "NIJ": "National Institute of Justice",
    "OVC": "Office for Victims of Crime",
    "OJJDP": "Office of Juvenile Justice and Delinquency Prevention",
    "BJA": "Bureau of Justice Assistance",
    "BJS": "Bureau of Justice Statistics",
    "SMART": (
        "Office of Sex Offender Sentencing, Monitoring, Apprehending, Registering, and Tracking"
    ),
    "NCJRS": "National Criminal Justice Reference Service",
    "OJP": "Office of Justice Programs",
}


#: Weight of an expanded bureau name against the other words of a query: the bureau qualifies
#: the query ("NIJ forensic" is about forensics, at NIJ) more than it is its subject.
SYNONYM_BOOST = 0.5


@cache
def text_analyzer() -> Analyzer:
    """Stemmed English for title, summary, body, topics and attachment text."""
    return StemmingAnalyzer(cachesize=50000)


@cache
def word_analyzer() -> Analyzer:
    """Unstemmed lowercase words: authors and the spelling vocabulary."""
    return StandardAnalyzer(minsize=2)


def _name_pattern(name: str) -> str:
    words = re.findall(r"\w+", name)
    return r"\b" + r"[\s,]+".join(re.escape(w) for w in words) + r"\b"


def _compile_synonyms() -> list[tuple[re.Pattern[str], str]]:
    rules = []
    for acronym, name in AGENCY_NAMES.items():
        both = f'({acronym} OR "{name}" OR agency:{acronym})^{SYNONYM_BOOST}'
        # The full name, typed with or without quotes.
        rules.append((re.compile(r'"?' + _name_pattern(name) + r'"?', re.IGNORECASE), both))
        # The acronym as a bare word: not a field value (agency:NIJ), not inside a word; upper
        # case only for the ambiguous "smart".
        flags = 0 if acronym == "SMART" else re.IGNORECASE
        rules.append((re.compile(r'(?<![\w:"\-])' + acronym + r'(?![\w:"\-])', flags), both))
    return rules


_SYNONYM_RULES = _compile_synonyms()
_QUOTED = re.compile(r'"[^"]*"')


def expand_synonyms(query: str) -> str:
    """Rewrite bureau acronyms and names as ``(ACRONYM OR "Full Name" OR agency:ACRONYM)^0.5``.

    Quoted phrases other than a bureau name and field values are left alone; each bureau is
    expanded at most once per occurrence.
    """
    out: list[str] = []
    pos = 0
    for match in _QUOTED.finditer(query):
        out.append(_expand_plain(query[pos : match.start()]))
        out.append(
            _expand_plain(match.group()) if _is_bureau_name(match.group()) else match.group()
        )
        pos = match.end()
    out.append(_expand_plain(query[pos:]))
    return "".join(out)


def _is_bureau_name(quoted: str) -> bool:
    return any(pattern.fullmatch(quoted) for pattern, _ in _SYNONYM_RULES)


def _expand_plain(text: str) -> str:
    placeholders: list[str] = []

    def holder(replacement: str) -> Callable[[re.Match[str]], str]:
        def hold(_match: re.Match[str]) -> str:
            placeholders.append(replacement)
            return f"\x00{len(placeholders) - 1}\x00"

        return hold

    # Each rule's output is held aside, so a later rule cannot rewrite an earlier expansion.
    for pattern, replacement in _SYNONYM_RULES:
        text = pattern.sub(holder(replacement), text)
    return re.sub(r"\x00(\d+)\x00", lambda m: placeholders[int(m.group(1))], text)
