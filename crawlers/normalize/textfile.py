"""Legacy plain-text documents (``/txtfiles/...``): the one-line "Title: ... Series: ...
Author: ... Published: ... Subject: ... NN pages NN bytes" header, then the text."""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    title = repair_text(fields.get("Title", "").rstrip("."))
    if not title:
        title = next((p for p in paragraphs if len(p) < 200), "") or _file_title(url)
    ncj_match = _NCJ.search(content[:5000])
    stem = urlsplit(url).path.rsplit("/", 1)[-1].split(".")[0]
    ncj = ncj_match.group(1) if ncj_match else (stem if stem.isdigit() else None)
    record_url = canonical_url(url)
    published = find_date(fields.get("Published", "")) or None
    author = fields.get("Author", "")
    hint = agency.upper() if agency and agency.upper() in AGENCIES else None
    return Record(
        id=record_id(record_url),
        url=record_url,
        site=site,
        agency=kinds.agency_from_name(author) or kinds.host_agency(url) or hint or "OJP",
        content_type=kind or "document",
        title=title,
        body="\n\n".join(paragraphs),
        topics=tuple(t for t in [fields.get("Subject", "")] if t),
        authors=tuple(a for a in [author] if a),
        published=published,
        ncj_number=ncj,
        details={
            k: v
            for k, v in {
                "series": fields.get("Series", ""),
                "length_pages": fields.get("pages", ""),
            }.items()
            if v
        },
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
