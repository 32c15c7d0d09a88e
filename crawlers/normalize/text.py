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
#: "her own.??A teenager": non-breaking spaces after a sentence, lost to a wrong decoding.
_BROKEN_SPACES = re.compile(r"(?<=[.!:;\"”’)])\?{2,}(?=[\s\"“‘A-Z]|$)")


def _windows_1252_bytes() -> dict[str, int]:
    """Each character a byte 0x80-0xFF becomes when UTF-8 is read as windows-1252 (the five
    bytes that code page leaves undefined come through as the C1 control of the same number)."""
    table = {}
    for byte in range(0x80, 0x100):
        try:
            table[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:
            table[chr(byte)] = byte
    return table


_CP1252_BYTE = _windows_1252_bytes()
_CONTINUATION = "".join(re.escape(c) for c, b in _CP1252_BYTE.items() if b < 0xC0)
#: UTF-8 read as windows-1252: "â€™" for "’", "Ã©" for "é", "Â " for a non-breaking space.
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00df][{_CONTINUATION}]|[\u00e0-\u00ef][{_CONTINUATION}]{{2}}"
    f"|[\u00f0-\u00f4][{_CONTINUATION}]{{3}}"
)


#: "â€" then a replacement character: a right double quotation mark whose last byte (0x9D)
#: windows-1252 leaves undefined, so the decoder replaced it.
_LOST_QUOTE = "â€\ufffd"


def _redecode(match: re.Match[str]) -> str:
    raw = bytes(_CP1252_BYTE[c] for c in match.group())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group()


def collapse_whitespace(text: str) -> str:
    """One space for every run of whitespace (non-breaking and zero-width included)."""
    return _WHITESPACE.sub(" ", text).strip()


def repair_text(text: str) -> str:
    """Collapse whitespace and undo wrong decodings: UTF-8 read as windows-1252 ("Justiceâ€™s"
    → "Justice’s"), apostrophes lost as "?" ("Justice?s" → "Justice's"), and sentence spaces
    lost as "??"."""
    text = _MOJIBAKE.sub(_redecode, text.replace(_LOST_QUOTE, "”"))
    text = collapse_whitespace(text)
    if "?" in text:
        text = _BROKEN_APOSTROPHE.sub("'", text)
        if "??" in text:
            text = collapse_whitespace(_BROKEN_SPACES.sub(" ", text))
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
