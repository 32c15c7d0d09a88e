"""The Whoosh schema, derived from the Record, and the document a Record becomes.

Field weights are applied at query time (``FIELD_BOOSTS``), so they can be tuned against the judged
queries without rebuilding. Dates are indexed as ``YYYYMMDD`` integers with ``00`` for an unknown
month or day ("2019-06" → 20190600), so a date range is one numeric range query (a handful of
trie terms), never thousands of expanded terms. ``year`` is a column for the year facet.
``spell`` holds the distinct unstemmed words of each record (no positions, no counts): the
vocabulary for "did you mean". ``words`` holds the stemmed terms of all the text fields
(``WORD_FIELDS``), once each: the documents a word typed without a field matches are one short
posting list (ids only), not the union of five lists with positions. ``pairs`` records each pair of
adjacent common words of each of those fields (``index.fulltext.pairs``): a two-word phrase is
read from a few short posting lists too, without positions.

The NCJRS library's own fields (``journal``, ``series``, ``volume``, ``issue``, ``pages``,
``language``, ``fulltext``) and the dates of funding and events are fields of their own: ``added``
(when ojp-search first saw the record), ``closing`` (a funding opportunity's closing date, else
its last deadline) and ``event_start`` / ``event_end`` are ``YYYYMMDD`` numbers like ``published``,
sortable (``closing_sort``, ``event_sort``: a missing date sorts last, ``NO_DATE``).
"""

from __future__ import annotations

import re
from typing import Any

from whoosh.analysis import IDAnalyzer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence, Positions

from index.fulltext.analysis import text_analyzer, word_analyzer
from index.fulltext.pairs import FIELD_SEPARATOR, PairAnalyzer, PairFormat
from index.records import Record

#: Bump when the schema changes: an index built by another version is rebuilt, not reused.
INDEX_VERSION = 5

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
    "journal": "journal",
    "series": "series",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "language": "language",
    "lang": "language",
    "added": "added",
    "closing": "closing",
    "event": "event",
}

#: The fields listed in "unknown field" errors (the documented ones).
DOCUMENTED_FIELDS = (
    "title",
    "agency",
    "type",
    "topic",
    "author",
    "ncj",
    "doc",
    "published",
    "journal",
    "series",
    "volume",
    "issue",
    "pages",
    "language",
    "added",
    "closing",
    "event",
)
#: The date fields a query may give a range of (``closing:2027``), and the index fields they
#: mean: a range of ``event`` is every event that overlaps it.
DATE_FIELDS = {
    "published": ("published", "published"),
    "added": ("added", "added"),
    "closing": ("closing", "closing"),
    "event": ("event_start", "event_end"),
}
#: A closing or event date a record does not have: sorts after every real date.
NO_DATE = 99_991_231
#: ``fulltext`` of a record with a readable document (``--full-text``).
FULL_TEXT = "yes"

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
        journal=FieldType(Positions(), text),  # searched, not scored by length
        series=FieldType(Positions(), text),
        volume=ID(),
        issue=ID(),
        pages=NUMERIC(int, bits=32),
        language=ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        fulltext=ID(),
        added=NUMERIC(int, bits=32, sortable=True, default=0),
        closing=NUMERIC(int, bits=32),
        event_start=NUMERIC(int, bits=32),
        event_end=NUMERIC(int, bits=32),
        # Sort columns of their own: a missing date is ``NO_DATE`` and sorts last (a NUMERIC
        # column reads a missing value as its smallest).
        closing_sort=COLUMN(NumericColumn("I", default=NO_DATE)),
        event_sort=COLUMN(NumericColumn("I", default=NO_DATE)),
        dates_iso=STORED(),
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


def last_day_number(iso: str | None) -> int | None:
    """The last ``YYYYMMDD`` a date of any precision may stand for: ``"2019-06"`` → 20190699."""
    number = date_number(iso)
    if number is None:
        return None
    if number % 10000 == 0:
        return number + 9999
    if number % 100 == 0:
        return number + 99
    return number


