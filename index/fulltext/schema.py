"""The Whoosh schema, derived from the Record, and the document a Record becomes.

Field weights are applied at query time (``FIELD_BOOSTS``), so they can be tuned against the judged
queries without rebuilding. Dates are indexed as ``YYYYMMDD`` integers with ``00`` for an unknown
month or day ("2019-06" → 20190600), so a date range is one numeric range query (a handful of
trie terms), never thousands of expanded terms. ``year`` is a column for the year facet.
``spell`` holds the distinct unstemmed words of each record (no positions, no counts): the
vocabulary for "did you mean". ``words`` holds the stemmed terms of all the text fields
(``WORD_FIELDS``), once each: the documents a word typed without a field matches are one short
posting list (ids only), not the union of five lists with positions. ``pairs`` holds each pair of
adjacent words of each of those fields (``index.fulltext.pairs``): a two-word phrase is one
short posting list too.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.analysis import IDAnalyzer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from index.fulltext.analysis import text_analyzer, word_analyzer
from index.fulltext.pairs import FIELD_SEPARATOR, PairAnalyzer, PairFormat
from index.records import Record

#: Bump when the schema changes: an index built by another version is rebuilt, not reused.
INDEX_VERSION = 3

#: Fields searched by a query without a field name, and their weights.
FIELD_BOOSTS: dict[str, float] = {
    "title": 5.0,
    "topics": 1.5,
    "summary": 2.0,
    "body": 1.0,
    "doc": 0.4,
    "authors": 1.0,
}

#: The text fields whose terms ``words`` holds (every field of ``FIELD_BOOSTS`` but authors,
#: which is not stemmed).
WORD_FIELDS = ("title", "topics", "summary", "body", "doc")
WORDS_FIELD = "words"
#: Adjacent word pairs of each of ``WORD_FIELDS`` (``index.fulltext.pairs``): two-word phrases.
PAIRS_FIELD = "pairs"

#: The names a user may type before a colon, and the schema field each one means.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "agency": "agency",
    "type": "content_type",
    "kind": "content_type",
    "topic": "topics",
    "author": "authors",
    "ncj": "ncj",
    "doc": "doc",
    "published": "published",
    "id": "id",
    "summary": "summary",
    "body": "body",
    "opportunity": "opportunity",
}

#: The fields listed in "unknown field" errors (the documented ones).
DOCUMENTED_FIELDS = ("title", "agency", "type", "topic", "author", "ncj", "doc", "published")

_WORDS = re.compile(r"[^\W\d_]{2,}")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def build_schema(*, store_body: bool = False) -> Schema:
    """The index schema. ``store_body`` keeps body and attachment text in the index (for
    snippets without the store); the default reads snippet text from the store instead."""
    text = text_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True),
        title=TEXT(analyzer=text, stored=True),
        summary=TEXT(analyzer=text, stored=True),
        body=TEXT(analyzer=text, stored=store_body),
        doc=TEXT(analyzer=text, stored=store_body),
        topics=TEXT(analyzer=text),
        authors=TEXT(analyzer=word_analyzer()),
        agency=KEYWORD(lowercase=True, stored=True, sortable=True),
        content_type=ID(stored=True, sortable=True, analyzer=IDAnalyzer(lowercase=True)),
        ncj=ID(stored=True),
        opportunity=ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        published=NUMERIC(int, bits=32, stored=False, sortable=True, default=0),
        year=NUMERIC(int, bits=32, sortable=True, default=0),
        published_iso=STORED(),
        spell=FieldType(Existence(), word_analyzer(), scorable=True),
        words=FieldType(Existence(), text),
        pairs=FieldType(PairFormat(), PairAnalyzer(WORD_FIELDS)),
    )


def date_number(iso: str | None) -> int | None:
    """``"2019-06-01"`` → 20190601, ``"2019-06"`` → 20190600, ``"2019"`` → 20190000."""
    if not iso:
        return None
    match = _DATE.match(iso)
    if not match:
        return None
    year, month, day = (int(g) if g else 0 for g in match.groups())
    return year * 10000 + month * 100 + day


def spelling_words(record: Record) -> str:
    """The distinct words of a record's text, once each: the spelling vocabulary needs no counts,
    and analysing each word once keeps bulk builds fast."""
    text = " ".join((record.title, record.summary, record.body, *record.topics)).lower()
    return " ".join(dict.fromkeys(_WORDS.findall(text)))


def display_title(record: Record) -> str:
    """The title a hit shows: a special feature's subpage ("Overview") with its feature's name
    ("Human Trafficking: Overview"), so the hit says what it is about."""
    feature = str(record.details.get("feature") or "").strip()
    if feature and record.title and not record.title.lower().startswith(feature.lower()):
        return f"{feature}: {record.title}"
    return record.title


def record_document(record: Record) -> dict[str, Any]:
    """The Whoosh document of a record."""
    doc_text = "\n".join(part for a in record.attachments for part in (a.title, a.text) if part)
    doc: dict[str, Any] = {
        "id": record.id,
        "url": record.url,
        "title": display_title(record),
        "summary": record.summary,
        "body": record.body,
        "doc": doc_text,
        "topics": "\n".join(record.topics),
        "authors": "\n".join(record.authors),
        "agency": record.agency,
        "content_type": record.content_type,
        "published_iso": record.published or "",
        "spell": spelling_words(record),
    }
    doc[WORDS_FIELD] = "\n".join(doc[name] for name in WORD_FIELDS if doc.get(name))
    doc[PAIRS_FIELD] = FIELD_SEPARATOR.join(
        (doc.get(name) or "").replace(FIELD_SEPARATOR, " ") for name in WORD_FIELDS
    )
    if record.ncj_number:
        doc["ncj"] = record.ncj_number
    if record.opportunity_id:
        doc["opportunity"] = record.opportunity_id
    number = date_number(record.published)
    if number:
        doc["published"] = number
        doc["year"] = number // 10000
    return {k: v for k, v in doc.items() if v not in ("", None)}
