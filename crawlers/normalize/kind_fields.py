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
        "sponsor",
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
    parent: str = ""  # a subpage's feature or program ("Elder Abuse")


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
        "archive": _dated_post,
        "program": _program,
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
    if not values["published"] and kind != "publication":
        # "Date Created" is the only date many landing, event and funding pages print; event
        # dates and deadlines keep to their own fields.
        values["published"] = values["updated"]
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
    body = _join([*abstract, *rest, citation_line(citation)])
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


_CITATION_LABEL = re.compile(r"\b(Volume|Issue|Dated|Pages)\s*:\s*", re.I)
_CITATION_LEAD = re.compile(
    r"^(?:NCJ\s*Number\s*:?|(?:Journal|Citation|Source)\s*:)\s*(?=\S)", re.I
)
_CITATION_KEYS = {"volume": "volume", "issue": "issue", "dated": "dated", "pages": "journal_pages"}


def parse_citation(text: str, *, labelled: bool = False) -> dict[str, str] | None:
    """A journal citation ("Journal of Federal Law and Practice Volume: 66 Issue: 7 Dated:
    December 2018 Pages: 3-30") as journal, volume, issue, dated and journal_pages; None when
    the text is not one (an unlabelled line needs a journal name and two citation labels)."""
    text = _CITATION_LEAD.sub("", " ".join(text.split()))
    parts = _CITATION_LABEL.split(text)
    journal = parts[0].strip(" ,.;")
    found = {
        _CITATION_KEYS[label.lower()]: value.strip(" ,;")
        for label, value in zip(parts[1::2], parts[2::2], strict=False)
    }
    if not journal or len(journal) > 200 or (not labelled and len(found) < 2):
        return None
    cited = {"journal": journal, **{key: "" for key in _CITATION_KEYS.values()}, **found}
    cited["volume"] = cited["volume"].split(" ")[0]
    cited["issue"] = cited["issue"].split(" ")[0]
    pages = re.sub(r"\s*(?:to|–|—|-)\s*", "-", cited["journal_pages"]).rstrip(".")
    cited["journal_pages"] = pages.split(" ")[0]
    if cited["dated"]:
        cited["dated"] = find_date(cited["dated"]) or cited["dated"].rstrip(".")
    return cited


def citation_line(cited: dict[str, str]) -> str:
    """The citation as the record's last paragraph ("Cited from: Journal of Federal Law and
    Practice, Volume 66, Issue 7, 2018-12, pages 3-30"), so that the journal's name is searched
    like the rest of the page's text; "" without a journal."""
    if not cited.get("journal"):
        return ""
    parts = [cited["journal"]]
    for key, label in (("volume", "Volume "), ("issue", "Issue "), ("dated", "")):
        if cited.get(key):
            parts.append(label + cited[key])
    if cited.get("journal_pages"):
        parts.append("pages " + cited["journal_pages"])
    return "Cited from: " + ", ".join(parts)


def _take_citation(rest: list[str], fields: Fields) -> dict[str, str]:
    """The journal citation: separate fields, or one citation line (in the Journal field, or a
    line of the page, which is removed from ``rest``)."""
    cited = {
        "journal": first_text(fields, "journal"),
        "volume": first_text(fields, "volume"),
        "issue": first_text(fields, "issue"),
        "dated": first_text(fields, "dated"),
        "journal_pages": first_text(fields, "journal_pages"),
    }
    parsed = parse_citation(cited["journal"], labelled=True) if cited["journal"] else None
    if parsed is None and not cited["journal"]:
        for i, line in enumerate(rest):
            parsed = parse_citation(line) if len(line) < 300 else None
            if parsed is not None:
                del rest[i]
                break
    if parsed is not None:
        for key, value in parsed.items():
            cited[key] = value if key == "journal" else (cited[key] or value)
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
    """A special feature page: "<feature>: <subpage>" ("Elder Abuse: Overview"), or the feature's
    name alone on its landing page; both parts are kept apart in ``details`` too."""
    feature = x.parent or x.title
    details = {"feature": feature, "subpage": x.subheading}
    return {"title": subpage_title(feature, x.subheading), "details": details}


