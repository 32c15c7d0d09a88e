"""The Record fields each kind of page yields, from what its main content gave (an Extraction):
publications (NCJ number, citation, authors...), articles, features, funding, events, posts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crawlers.normalize.boilerplate import scrub_banner
from crawlers.normalize.dates import find_date, parse_date, parse_date_range, reconcile_dates
from crawlers.normalize.document import PageHead
from crawlers.normalize.fields import Fields, first_text
from crawlers.normalize.text import repair_text
from index.records import Attachment, Link

COMMON_KEYS = frozenset({"published", "created", "topics", "agencies"})
#: The labelled fields each kind of page can carry.
KIND_KEYS: dict[str, frozenset[str]] = {
    "publication": COMMON_KEYS
    | {
        "ncj",
        "length",
        "series",
        "annotation",
        "abstract",
        "authors",
        "journal",
        "volume",
        "issue",
        "dated",
        "journal_pages",
        "downloads",
    },
    "article": COMMON_KEYS | {"dek", "authors"},
    "funding": COMMON_KEYS
    | {
        "opportunity_id",
        "posting_date",
        "closing_date",
        "grants_gov_deadline",
        "justgrants_deadline",
        "eligibility",
        "downloads",
        "dek",
    },
    "event": COMMON_KEYS | {"event_dates", "location", "address", "dek"},
}
_NCJ_IN_TEXT = re.compile(r"\bNCJ(?:\s*Number)?\s*[:#]?\s*(\d{5,7})\b")
_OPPORTUNITY = re.compile(r"\bO-([A-Z]{2,6})-(\d{4})-(\d{3,8})\b", re.I)
_CITATION = re.compile(
    r"^(?P<journal>.+?)\s+(?=(?:Volume|Issue|Dated|Pages):)"
    r"(?:Volume:\s*(?P<volume>\S+)\s*)?(?:Issue:\s*(?P<issue>\S+)\s*)?"
    r"(?:Dated:\s*(?P<dated>.+?)\s*)?(?:Pages:\s*(?P<pages>\S+)\s*)?$"
)
_AUTHORS_LINE = re.compile(r"^[^.;]{2,80}(?:\.[^.;]{1,80})*(?:;\s*[^;]{2,80})*\s\.$")
_NCJRS_SOURCE = re.compile(
    r"/ncjrs/virtual-library/|/app/publications/abstract\.aspx|^https?://(?:www\.)?ncjrs\.gov/",
    re.I,
)
_LENGTH_LINE = re.compile(r"^(\d[\d,]*)\s*pages?$", re.I)


@dataclass
class Extraction:
    """What the main content yielded, before it is shaped into a Record."""

    url: str
    title: str
    lines: list[str]
    preamble: int
    fields: Fields
    related: list[Link] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    subheading: str = ""


def build_record(x: Extraction, kind: str, head: PageHead) -> dict[str, Any]:
    """The kind-specific Record fields."""
    builders = {
        "publication": _publication,
        "article": _article,
        "feature": _feature,
        "funding": _funding,
        "event": _event,
        "news": _dated_post,
        "blog": _dated_post,
        "announcement": _dated_post,
    }
    values = builders.get(kind, _plain)(x)
    values.setdefault("title", x.title)
    values.setdefault("body", _join(x.lines))
    if not values.get("summary") and kind != "publication":
        values["summary"] = repair_text(head.description)
    for key in ("summary", "body"):  # banner text that broken markup glued into the content
        values[key] = scrub_banner(values.get(key, ""))
    values.setdefault("published", _date_of(x.fields, "published"))
    values.setdefault("updated", _date_of(x.fields, "created"))
    values["topics"] = tuple(x.topics)
    values["related"] = tuple(x.related)
    values["attachments"] = tuple(x.attachments)
    details = {k: v for k, v in dict(values.get("details", {})).items() if v}
    agencies = "; ".join(item for value in x.fields.get("agencies", []) for item in value.items)
    if agencies:
        details["agencies"] = agencies
    values["details"] = details
    return values


def _join(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p)


def _date_of(fields: Fields, key: str) -> str | None:
    """The most precise agreeing reading of a date field (header "June 2019" + footer
    "June 1, 2019" → "2019-06-01")."""
    result: str | None = None
    for value in fields.get(key, []):
        result = reconcile_dates(result, find_date(value.text))
    return result


def _publication(x: Extraction) -> dict[str, Any]:
    fields, rest = x.fields, list(x.lines)
    details: dict[str, str] = {}
    citation = _take_citation(rest, fields)
    details.update(citation)
    authors = _authors(fields, rest)
    length = re.sub(r"\D", "", first_text(fields, "length").split("page")[0])
    if not length:
        for i, line in enumerate(rest):
            match = _LENGTH_LINE.match(line)
            if match:
                length = match.group(1).replace(",", "")
                del rest[i]
                break
    details["length_pages"] = length
    details["series"] = first_text(fields, "series")
    summary = repair_text(first_text(fields, "annotation"))
    abstract = [p for value in fields.get("abstract", []) for p in value.paragraphs]
    if not summary and rest and len(rest[0]) < 500 and (abstract or len(rest) > 1):
        summary = rest.pop(0)
    body = _join(abstract + rest)
    ncj = _ncj_number(fields, rest)
    if _NCJRS_SOURCE.search(x.url):
        details["source"] = "NCJRS Virtual Library"
    return {
        "summary": summary,
        "body": body,
        "ncj_number": ncj,
        "authors": tuple(authors),
        "details": details,
    }


def _ncj_number(fields: Fields, rest: list[str]) -> str | None:
    for value in fields.get("ncj", []):
        digits = re.sub(r"\D", "", value.text)
        if digits:
            return digits
    for line in rest:
        match = _NCJ_IN_TEXT.search(line)
        if match:
            return match.group(1)
    return None


def _take_citation(rest: list[str], fields: Fields) -> dict[str, str]:
    """The journal citation: separate fields, or one "Journal Volume: 66 Issue: 7 Dated:
    December 2018 Pages: 3-30" line (in the Journal field, or a line removed from ``rest``)."""
    cited = {
        "journal": first_text(fields, "journal"),
        "volume": first_text(fields, "volume"),
        "issue": first_text(fields, "issue"),
        "dated": first_text(fields, "dated"),
        "journal_pages": first_text(fields, "journal_pages"),
    }
    match = _CITATION.match(cited["journal"]) if cited["journal"] else None
    if match is None and not cited["journal"]:
        for i, line in enumerate(rest[:8]):
            match = _CITATION.match(line) if len(line) < 300 else None
            if match:
                del rest[i]
                break
    if match is not None:
        cited["journal"] = match["journal"].strip()
        for key, group in (("volume", "volume"), ("issue", "issue"), ("dated", "dated")):
            cited[key] = cited[key] or (match[group] or "").strip()
        cited["journal_pages"] = cited["journal_pages"] or (match["pages"] or "").strip()
    if cited["dated"]:
        cited["dated"] = find_date(cited["dated"]) or cited["dated"]
    cited["journal_pages"] = cited["journal_pages"].rstrip(".")
    return cited


