"""Library errors as HTTP answers: one table from an error's kind to a status and a title.

The library's errors carry a ``kind`` (``index.errors.ErrorKind``); errors from before that
existed are told apart by class. A face words its own next step: a page links to the status
page rather than naming a command.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.errors import ErrorKind, OjpError

#: kind -> (HTTP status, page title)
STATUSES = {
    "usage": (400, "That search cannot be run"),
    "missing": (503, "No data yet"),
    "not found": (404, "Not found"),
    "busy": (503, "Busy"),
    "corrupt": (503, "The search index needs a rebuild"),
    "timeout": (503, "That search took too long"),
    "read-only": (500, "Something went wrong"),
    "failed": (500, "Something went wrong"),
}

#: Errors raised before ``OjpError.kind`` existed, by class name.
KINDS_BY_CLASS = {
    "IndexMissingError": "missing",
    "IndexCorruptError": "corrupt",
    "IndexBusyError": "busy",
    "RecordNotFoundError": "not found",
    "QueryError": "usage",
    "DateError": "usage",
    "SearchError": "usage",
    "ScheduleError": "usage",
    "StoreError": "failed",
}

HELP = {
    "missing": (
        "This service has no records to search yet. They appear after the first refresh has "
        "run (ojp-search refresh, or serve --cron)."
    ),
    "corrupt": "The index can be rebuilt from the store with ojp-search rebuild.",
    "busy": "Try again in a moment.",
    "timeout": "Try fewer words, fewer wildcards, or a filter (agency, type, dates).",
}


class WebError(OjpError):
    """A failure found by the web face itself (a bad parameter, a time limit, a port in use)."""

    def __init__(self, message: str, kind: str = "usage") -> None:
        super().__init__(message, kind=ErrorKind(kind))


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    title: str
    message: str
    help: str
    kind: str

    def to_dict(self) -> dict[str, str | int]:
        return {"error": self.message, "kind": self.kind, "status": self.status}


def error_kind(exc: BaseException) -> str:
    """The kind of a library or web error ("failed" when unknown)."""
    kind = getattr(exc, "kind", None)
    if kind is not None:
        return str(kind)
    for cls in type(exc).__mro__:
        if cls.__name__ in KINDS_BY_CLASS:
            return KINDS_BY_CLASS[cls.__name__]
    return "failed"


def error_answer(exc: BaseException) -> ErrorAnswer:
    """The HTTP status, title, one-line message and help for an error."""
    kind = error_kind(exc)
    status, title = STATUSES.get(kind, STATUSES["failed"])
    message = str(getattr(exc, "message", exc)) if kind != "failed" else "an internal error."
    if kind == "missing":
        message = "there is no data to search yet."
    return ErrorAnswer(status, title, message, HELP.get(kind, ""), kind)
