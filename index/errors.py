"""One home for the errors a user can hit.

Every error the library raises for a person to act on is an ``OjpError``: one sentence that says
what is wrong (never which command to run: the library does not know its face), a ``kind`` that
says what sort of failure it is, and a ``next_step`` that says what would help. A face keeps one
table from kind to its own answer (an exit code, an HTTP status) and words each next step its own
way (``Run "ojp-search rebuild"``, a link to the status page).
"""

from __future__ import annotations

import enum


class ErrorKind(enum.StrEnum):
    """What sort of failure: the faces map these, and only these, to exit codes and statuses."""

    USAGE = "usage"  # a bad query, date, option or configuration value
    MISSING = "missing"  # no store or index yet
    CORRUPT = "corrupt"  # a store or index that cannot be read
    BUSY = "busy"  # another process holds what this one needs
    NOT_FOUND = "not found"  # no such record or run
    READ_ONLY = "read-only"  # the data dir cannot be written
    TIMEOUT = "timeout"  # the operation ran out of its time
    FAILED = "failed"  # the operation ran and failed


class NextStep(enum.StrEnum):
    """What would help, independent of how a face words it."""

    NONE = "none"
    REFRESH = "refresh"  # crawl first: there is nothing yet
    REBUILD = "rebuild"  # rebuild the index from the store
    FIND_ID = "find id"  # look the record up with a search
    STATUS = "status"  # see the runs and failing URLs
    UPGRADE = "upgrade"  # a newer ojp-search wrote this
    WAIT = "wait"  # try again when the other process is done
    CHECK_PERMISSIONS = "check permissions"  # make the data dir writable
    FORCE = "force"  # the operation was refused to protect data: repeat it forced if meant


class OjpError(Exception):
    """A failure a person can act on: ``message`` (one sentence), ``kind``, ``next_step``."""

    kind: ErrorKind = ErrorKind.FAILED
    next_step: NextStep = NextStep.NONE

    def __init__(
        self,
        message: str,
        *,
        kind: ErrorKind | None = None,
        next_step: NextStep | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if kind is not None:
            self.kind = kind
        if next_step is not None:
            self.next_step = next_step


class UsageError(OjpError):
    """A query, date, filter or option that cannot be understood."""

    kind = ErrorKind.USAGE
