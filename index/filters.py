"""The filters every face offers, checked in one place with one wording per mistake.

Search, export, changes and the web service all take the same filters: agencies, kinds
(content types), a published range and a changed-since date. Dates are ``YYYY``, ``YYYY-MM`` or
``YYYY-MM-DD``; a date stands for the whole period its precision gives (``2019-06`` is June
2019), so ``--since 2019-06`` starts on June 1st and ``--until 2019-06`` ends on June 30th.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index.errors import UsageError
from index.records import AGENCIES, CONTENT_TYPES

DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DATE_FORMS = "use YYYY, YYYY-MM or YYYY-MM-DD"
DOCUMENT_TYPE = "document"  # as a kind filter in a search: a match in a linked document's text


class DateError(UsageError, ValueError):
    """A date that is not YYYY, YYYY-MM or YYYY-MM-DD, or not a real day."""


def date_bounds(text: str, where: str = "the date") -> tuple[str, str]:
    """The first and last day a YYYY, YYYY-MM or YYYY-MM-DD date covers, as ISO dates.

    ``where`` names what the date was given for (``--since``, ``published``) in the message.
    """
    match = DATE_PATTERN.match(text.strip())
    if not match:
        raise _bad_date(text, where, DATE_FORMS)
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    if not 1 <= month <= 12:
        raise _bad_date(text, where, f"month {month} is not 01-12")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    if not 1 <= day <= last:
        raise _bad_date(text, where, f"{year:04d}-{month:02d} has no day {day}")
    first = f"{year:04d}-{month:02d}-{day:02d}"
    return first, first


def _bad_date(text: str, where: str, reason: str) -> DateError:
    return DateError(f"bad date {text.strip()!r} in {where}: {reason}.")


def date_number(iso: str) -> int:
    """``2019-06-30`` → ``20190630``: how the index stores a day."""
    return int(iso.replace("-", ""))


def check_names(
    values: Iterable[str], known: Sequence[str], what: str, plural: str, *, upper: bool
) -> tuple[str, ...]:
    """``values`` in their canonical case, or a UsageError naming the first unknown one with the
    closest known name and the whole list."""
    out = []
    for value in values:
        name = value.strip().upper() if upper else value.strip().lower()
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise UsageError(
                f"unknown {what} {value.strip()!r}.{hint} {plural}: {', '.join(known)}."
            )
        out.append(name)
    return tuple(dict.fromkeys(out))


def check_agencies(values: Iterable[str]) -> tuple[str, ...]:
    return check_names(values, AGENCIES, "agency", "Agencies", upper=True)


def check_types(values: Iterable[str]) -> tuple[str, ...]:
    """Kinds of record (in a search, ``document`` also means "matched in a document")."""
    return check_names(values, CONTENT_TYPES, "type", "Types", upper=False)


@dataclass(frozen=True)
class Filters:
    """Checked filters: agencies upper case, kinds lower case, dates valid. Build with
    ``Filters.checked``; every condition must hold."""

    agencies: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: str | None = None  # published on or after (YYYY[-MM[-DD]])
    until: str | None = None  # published on or before
    changed_since: str | None = None  # added, changed or removed on or after

    @classmethod
    def checked(
        cls,
        *,
        agencies: Iterable[str] = (),
        types: Iterable[str] = (),
        since: str | None = None,
        until: str | None = None,
        changed_since: str | None = None,
    ) -> Filters:
        """The filters, or a UsageError with one sentence for the first mistake."""
        for value, where in (
            (since, "--since"),
            (until, "--until"),
            (changed_since, "--changed-since"),
        ):
            if value is not None:
                date_bounds(value, where)
        return cls(
            agencies=check_agencies(agencies),
            types=check_types(types),
            since=since.strip() if since else None,
            until=until.strip() if until else None,
            changed_since=changed_since.strip() if changed_since else None,
        )

    @property
    def published_range(self) -> tuple[str | None, str | None]:
        """(first day, last day) of the published range, ISO; None where open."""
        low = date_bounds(self.since, "--since")[0] if self.since else None
        high = date_bounds(self.until, "--until")[1] if self.until else None
        return low, high

    @property
    def changed_from(self) -> str | None:
        return date_bounds(self.changed_since, "--changed-since")[0] if self.changed_since else None
