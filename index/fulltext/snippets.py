"""Snippets: the best fragments of a hit's text around the query's words.

Snippets are computed only for the hits of the page shown, from the store's text; matched words
are wrapped in ``[[`` and ``]]`` (each face turns them into its own marks: colour in a terminal,
``<mark>`` in a page). A hit that matched only inside a linked document says which:
``In "Full report": ... [[phrase]] ...``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import highlight

from index.datadir import DataDir
from index.filters import DOCUMENT_TYPE
from index.fulltext.analysis import text_analyzer
from index.fulltext.snapshot import is_kept, store_reader
from index.records import Record
from index.store_file import read_index_entries

log = logging.getLogger(__name__)

SNIPPET_CHARS = 220
SNIPPET_SPAN = 600  # characters of a long text the highlighter looks at, from the first match
MARK_START, MARK_END = "[[", "]]"


class BracketFormatter(highlight.Formatter):
    """Plain text with each matched word wrapped in ``[[ ]]``."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"{MARK_START}{highlight.get_text(text, token, replace)}{MARK_END}"


def make_snippet(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` around the query's words, or its opening."""
    text = " ".join(text[:100_000].split())
    marked = marked_fragments(text, terms)
    if marked:
        return marked
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def passage(text: str, terms: frozenset[str]) -> str:
    """The part of a long ``text`` where the query's words first occur (``SNIPPET_SPAN``
    characters), found with one regular expression; "" when none can occur. The highlighter
    analyses every word it is given, so it gets this passage, not the whole text."""
    if len(text) <= SNIPPET_SPAN:
        return text
    # A stem without its last two letters prefixes every word it stems from ("studi": "study").
    stems = sorted({re.escape(term[: max(3, len(term) - 2)]) for term in terms}, key=len)
    found = re.search(r"(?i)\b(?:" + "|".join(stems) + ")", text)
    if found is None:
        return ""
    start = text.rfind(" ", 0, max(0, found.start() - 100)) + 1
    return text[start : start + SNIPPET_SPAN]


def marked_fragments(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` with the query's words marked ("" when none occurs)."""
    if not terms or not text:
        return ""
    text = passage(text, terms)
    if not text:
        return ""
    return str(
        highlight.highlight(
            text,
            terms,
            text_analyzer(),
            highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60),
            BracketFormatter(),
            top=2,
        )
        or ""
    )


@dataclass(frozen=True)
class SnippetSource:
    """A record's text for snippets: its own, and each linked document's (title, text)."""

    own: str
    documents: tuple[tuple[str, str], ...] = ()


def hit_snippet(source: SnippetSource, terms: frozenset[str], *, documents_first: bool) -> str:
    """The snippet of one hit: from the page's own text when the query's words are there, else
    from the first linked document that has them, named (``In "Title": ...``). With
    ``documents_first`` (``--type document``), documents are tried before the page."""
    own = " ".join(source.own[:100_000].split())
    if not documents_first and (marked := marked_fragments(own, terms)):
        return marked
    for title, text in source.documents:
        marked = marked_fragments(" ".join(text[:100_000].split()), terms)
        if marked:
            return f'In "{title}": {marked}' if title else marked
    return make_snippet(own, terms)


def read_records(data_dir: DataDir, ids: Sequence[str]) -> dict[str, Record]:
    """The records of the hits shown, read from the store in one query: straight from the
    SQLite file in a process that searches once (``index.store_file``), else through the
    store (a kept reader in ``serve``)."""
    if not ids:
        return {}
    if not is_kept(data_dir):  # one search in a new process: no SQLAlchemy to import
        entries = read_index_entries(data_dir, ids)
        if entries is not None:
            return {record.id: record for record, _ in entries}
    with store_reader(data_dir) as store:
        return {r.id: r for r in store.get_many(list(ids))}


def snippet_source(record: Record) -> SnippetSource:
    """A record's snippet text. A record of kind document is its document: its text counts as
    its own."""
    documents = tuple((a.title or a.url, a.text) for a in record.attachments if a.text)
    if record.content_type == DOCUMENT_TYPE:
        own = "\n".join([record.summary, record.body, *(text for _, text in documents)])
        return SnippetSource(own)
    return SnippetSource("\n".join([record.summary, record.body]), documents)


def snippet_sources(data_dir: DataDir, ids: Sequence[str]) -> dict[str, SnippetSource]:
    """The snippet text of the records shown, read from the store."""
    return {rid: snippet_source(r) for rid, r in read_records(data_dir, ids).items()}


def snippet_texts(data_dir: DataDir, ids: Sequence[str]) -> dict[str, str]:
    """Summary, body and attachment text of the records shown, read from the store."""
    return {
        rid: "\n".join([r.summary, r.body, *(a.text for a in r.attachments)])
        for rid, r in read_records(data_dir, ids).items()
    }
