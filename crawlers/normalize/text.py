"""Clean text out of HTML: block-level paragraphs, collapsed whitespace, repaired apostrophes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import NavigableString, Tag

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "button",
        "input",
        "select",
        "textarea",
        "object",
        "embed",
        "head",
        "title",
        "meta",
        "link",
        "canvas",
        "video",
        "audio",
        "map",
    ]
)

_WHITESPACE = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")
#: "Justice?s", "don?t": a "?" standing for an apostrophe lost to a wrong decoding.
_BROKEN_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\?(?=[st](?:[\s.,;:!)]|$))")


def collapse_whitespace(text: str) -> str:
    """One space for every run of whitespace (non-breaking and zero-width included)."""
    return _WHITESPACE.sub(" ", text).strip()


def repair_text(text: str) -> str:
    """Collapse whitespace; restore apostrophes mis-decoded as "?" ("Justice?s" → "Justice's")."""
    text = collapse_whitespace(text)
    if "?" in text:
        text = _BROKEN_APOSTROPHE.sub("'", text)
    return text


def iter_blocks(root: Tag) -> Iterator[str]:
    """The text of ``root`` split into block-level paragraphs, each cleaned, empties dropped.

    Walks the tree with an explicit stack, so deeply nested (or broken) markup cannot exhaust
    the recursion limit.
    """
    buffer: list[str] = []
    stack: list[tuple[Iterator[object], bool]] = [(iter(root.children), False)]
    while stack:
        children, is_block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if is_block and buffer:
                yield from _flush(buffer)
            continue
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in SKIP_TAGS:
            continue
        block = child.name in BLOCK_TAGS
        if block and buffer:
            yield from _flush(buffer)
        stack.append((iter(child.children), block))
    if buffer:
        yield from _flush(buffer)


def _flush(buffer: list[str]) -> Iterator[str]:
    text = repair_text("".join(buffer))
    buffer.clear()
    if text:
        yield text


def element_text(element: Tag) -> str:
    """All the text of ``element`` on one line."""
    return " ".join(iter_blocks(element))