def closing_date(record: Record) -> str | None:
    """A funding opportunity's closing date: its own, else its last application deadline."""
    details = record.details
    if details.get("closing_date"):
        return str(details["closing_date"])
    deadlines = [
        str(details[key])
        for key in ("grants_gov_deadline", "justgrants_deadline")
        if details.get(key) and date_number(str(details[key]))
    ]
    return max(deadlines, key=lambda d: date_number(d) or 0) if deadlines else None


def event_span(record: Record) -> tuple[str, str] | None:
    """An event's first and last day (ISO, as precise as the page says): one date, or an
    interval ``"2023-09-18/2023-09-19"``."""
    dates = str(record.details.get("event_dates") or "")
    if not dates:
        return None
    first, _, last = dates.partition("/")
    if not date_number(first):
        return None
    return first, (last if date_number(last) else first)


def language_tag(language: str | None) -> str | None:
    """The primary language subtag, lower case: "en-US" → "en"."""
    tag = (language or "").strip().split("-")[0].split("_")[0].lower()
    return tag if tag.isalpha() and 2 <= len(tag) <= 8 else None


def has_full_text(record: Record) -> bool:
    """The record has a readable document: a linked document whose text was read (or the
    record is that document)."""
    return any(a.text.strip() for a in record.attachments) or (
        record.content_type == "document" and bool(record.body.strip())
    )


def page_count(record: Record) -> int | None:
    """A publication's length in pages, when the page gives it."""
    match = re.search(r"\d+", str(record.details.get("length_pages") or ""))
    return int(match.group()) if match else None


def record_dates(record: Record, added: str | None) -> dict[str, str]:
    """The dates a hit shows beside ``published`` (ISO): added, closing, event."""
    span = event_span(record)
    dates = {
        "added": (added or "")[:10],
        "closing": closing_date(record) or "",
        "event": "/".join(dict.fromkeys(span)) if span else "",
    }
    return {name: value for name, value in dates.items() if value}


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


def record_document(record: Record, *, added: str | None = None) -> dict[str, Any]:
    """The Whoosh document of a record; ``added`` is when it was first seen (ISO)."""
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
    doc.update(library_fields(record))
    doc.update(date_fields(record, added))
    return {k: v for k, v in doc.items() if v not in ("", None)}


def library_fields(record: Record) -> dict[str, Any]:
    """The NCJRS library's fields: journal, series, volume, issue, pages, language, full text."""
    details = record.details
    return {
        "journal": str(details.get("journal") or ""),
        "series": str(details.get("series") or ""),
        "volume": str(details.get("volume") or "").strip().lower() or None,
        "issue": str(details.get("issue") or "").strip().lower() or None,
        "pages": page_count(record),
        "language": language_tag(record.language),
        "fulltext": FULL_TEXT if has_full_text(record) else None,
    }


def date_fields(record: Record, added: str | None) -> dict[str, Any]:
    """``added``, ``closing`` and the event's days as ``YYYYMMDD`` numbers, and the ISO dates a
    hit shows (``dates_iso``). Every document has a value in the sort columns (``NO_DATE``
    when it has no such date): Whoosh writes a column only for a segment where some document
    has it, and sorting a segment without the column fails."""
    fields: dict[str, Any] = {"added": date_number(added), "closing_sort": NO_DATE}
    fields["event_sort"] = NO_DATE
    closing = closing_date(record)
    if record.content_type == "funding" and closing:
        fields["closing"] = fields["closing_sort"] = date_number(closing)
    span = event_span(record)
    if span:
        fields["event_start"], fields["event_end"] = date_number(span[0]), last_day_number(span[1])
        fields["event_sort"] = fields["event_start"]
    dates = record_dates(record, added)
    fields["dates_iso"] = dates or None
    return fields
