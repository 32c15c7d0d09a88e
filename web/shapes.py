"""JSON-ready shapes of the library's results, the objects the CLI prints with ``--json``, and
the JSON answer that carries them.

A search is its hits (``Hit.to_dict``) and one summary (``SearchResults.summary``); the API
puts them in one document: ``{"hits": [...], "type": "summary", "total", "page", "pages",
"facets", "suggestion", "corrected", "parsed"}``. JSON keeps control and bidi characters as
``\\uXXXX`` escapes (``index.safe_text.json_text``), as the CLI does; pages show them as spaces.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from index.fulltext.searcher import SearchResults
from index.safe_text import json_text
from index.safe_text import one_line as strip_control
from index.safe_text import printable as plain_text

__all__ = ["JsonAnswer", "plain_text", "results_dict", "strip_control"]


def results_dict(results: SearchResults, *, page: int, limit: int) -> dict[str, Any]:
    """A search as one JSON document: the hits, then the summary's keys."""
    return {
        "hits": [hit.to_dict() for hit in results.hits],
        **results.summary(page=page, limit=limit),
    }


class JsonAnswer(JSONResponse):
    """JSON with control and bidi characters escaped."""

    def render(self, content: Any) -> bytes:
        return json_text(content, allow_nan=False).encode("utf-8")
