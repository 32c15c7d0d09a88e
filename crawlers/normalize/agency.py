"""Which agency a page belongs to, and why.

Most pages say it: an "Agencies" label, or a bureau's own host (nij.ojp.gov is NIJ's). A library
publication or an NCJRS abstract on www.ojp.gov often does not, and its host's agency (OJP) would
hide a BJS report from ``--agency BJS``. For those, the agency is inferred from what the page
says, in this order, and the evidence is kept in the record's ``details["agency_evidence"]``:

1. a sponsoring-agency or publisher line ("Sponsoring Agency: National Institute of Justice");
2. the annotation or abstract naming the issuing bureau ("This U.S. Bureau of Justice Statistics
   (BJS) report ...", "NIJ's ...", "... published by the Office for Victims of Crime");
3. the publication series ("BJS Bulletin", "OJJDP Juvenile Justice Bulletin");
4. the path: an abstract in the NCJRS Virtual Library is NCJRS's, a legacy file in a bureau's
   folder (``/txtfiles1/nij/``) is that bureau's.

Then the host, the site definition's hint, the site-name header, and OJP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from crawlers.normalize import kinds
from crawlers.normalize.fields import Fields, first_text
from index.records import AGENCIES

#: Agencies that publish for the whole family: a page on their host may be any bureau's.
UMBRELLAS = frozenset({"OJP", "NCJRS"})
_DOC_NOUN = (
    r"(?:special\s+|research\s+|statistical\s+|data\s+|final\s+|annual\s+|technical\s+)?"
    r"(?:report|bulletin|fact\s*sheet|brief|publication|study|guide|document|summary|overview"
    r"|toolkit|tables?|survey|evaluation|paper|update|series|handbook|monograph|solicitation)s?\b"
)
_BEFORE_ARTICLE = re.compile(r"(?:\bthis|\bthese|\bthe|\ban?)\s+(?:(?:u\.s\.|us)\s+)?$", re.I)
_BEFORE_VERB = re.compile(
    r"\b(?:published|issued|prepared|produced|released|sponsored|funded|supported|written)"
    r"\s+(?:by|for)\s+(?:the\s+)?(?:(?:u\.s\.|us)\s+)?$",
    re.I,
)
_AFTER_NOUN = re.compile(
    r"^(?:\s*\([A-Z]{2,6}\))?(?:[-\s](?:sponsored|funded))?\s+" + _DOC_NOUN, re.I
)
_AFTER_SPONSOR = re.compile(r"^(?:\s*\([A-Z]{2,6}\))?[-\s](?:sponsored|funded)\b", re.I)
_POSSESSIVE = re.compile(r"^(?:\s*\([A-Z]{2,6}\))?['’]s?\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+)$")
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?]\s+")


@dataclass(frozen=True)
class AgencyChoice:
    agency: str
    evidence: str = ""  # how an inferred agency was found ("" when the page or host says it)


def choose_agency(
    fields: Fields,
    *,
    record_url: str,
    fetched_url: str,
    hint: str | None,
    site_agency: str | None,
    kind: str,
    texts: Iterable[tuple[str, str]] = (),
) -> AgencyChoice:
    """The page's agency (see the module docstring for the order). ``texts`` are the
    (source, text) pairs a publication's issuer may be named in: its annotation, abstract."""
    labelled = _labelled(fields)
    if labelled:
        return AgencyChoice(labelled)
    hint = hint.upper() if hint and hint.upper() in AGENCIES else None
    hosts = [kinds.host_agency(record_url), kinds.host_agency(fetched_url), hint, site_agency]
    for candidate in hosts:
        if candidate and candidate not in UMBRELLAS:
            return AgencyChoice(candidate)
    if kind == "publication":
        inferred = infer_publication_agency(fields, texts, record_url)
        if inferred is not None:
            return inferred
    path = kinds.path_agency(record_url) or kinds.path_agency(fetched_url)
    if path:
        return AgencyChoice(path)
    return AgencyChoice(next((c for c in hosts if c), "OJP"))


def _labelled(fields: Fields) -> str | None:
    for value in fields.get("agencies", []):
        for item in value.items or [value.text]:
            for part in re.split(r"[;,]\s*|\s+and\s+", item):
                agency = kinds.agency_from_name(part)
                if agency:
                    return agency
    return None


def infer_publication_agency(
    fields: Fields, texts: Iterable[tuple[str, str]], url: str
) -> AgencyChoice | None:
    """Steps 1-4 of the module docstring, or None when nothing names an agency."""
    for value in fields.get("sponsor", []):
        agency = kinds.most_specific_agency(value.text)
        if agency:
            return AgencyChoice(agency, f"sponsoring agency: {_clip(value.text)}")
    for source, text in texts:
        found = issuer_named(text)
        if found is not None:
            return AgencyChoice(found[0], f"{source}: {_clip(found[1])}")
    series = first_text(fields, "series")
    if series:
        agency = kinds.most_specific_agency(series)
        if agency:
            return AgencyChoice(agency, f"series: {_clip(series)}")
    path = kinds.path_agency(url)
    if path:
        where = "NCJRS Virtual Library" if path == "NCJRS" else f"a {path} folder"
        return AgencyChoice(path, f"path: {where}")
    return None


def issuer_named(text: str) -> tuple[str, str] | None:
    """The agency ``text`` names as the work's issuer, and the words that say so: "This U.S.
    Bureau of Justice Statistics (BJS) report", "NIJ's", "published by the Office for Victims
    of Crime", "an NIJ-sponsored study". A bureau merely mentioned does not count."""
    for agency, match in kinds.agencies_named(text[:1500]):
        before = text[max(0, match.start() - 60) : match.start()]
        after = text[match.end() : match.end() + 60]
        if (
            (_BEFORE_ARTICLE.search(before) and _AFTER_NOUN.match(after))
            or _BEFORE_VERB.search(before)
            or _AFTER_SPONSOR.match(after)
            or (_POSSESSIVE.match(after) and _SENTENCE_START.search(before))
        ):
            return agency, _phrase(text, match.start(), match.end() + _noun_end(after))
    return None


def _noun_end(after: str) -> int:
    match = _AFTER_NOUN.match(after) or _AFTER_SPONSOR.match(after) or _POSSESSIVE.match(after)
    return match.end() if match else 0


def _phrase(text: str, start: int, end: int) -> str:
    """The words around a match, from the start of its sentence (at most 60 characters back)."""
    left = text[max(0, start - 60) : start]
    stops = list(_SENTENCE_END.finditer(left))
    if stops:
        left = left[stops[-1].end() :]
    elif start > 60:
        left = left.split(" ", 1)[-1]
    return (left + text[start:end]).strip()


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