def _program(x: Extraction) -> dict[str, Any]:
    """A program's subpage: "<program>: <subpage>" ("Vicarious Trauma Toolkit: About the
    Toolkit"); a program's own page keeps its heading."""
    if not x.parent:
        return {}
    details = {"program": x.parent, "subpage": x.subheading}
    return {"title": subpage_title(x.parent, x.subheading), "details": details}


def subpage_title(parent: str, subpage: str) -> str:
    """ "Elder Abuse" + "Overview" → "Elder Abuse: Overview"; the parent alone without a subpage
    (or when the subpage heading already names it)."""
    if not subpage or subpage.lower() == parent.lower():
        return parent
    if subpage.lower().startswith(parent.lower()):
        return subpage
    return f"{parent}: {subpage}"


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


_BYLINE = re.compile(r"^By:?\s+(?P<names>.{3,200})$")
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][a-z]*\.|[A-Z][A-Za-z’'\-]+|(?:de|del|da|di|van|von|la|le|al|bin|st\.)|"
    r"(?:Jr|Sr|II|III|IV)\.?)$"
)
_NAME_SEPARATOR = re.compile(r"\s*(?:;|,?\s+and\s+|\s+&\s+)\s*")
_TITLE_AFTER_NAME = re.compile(r",\s+(?!(?:Jr|Sr)\.?\b).*$")


def person_name(text: str) -> str | None:
    """``text`` when it reads as a person's name ("Alan R. Hanson", "Mary Lou Leary", "Juan de
    la Cruz"), else None: prose ("focusing on reentry") and roles ("the Director") are not."""
    tokens = text.strip().rstrip(".").split()
    if not 2 <= len(tokens) <= 6 or any(c.isdigit() for c in text):
        return None
    if not tokens[0][:1].isupper() or not tokens[-1][:1].isupper():
        return None
    if tokens[0].lower() in ("the", "this", "our", "a", "an"):
        return None
    if all(_NAME_TOKEN.match(token.rstrip(",")) for token in tokens):
        return " ".join(tokens)
    return None


def byline_names(text: str) -> list[str]:
    """The names a byline gives ("By Alan R. Hanson, Acting Assistant Attorney General" →
    ["Alan R. Hanson"]; "By Jane Doe and John Roe" → both), or [] when it is prose."""
    text = re.sub(r"^.*?\b(?=By:?\s)", "", text.strip()) if " By " in text else text.strip()
    match = _BYLINE.match(text.split(" | ")[0].strip())
    if match is None:
        return []
    names = []
    for part in _NAME_SEPARATOR.split(_TITLE_AFTER_NAME.sub("", match["names"])):
        name = person_name(part)
        if name is None:
            return []
        names.append(name)
    return names


#: A press release's dateline: "WASHINGTON, Oct. 1, 2010 —", "WASHINGTON (January 11, 2017) –".
_DATELINE = re.compile(r"^(?P<dateline>[A-Z]{3}[A-Z.'\- ]{0,37}[,(][^–—]{4,50}?)\s*[-–—]{1,2}\s")


def dateline_date(paragraph: str) -> str | None:
    """The date in a press release's dateline, else None."""
    match = _DATELINE.match(paragraph)
    return find_date(match["dateline"]) if match else None


def _dated_post(x: Extraction) -> dict[str, Any]:
    """News releases, blog posts, announcements: the date label (or byline), else a date line
    near the top, else a release's dateline; a "By <name>, <title>" byline gives the authors."""
    rest = list(x.lines)
    authors: tuple[str, ...] = tuple(
        name for value in x.fields.get("authors", []) for name in value.items
    )
    for i, line in enumerate(rest[:3]):
        names = byline_names(line) if line.startswith("By") and len(line) < 200 else []
        if names:
            authors = authors or tuple(names)
            del rest[i]
            break
    published = _date_of(x.fields, "published")
    if published is None:
        for i, line in enumerate(rest[:4]):
            published = parse_date(line)
            if published:
                del rest[i]
                break
    if published is None:
        published = next((d for d in map(dateline_date, rest[:2]) if d), None)
    return {"published": published, "body": _join(rest), "authors": authors}


def _plain(x: Extraction) -> dict[str, Any]:
    return {}
