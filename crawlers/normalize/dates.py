"""Dates as the pages print them, turned into ISO strings that keep their precision.

``"1998"`` stays a year, ``"June 2019"`` and ``"June, 2011"`` become months (``"2019-06"``,
``"2011-06"``), ``"June 1, 2019"`` becomes a day (``"2019-06-01"``).
"""

from __future__ import annotations

import re

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_PATTERNS = (
    # 2019-06-01, 2019-06, 2019-06-01T12:00:00Z
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)(?:-(?P<day>[0-3]\d))?(?![\d-])", re.I),
    # June 1, 2019 / Friday, October 1, 2010 / Sept. 18-19, 2023 (the first day)
    re.compile(
        _WEEKDAY + _MONTH + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
        r"(?:\s*[-–—]\s*(?:[a-z]+\.?\s+)?[0-3]?\d)?,?\s+" + _YEAR + r"\b",
        re.I,
    ),
    # 1 June 2019
    re.compile(r"\b(?P<day>[0-3]?\d)\s+" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I),
    # 06/01/2019
    re.compile(r"\b(?P<mnum>[01]?\d)/(?P<day>[0-3]?\d)/" + _YEAR + r"\b"),
    # June 2019 / June, 2011
    re.compile(r"\b" + _MONTH + r",?\s+" + _YEAR + r"\b", re.I),
    # 1998
    re.compile(r"(?<![\d$,.])" + _YEAR + r"(?![\d,])"),
)
_RANGE = re.compile(
    _MONTH + r"\s+(?P<day>[0-3]?\d)\s*(?:[-–—]|to|through)\s*"
    r"(?:(?P<month2>[a-z]+)\.?\s+)?(?P<day2>[0-3]?\d),?\s+" + _YEAR,
    re.I,
)
_ONLY_DATE = re.compile(r"^[\s,.:;()]*$")


def _iso(year: str, month: int | None, day: str | None) -> str | None:
    if month is None:
        return year
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year}-{month:02d}"
    d = int(day)
    if not 1 <= d <= _days_in_month(int(year), month):
        return None
    return f"{year}-{month:02d}-{d:02d}"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _month_number(name: str) -> int:
    return MONTHS[name.lower()[:3]]


def _match_to_iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("mnum"):
        month: int | None = int(groups["mnum"])
    elif groups.get("month"):
        month = _month_number(groups["month"])
    else:
        month = None
    return _iso(groups["year"], month, groups.get("day"))


def find_date(text: str) -> str | None:
    """The first date in ``text`` as ISO with its precision, or None.

    Patterns are tried from the most to the least precise, so "June 1, 2019" wins over the
    bare year it contains.
    """
    if not text:
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            iso = _match_to_iso(match)
            if iso:
                return iso
    return None


def parse_date(text: str) -> str | None:
    """``text`` as an ISO date when the text is a date and nothing else, else None.

    Used to recognise date lines ("May 2024") in listings without taking a sentence that merely
    mentions a year for a date.
    """
    text = text.strip()
    if not text or len(text) > 40:
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match and _ONLY_DATE.match(text[: match.start()] + text[match.end() :]):
            return _match_to_iso(match)
    return None


def parse_date_range(text: str) -> str | None:
    """An event date or range: "September 18–19, 2023" -> "2023-09-18/2023-09-19".

    A single date comes back as ``find_date`` gives it; two dates as an ISO interval.
    """
    match = _RANGE.search(text)
    if match:
        month = _month_number(match["month"])
        month2 = _month_number(match["month2"]) if match["month2"] else month
        start = _iso(match["year"], month, match["day"])
        end = _iso(match["year"], month2, match["day2"])
        if start and end:
            return f"{start}/{end}"
    dates = [d for d in (find_date(part) for part in re.split(r"\s+(?:[-–—]|to)\s+", text)) if d]
    if len(dates) >= 2 and dates[0] != dates[1]:
        return f"{dates[0]}/{dates[1]}"
    return dates[0] if dates else None


def reconcile_dates(first: str | None, second: str | None) -> str | None:
    """Two readings of one date: the more precise when they agree, else the first.

    "2019-06" and "2019-06-01" give "2019-06-01"; "2011-10" and "2019-06-01" give "2011-10".
    """
    if not first:
        return second
    if not second:
        return first
    if second.startswith(first) and len(second) > len(first):
        return second
    return first
