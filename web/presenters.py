"""How things look on a page (not what they mean): snippet parts, safe links, labels, sizes.

Templates call these as filters; none of them holds a search rule.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from index.fulltext.snippets import MARK_END, MARK_START
from web.shapes import plain_text, strip_control

FACET_LABELS = {
    "agency": "Agency",
    "type": "Kind",
    "year": "Year",
    "language": "Language",
    "added_since": "Added since",
    "closing_before": "Closing by",
    "event_from": "Events from",
    "event_until": "Events until",
    "open": "Open funding",
    "upcoming": "Upcoming events",
    "full_text": "Full text available",
}


def snippet_parts(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, matched) parts: the library marks matches with ``[[ ]]``. The
    template escapes each part and wraps the matched ones in ``<mark>``."""
    parts = strip_control(snippet).replace(MARK_END, MARK_START).split(MARK_START)
    return [(part, n % 2 == 1) for n, part in enumerate(parts) if part]


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) URL that may be a link; None for anything else
    (``javascript:``, ``data:``, relative or broken URLs)."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 0x21 or 0x7F <= ord(c) < 0xA0 for c in text):
        return None
    return text


def human_size(size: Any) -> str:
    if size in (None, ""):
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return ""


def when(text: Any) -> str:
    """An ISO timestamp as "2026-01-01 12:00 UTC"."""
    if not text:
        return ""
    value = str(text)
    if "T" not in value:
        return value
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def duration(seconds: Any) -> str:
    if seconds is None:
        return "-"
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


FILTERS = {
    "snippet_parts": snippet_parts,
    "safe_url": safe_url,
    "human_size": human_size,
    "when": when,
    "duration": duration,
    "clean": strip_control,
    "clean_text": plain_text,
}
