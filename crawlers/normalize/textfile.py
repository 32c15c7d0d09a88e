"""Legacy plain-text documents (``/txtfiles/NNNNNN.txt``, served as text/plain): NCJRS
publications. Most open with a one-line "Title: ... Series: ... Author: ... Published: ...
Subject: ... NN pages NN bytes" header; the others with a letterhead ("U.S. Department of Justice
/ Office of Justice Programs / Bureau of Justice Statistics"), then the title lines, then a date
and NCJ line. The NCJ number comes from the text, else the file name; the agency from the header's
author, the path (a bureau's folder), the letterhead or the title, else the host."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from crawlers.normalize import kinds
from crawlers.normalize.dates import find_date
from crawlers.normalize.document import lower_keys
from crawlers.normalize.text import collapse_whitespace, repair_text
from index.records import AGENCIES, Record, record_id
from index.urls import canonical_url

_HEADER_LABELS = ("Title", "Series", "Author", "Published", "Subject")
_HEADER_FIELD = re.compile(r"\b(Title|Series|Author|Published|Subject):\s*")
_SIZE = re.compile(r"\b(\d[\d,]*)\s+pages\s+[\d,]+\s+bytes\b", re.I)
_RULE = re.compile(r"-{5,}")
_NCJ = re.compile(r"\bNCJ\s*(?:Number\s*)?[:#]?\s*(\d{5,7})\b")


def decode_text(body: str | bytes, content_type: str = "") -> str:
    """The text of a plain-text body: the declared charset, else UTF-8, else windows-1252."""
    if isinstance(body, str):
        return body
    match = re.search(r"charset=[\"']?([\w.-]+)", content_type, re.I)
    for encoding in ([match.group(1)] if match else []) + ["utf-8"]:
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")


def parse_text_header(text: str) -> tuple[dict[str, str], str]:
    """The header fields of a legacy text document, and the text after the header."""
    start = text.lstrip()[:3000]
    size = _SIZE.search(start)
    if size is None or not _HEADER_FIELD.search(start[: size.start()]):
        return {}, text
    header, body = start[: size.start()], text.lstrip()[size.end() :]
    fields: dict[str, str] = {"pages": size.group(1).replace(",", "")}
    parts = _HEADER_FIELD.split(header)
    if parts[0].strip():
        fields["Title"] = parts[0].strip()
    for label, value in zip(parts[1::2], parts[2::2], strict=False):
        fields.setdefault(label, collapse_whitespace(value))
    return fields, body


def normalize_text_document(
    url: str,
    text: str | bytes,
    headers: Mapping[str, str] | None = None,
    *,
    site: str = "",
    agency: str | None = None,
    kind: str | None = None,
    fetched_at: str | None = None,
) -> Record:
    """A Record for a legacy plain-text document."""
    content = decode_text(text, lower_keys(headers).get("content-type", ""))
    fields, rest = parse_text_header(content)
    paragraphs = _paragraphs(rest)
    head = read_letterhead(rest if fields else content)
    title = repair_text(fields.get("Title", "").rstrip(".")) or head.title
    if not title:
        title = next((p for p in paragraphs if len(p) < 200), "") or _file_title(url)
    ncj_match = _NCJ.search(content[:5000])
    stem = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    ncj = ncj_match.group(1) if ncj_match else (stem if stem.isdigit() else None)
    record_url = canonical_url(url)
    published = find_date(fields.get("Published", "")) or head.date
    author = fields.get("Author", "")
    chosen, evidence = _text_agency(url, author, head, title, agency)
    details = {
        "series": fields.get("Series", "") or head.series,
        "length_pages": fields.get("pages", ""),
        "agency_evidence": evidence,
    }
    return Record(
        id=record_id(record_url),
        url=record_url,
        site=site,
        agency=chosen,
        content_type=kind if kind and kind != "document" else "publication",
        title=title,
        body="\n\n".join(paragraphs),
        topics=tuple(t for t in [fields.get("Subject", "")] if t),
        authors=tuple(a for a in [author] if a),
        published=published,
        ncj_number=ncj,
        details={k: v for k, v in details.items() if v},
        fetched_at=fetched_at or datetime.now(UTC).isoformat(timespec="seconds"),
    ).with_hash()


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, whitespace collapsed, separator rules dropped."""
    paragraphs = []
    for block in re.split(r"\n\s*\n|" + _RULE.pattern, text):
        cleaned = repair_text(block)
        if cleaned:
            paragraphs.append(cleaned)
    return paragraphs


def _file_title(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url


@dataclass(frozen=True)
class Letterhead:
    """What the first lines of a text document without a header say."""

    agencies: tuple[str, ...] = ()  # the offices the letterhead names, in order
    title: str = ""
    date: str | None = None
    series: str = ""


_LETTERHEAD_LINE = re.compile(r"^(?:U\.\s?S\.\s+)?Department of Justice$", re.I)
_HEAD_LINES = 40


def read_letterhead(text: str) -> Letterhead:
    """The letterhead's offices, the title lines after them and the first date line."""
    agencies: list[str] = []
    title_lines: list[str] = []
    date: str | None = None
    title_done = False
    for raw in text.lstrip().splitlines()[:_HEAD_LINES]:
        line = collapse_whitespace(raw)
        if not line or _RULE.fullmatch(line):
            title_done = title_done or bool(title_lines)
            continue
        named = kinds.agency_from_name(line)
        if not title_lines and (named or _LETTERHEAD_LINE.match(line)):
            if named:
                agencies.append(named)
            continue
        if len(line) <= 80 and (find_date(line) or _NCJ.search(line)):
            date = date or find_date(line)
            break
        if title_done or len(line) > 120 or line.endswith((".", ":")) or len(title_lines) == 2:
            break
        title_lines.append(line)
    series = ""
    if len(title_lines) == 2 and _SERIES_LINE.match(title_lines[0]):
        series = title_lines.pop(0)
    title = repair_text(" ".join(title_lines)) if agencies else ""
    return Letterhead(tuple(agencies), title, date if agencies else None, series)


#: A series name printed above a legacy document's title ("Juvenile Justice Bulletin").
_SERIES_LINE = re.compile(
    r"^(?:[A-Z]{2,6}\s+)?(?:Juvenile Justice\s+)?(?:Bulletin|Fact\s*Sheet|Research in Brief"
    r"|Special Report|Research Preview|Research Report|Program Focus|Selected Findings)$",
    re.I,
)


def _text_agency(
    url: str, author: str, head: Letterhead, title: str, hint: str | None
) -> tuple[str, str]:
    """The agency of a text document and the evidence: the header's author, the path (a
    bureau's folder), the letterhead's most specific office, the title, the host, the hint."""
    named = kinds.agency_from_name(author) if author else None
    if named:
        return named, f"author: {author}"
    path = kinds.path_agency(url)
    if path and path != "NCJRS":
        return path, f"path: the {path} folder"
    bureaus = [a for a in head.agencies if a not in ("OJP", "NCJRS")]
    if bureaus:
        return bureaus[-1], f"letterhead: {' / '.join(head.agencies)}"
    in_title = kinds.most_specific_agency(title)
    if in_title:
        return in_title, f"title: {title}"
    host = kinds.host_agency(url)
    hint = hint.upper() if hint and hint.upper() in AGENCIES else None
    return host or hint or (head.agencies[-1] if head.agencies else "OJP"), ""
