"""Text from crawled pages is hostile: what every face does before showing it.

A terminal obeys control characters (C0 but tab and newline, DEL, C1) and bidi overrides, so text
printed to one has them replaced by spaces (``printable``, or ``one_line`` for a table cell).
JSON keeps them, losslessly, as ``\\uXXXX`` escapes (``json_text``): a reader gets the exact text
back, and the line is safe to print.
"""

from __future__ import annotations

import json

#: Code points that can drive a terminal or reorder what it shows.
CONTROLS = (
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    0x061C,  # Arabic letter mark
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
_TEXT = dict.fromkeys(CONTROLS, " ")
_LINE = dict.fromkeys([*CONTROLS, 0x09, 0x0A], " ")
# json.dumps escapes C0 itself; the rest become \uXXXX escapes too, which JSON reads back unchanged.
_JSON = {code: f"\\u{code:04x}" for code in CONTROLS if code >= 0x7F}


def printable(text: str) -> str:
    """Text safe to print, its line breaks and tabs kept."""
    return text.translate(_TEXT)


def one_line(text: str) -> str:
    """Text safe to print on one line (line breaks and tabs become spaces too)."""
    return text.translate(_LINE)


def json_text(data: object, **options: object) -> str:
    """``data`` as UTF-8 JSON in which every control and bidi character is an escape."""
    options.setdefault("ensure_ascii", False)
    return json.dumps(data, **options).translate(_JSON)  # type: ignore[arg-type]
