"""Labelled values ("NCJ Number" → "252984"): from Drupal field markup first, then from the
label/value patterns left in the text ("Label" line then value line, "Label: value",
``<strong>Label</strong> value``), because live markup may differ from what we expect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bs4 import Tag

from crawlers.normalize.dates import find_date, parse_date_range
from crawlers.normalize.kinds import agency_from_name
from crawlers.normalize.text import collapse_whitespace, element_text, iter_blocks

#: Label (lower case, no trailing colon) → field key.
LABEL_KEYS = {
    "ncj number": "ncj",
    "ncj no.": "ncj",
    "ncj #": "ncj",
    "ncj": "ncj",
    "date published": "published",
    "publication date": "published",
    "published": "published",
    "date created": "created",
    "length": "length",
    "publication series": "series",
    "series": "series",
    "annotation": "annotation",
    "abstract": "abstract",
    "agencies": "agencies",
    "agency": "agencies",
    "sponsoring agency": "sponsor",
    "sponsoring agencies": "sponsor",
    "sponsoring agency(s)": "sponsor",
    "sponsor": "sponsor",
    "publisher": "sponsor",
    "publisher(s)": "sponsor",
    "publishers": "sponsor",
    "author(s)": "authors",
    "authors": "authors",
    "author": "authors",
    "journal": "journal",
    "volume": "volume",
    "issue": "issue",
    "dated": "dated",
    "pages": "journal_pages",
    "opportunity id": "opportunity_id",
    "funding opportunity number": "opportunity_id",
    "grants.gov opportunity number": "opportunity_id",
    "solicitation number": "opportunity_id",
    "posting date": "posting_date",
    "posted date": "posting_date",
    "solicitation release date": "posting_date",
    "release date": "posting_date",
    "closing date": "closing_date",
    "grants.gov deadline": "grants_gov_deadline",
    "application grants.gov deadline": "grants_gov_deadline",
    "application justgrants deadline": "justgrants_deadline",
    "justgrants deadline": "justgrants_deadline",
    "eligibility": "eligibility",
    "eligible applicants": "eligibility",
    "event dates": "event_dates",
    "event date": "event_dates",
    "date(s)": "event_dates",
    "location": "location",
    "address": "address",
    "topics": "topics",
    "topic": "topics",
    "related topics": "topics",
    "downloads": "downloads",
    "download": "downloads",
}

#: Drupal machine names (``field--name-field-ncj-number``) → key, for fields without a label.
MACHINE_KEYS = {
    "field-ncj-number": "ncj",
    "field-ncj": "ncj",
    "field-date-published": "published",
    "field-publication-date": "published",
    "field-date-created": "created",
    "field-length": "length",
    "field-number-of-pages": "length",
    "field-publication-series": "series",
    "field-series": "series",
    "field-annotation": "annotation",
    "field-abstract": "abstract",
    "field-agencies": "agencies",
    "field-agency": "agencies",
    "field-sponsoring-agency": "sponsor",
    "field-sponsoring-agencies": "sponsor",
    "field-publisher": "sponsor",
    "field-authors": "authors",
    "field-author": "authors",
    "field-journal": "journal",
    "field-volume": "volume",
    "field-issue": "issue",
    "field-dated": "dated",
    "field-pages": "journal_pages",
    "field-dek": "dek",
    "field-summary": "dek",
    "field-subtitle": "dek",
    "field-opportunity-id": "opportunity_id",
    "field-posting-date": "posting_date",
    "field-closing-date": "closing_date",
    "field-grants-gov-deadline": "grants_gov_deadline",
    "field-justgrants-deadline": "justgrants_deadline",
    "field-eligibility": "eligibility",
    "field-event-dates": "event_dates",
    "field-location": "location",
    "field-address": "address",
    "field-topics": "topics",
    "field-downloads": "downloads",
}

#: Keys whose value runs over several paragraphs (until the next label).
MULTI_PARAGRAPH_KEYS = frozenset({"abstract"})

_DATE_KEYS = frozenset(
    {
        "published",
        "created",
        "dated",
        "posting_date",
        "closing_date",
        "grants_gov_deadline",
        "justgrants_deadline",
    }
)


def _short(limit_words: int) -> Callable[[str], bool]:
    return lambda value: 0 < len(value) <= 200 and len(value.split()) <= limit_words


def _names_agencies(value: str) -> bool:
    """True when every part of a value is an agency: a known name or acronym, an upper-case
    acronym, or "X-Sponsored"."""
    parts = [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
    return bool(parts) and all(
        agency_from_name(part) or re.fullmatch(r"[A-Z]{2,8}", part) or part.endswith("Sponsored")
        for part in parts
    )


def _is_date(value: str) -> bool:
    return len(value) <= 80 and find_date(value) is not None


#: What a value must look like for a key, so that an empty value never swallows the next line.
VALIDATORS: dict[str, Callable[[str], bool]] = {
    "ncj": lambda v: bool(re.fullmatch(r"(?:NCJ\s*)?#?\s*\d{4,7}", v, re.I)),
    "length": lambda v: bool(re.fullmatch(r"\d[\d,]*\s*(?:pages?|p\.)", v, re.I)),
    "series": _short(14),
    "agencies": lambda v: _short(30)(v) and _names_agencies(v),
    "sponsor": lambda v: 0 < len(v) <= 300,
    "authors": lambda v: 0 < len(v) <= 500,
    "journal": _short(20),
    "volume": _short(3),
    "issue": _short(3),
    "journal_pages": _short(3),
    "opportunity_id": lambda v: bool(re.search(r"\bO-[A-Z]+-\d{4}-\d+\b", v, re.I)),
    "eligibility": lambda v: 0 < len(v) <= 1500,
    "event_dates": lambda v: len(v) <= 120 and parse_date_range(v) is not None,
    "location": _short(20),
    "address": _short(30),
    "topics": _short(30),
    "annotation": lambda v: len(v) > 0,
    "abstract": lambda v: len(v) > 0,
    "downloads": lambda v: False,
}
for _key in _DATE_KEYS:
    VALIDATORS[_key] = _is_date


@dataclass
class FieldValue:
    """One labelled value: its text, its paragraphs, and the links inside it."""

    text: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


#: key → the values found, in page order (a key can appear twice: header and footer dates).
Fields = dict[str, list[FieldValue]]


def label_key(text: str) -> str | None:
    """The field key of a label ("NCJ Number", "Date Published:"), else None."""
    label = collapse_whitespace(text).rstrip(":").strip().lower()
    return LABEL_KEYS.get(label) if len(label) <= 40 else None


def extract_drupal_fields(main: Tag, keys: Iterable[str]) -> Fields:
    """Read and remove the Drupal fields of ``main`` whose key is in ``keys``."""
    wanted = set(keys)
    found: Fields = {}
    for element in main.select("div[class*='field--name-'], section[class*='field--name-']"):
        if element.decomposed or _inside_taken(element, main):
            continue
        key = _drupal_key(element)
        if key is None or key not in wanted:
            continue
        value = _drupal_value(element, key)
        if value is not None:
            found.setdefault(key, []).append(value)
        element["data-taken"] = "1"
    for element in main.select("[data-taken]"):
        if not element.decomposed:
            element.decompose()
    return found


def _inside_taken(element: Tag, main: Tag) -> bool:
    for parent in element.parents:
        if parent is main:
            return False
        if parent.has_attr("data-taken"):
            return True
    return False


def _field_label(element: Tag) -> Tag | None:
    """A field's label: ``.field__label``, or a first child (a heading, a bold line) whose text
    is a known label, as blocks and older templates render it."""
    label = element.select_one(".field__label")
    if label is not None:
        return label
    first = element.find(True, recursive=False)
    if first is not None and first.name in _LABEL_TAGS and label_key(first.get_text(" ")):
        return first
    return None


_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "div", "p", "label"})


def _drupal_key(element: Tag) -> str | None:
    label = _field_label(element)
    if label is not None:
        key = label_key(label.get_text(" "))
        if key:
            return key
    for css_class in element.get("class") or []:
        if css_class.startswith("field--name-"):
            return MACHINE_KEYS.get(css_class[len("field--name-") :])
    return None


#: Keys whose value is a list: a field without item markup lists its links or list items.
LIST_KEYS = frozenset({"topics", "agencies", "authors"})


def _drupal_value(element: Tag, key: str) -> FieldValue | None:
    label = _field_label(element)
    if label is not None:
        label.extract()
    items: list[Tag] = list(element.select(".field__item"))
    if not items and key in LIST_KEYS:
        anchors = list(element.find_all("a", href=True))
        items = list(element.select("li")) or (anchors if len(anchors) > 1 else [])
    items = items or [element]
    links = [
        (collapse_whitespace(a.get_text(" ")), str(a["href"]))
        for a in element.find_all("a", href=True)
    ]
    item_texts = [text for text in (element_text(item) for item in items) if text]
    paragraphs = [p for item in items for p in iter_blocks(item)]
    return FieldValue(
        text=" ".join(item_texts), paragraphs=paragraphs, items=item_texts, links=links
    )


def extract_text_fields(lines: list[str], keys: Iterable[str]) -> tuple[Fields, list[str], int]:
    """Label/value pairs found in plain ``lines``.

    Returns the fields, the lines that were not labels or values, and how many of those
    remaining lines came before the first label (the page's preamble: a dek, a date line).
    """
    wanted = set(keys)
    found: Fields = {}
    rest: list[str] = []
    preamble = -1
    i = 0
    while i < len(lines):
        line = lines[i]
        key = label_key(line)
        if key in wanted and key is not None:
            values, i = _values_after(lines, i + 1, key, wanted)
            if values:
                found.setdefault(key, []).append(
                    FieldValue(text=" ".join(values), paragraphs=values, items=values)
                )
            preamble = len(rest) if preamble < 0 else preamble
            continue
        inline = _inline_field(line, wanted)
        if inline is not None:
            found.setdefault(inline[0], []).append(FieldValue(text=inline[1], items=[inline[1]]))
            preamble = len(rest) if preamble < 0 else preamble
        elif key is None or key not in wanted:
            rest.append(line)
        i += 1
    return found, rest, (len(rest) if preamble < 0 else preamble)


def _values_after(
    lines: list[str], start: int, key: str, wanted: set[str]
) -> tuple[list[str], int]:
    values: list[str] = []
    i = start
    while i < len(lines) and label_key(lines[i]) is None:
        if _inline_field(lines[i], wanted) is not None:
            break
        if not VALIDATORS.get(key, _short(30))(lines[i]):
            break
        values.append(lines[i])
        i += 1
        if key not in MULTI_PARAGRAPH_KEYS:
            break
    return values, i


_INLINE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z.()# ]{1,38}?)\s*:\s*(?P<value>\S.*)$")


def _inline_field(line: str, wanted: set[str]) -> tuple[str, str] | None:
    """ "Label: value" (or "Label value" when the label is a long, unambiguous one)."""
    match = _INLINE.match(line)
    if match:
        key = label_key(match["label"])
        value = match["value"].strip()
        if key in wanted and key is not None and VALIDATORS.get(key, _short(30))(value):
            return key, value
        return None
    for label in _SPACED_LABELS:
        if line.lower().startswith(label + " "):
            key = LABEL_KEYS[label]
            value = line[len(label) :].strip()
            if key in wanted and VALIDATORS.get(key, _short(30))(value):
                return key, value
    return None


#: Labels recognised without a colon ("NCJ Number 247896", from ``<strong>`` markup).
_SPACED_LABELS = (
    "ncj number",
    "date published",
    "date created",
    "publication series",
    "closing date",
    "posting date",
    "grants.gov deadline",
    "application justgrants deadline",
    "event dates",
    "opportunity id",
    "agencies",
    "length",
    "location",
    "address",
)


def first_text(fields: Fields, key: str) -> str:
    """The first value's text of ``key``, or ""."""
    values = fields.get(key)
    return values[0].text if values else ""
