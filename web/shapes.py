"""JSON-ready shapes of the library's results: the same objects the CLI prints with ``--json``.

A search is its hits (``hit_dict``) and one summary (``results_summary``); the API puts them in
one document: ``{"hits": [...], "total", "page", "facets", "suggestion", "corrected",
"parsed"}``. Text from pages reaches JSON with its control characters (C0, C1, bidi overrides)
as spaces, as in the CLI's output.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from index.fulltext.searcher import Hit, SearchResults

# Control characters (C0 but tab and newline, DEL, C1, bidi marks and overrides).
_CONTROLS = [
    *range(0x00, 0x09),
    *range(0x0B, 0x20),
    *range(0x7F, 0xA0),
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_LINE_CONTROLS = dict.fromkeys([*_CONTROLS, 0x09, 0x0A], " ")
_TEXT_CONTROLS = dict.fromkeys(_CONTROLS, " ")


def strip_control(text: str) -> str:
    """``text`` on one line, with every control character as a space."""
    return text.translate(_LINE_CONTROLS)


def plain_text(text: str) -> str:
    """``text`` with its line breaks kept and every other control character as a space."""
    return text.translate(_TEXT_CONTROLS)


def hit_dict(hit: Hit) -> dict[str, Any]:
    """One hit as ``ojp-search search --json`` prints it."""
    return {k: strip_control(v) if isinstance(v, str) else v for k, v in asdict(hit).items()}


def results_summary(results: SearchResults, *, page: int) -> dict[str, Any]:
    """The last line of ``ojp-search search --json``."""
    return {
        "total": results.total,
        "page": page,
        "facets": results.facets,
        "suggestion": results.suggestion,
        "corrected": results.corrected,
        "parsed": results.parsed,
    }


def results_dict(results: SearchResults, *, page: int) -> dict[str, Any]:
    """A search as one JSON document: its hits, then the summary's keys."""
    return {"hits": [hit_dict(hit) for hit in results.hits], **results_summary(results, page=page)}