def _authors(fields: Fields, rest: list[str]) -> list[str]:
    """Authors from an "Author(s)" field or an unlabelled "A; B; C ." line."""
    values = fields.get("authors", [])
    if values:
        items = values[0].items if len(values[0].items) > 1 else [values[0].text]
    else:
        items = []
        for i, line in enumerate(rest[:8]):
            if _AUTHORS_LINE.match(line):
                items = [line]
                del rest[i]
                break
    names = []
    for item in items:
        for name in re.split(r"\s*;\s*", item):
            name = re.sub(r"\s*\.$", "", name.strip()).strip(" ,")
            if name and name not in names:
                names.append(name)
    return names


def _article(x: Extraction) -> dict[str, Any]:
    rest = list(x.lines)
    summary = repair_text(first_text(x.fields, "dek"))
    if not summary and x.preamble == 1 and len(rest) > 1 and len(rest[0]) < 600:
        summary = rest.pop(0)
    return {"summary": summary, "body": _join(rest)}


def _feature(x: Extraction) -> dict[str, Any]:
    """A special feature page: the subpage heading is the title (the feature's own name when the
    page is the feature's landing page); the feature name is kept apart in ``details``."""
    details = {"feature": x.title, "subpage": x.subheading}
    return {"title": x.subheading or x.title, "details": details}


def _funding(x: Extraction) -> dict[str, Any]:
    fields = x.fields
    details = {
        key: _date_of(fields, key) or ""
        for key in ("posting_date", "closing_date", "grants_gov_deadline", "justgrants_deadline")
    }
    details["eligibility"] = _list_text(fields, "eligibility", "; ")
    opportunity = None
    for text in (first_text(fields, "opportunity_id"), x.title, *x.lines[:5]):
        match = _OPPORTUNITY.search(text or "")
        if match:
            opportunity = f"O-{match[1].upper()}-{match[2]}-{match[3]}"
            break
    return {
        "opportunity_id": opportunity,
        "summary": repair_text(first_text(fields, "dek")),
        "published": _date_of(fields, "published") or details["posting_date"] or None,
        "details": details,
    }


def _event(x: Extraction) -> dict[str, Any]:
    fields = x.fields
    dates = first_text(fields, "event_dates")
    return {
        "summary": repair_text(first_text(fields, "dek")),
        "details": {
            "event_dates": (parse_date_range(dates) or "") if dates else "",
            "location": first_text(fields, "location"),
            "address": _list_text(fields, "address", ", "),
        },
    }


def _list_text(fields: Fields, key: str, separator: str) -> str:
    """A field value whose lines (list items, address lines) are joined by ``separator``."""
    values = fields.get(key)
    if not values:
        return ""
    return separator.join(values[0].paragraphs or [values[0].text])


_BYLINE = re.compile(r"^By\s+(?P<name>[^,]{3,80})(?:,.*)?$")


def _dated_post(x: Extraction) -> dict[str, Any]:
    """News releases, blog posts, announcements: the date label, else the first date line; a
    "By <name>, <title>" byline gives the author."""
    rest = list(x.lines)
    authors: tuple[str, ...] = ()
    for i, line in enumerate(rest[:3]):
        byline = _BYLINE.match(line)
        if byline and len(line) < 160:
            authors = (byline["name"].strip(),)
            del rest[i]
            break
    published = _date_of(x.fields, "published")
    if published is None:
        for i, line in enumerate(rest[:3]):
            published = parse_date(line)
            if published:
                del rest[i]
                break
    return {"published": published, "body": _join(rest), "authors": authors}


def _plain(x: Extraction) -> dict[str, Any]:
    return {}
