"""Size caps on a record's text: the page body, and the distinct words of the whole record.

Documents are read up to 500,000 characters (``crawlers.documents``); a page body is capped the
same way, so one huge page cannot swell the index. The distinct words of a record (title,
summary, body, then the documents it carries, in that order) are capped too: text past the
word that would exceed the cap is cut. A record says what was cut: ``details["truncated"]`` for
the body (``"body: first 500,000 of 14,046,759 characters"``), and a document's ``error``
(``"partial: distinct-word cap (25,000)"``) for its text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.records import Record

#: What counts as a word: what the index's analyzer splits text into, near enough.
WORD = re.compile(r"\w+")

TRUNCATED = "truncated"  # the details key that says what was cut


def cap_record(record: Record, *, max_chars: int, max_terms: int) -> Record:
    """``record`` with its body within ``max_chars`` and its text within ``max_terms``
    distinct words (the same record when nothing is over)."""
    notes: list[str] = []
    body = record.body
    if len(body) > max_chars:
        body = body[:max_chars].rsplit(" ", 1)[0] if " " in body[:max_chars] else body[:max_chars]
        notes.append(f"body: first {len(body):,} of {len(record.body):,} characters")
    seen: set[str] = set()
    for text in (record.title, record.summary):
        seen.update(match.group().lower() for match in WORD.finditer(text))
    body, cut = within_terms(body, seen, max_terms)
    if cut:
        notes.append(f"body: cut at {max_terms:,} distinct words")
    attachments = []
    for attachment in record.attachments:
        text, cut = within_terms(attachment.text, seen, max_terms)
        if cut:
            error = attachment.error or f"partial: distinct-word cap ({max_terms:,})"
            attachment = replace(attachment, text=text, error=error)
        attachments.append(attachment)
    if not notes and tuple(attachments) == record.attachments:
        return record
    details = dict(record.details)
    if notes:
        details[TRUNCATED] = "; ".join(notes)
    return replace(record, body=body, attachments=tuple(attachments), details=details).with_hash()


def within_terms(text: str, seen: set[str], max_terms: int) -> tuple[str, bool]:
    """``text`` up to the first word that would make ``seen`` hold more than ``max_terms``
    distinct words (``seen`` gains the words kept), and whether it was cut."""
    for match in WORD.finditer(text):
        term = match.group().lower()
        if term not in seen:
            if len(seen) >= max_terms:
                return text[: match.start()].rstrip(), True
            seen.add(term)
    return text, False
