"""Records as citations that reference managers import: RIS, BibTeX and CSL-JSON.

``ojp-search export --format ris|bibtex|csljson`` and ``ojp-search show ID --cite FORMAT`` write
these; Zotero, EndNote, Mendeley, JabRef, BibTeX/biblatex and pandoc read them.

A record's kind decides what it is cited as. A publication (a library publication or an NCJRS
abstract), an article or a document is a journal article when its page names a journal (RIS
``JOUR``, ``@article``, CSL ``article-journal``), else a report that its agency published
(``RPRT``, ``@techreport``, ``report``). Every other kind (features, topics, funding, events,
news...) is a web page of its agency's site (``ELEC``, ``@misc``, ``webpage``). An entry carries
the title; the authors (people split into family and given names, organisations as corporate
authors: ``index.names``); the published date with the precision the page gives; the journal
with volume, issue and pages; the publisher, which is the agency for reports and web pages (a
journal article's publisher is its journal's, which pages do not give); the series; the NCJ
number (RIS call number, BibTeX note, CSL ``call-number``); the URL; the access date, which is
the day ojp-search fetched the page unless the caller gives another; the summary as abstract;
and the topics as keywords.

Text from pages is hostile, and no value can break out of its entry. Line breaks and control
characters become spaces in every format, so a RIS value never starts a line of its own (a title
cannot forge ``TY  -``). In BibTeX, ``\\ { } % & # _ $ ~ ^`` become LaTeX commands whose braces
balance, so a value cannot close its field or its entry. CSL-JSON is written by ``json``, with
control and bidi characters as escapes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from index.errors import UsageError
from index.names import Name, author_names
from index.records import Record
from index.safe_text import json_text, one_line

if TYPE_CHECKING:
    from index.export import TextSink

__all__ = [
    "CITATION_FORMATS",
    "Citation",
    "bibtex_entries",
    "citation_format",
    "citation_of",
    "csl_items",
    "ris_entries",
    "write_citations",
]

CITATION_FORMATS = ("ris", "bibtex", "csljson")
#: Kinds cited as what they are (a journal article or a report); the rest are web pages.
CITED_KINDS = ("publication", "article", "document")
#: Entry types by what a record is cited as, per format.
RIS_TYPES = {"journal": "JOUR", "report": "RPRT", "webpage": "ELEC"}
BIBTEX_TYPES = {"journal": "article", "report": "techreport", "webpage": "misc"}
CSL_TYPES = {"journal": "article-journal", "report": "report", "webpage": "webpage"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PAGE_DASH = re.compile(r"\s*[-‐‑‒–—]+\s*")


@dataclass(frozen=True)
class Citation:
    """What every format says about one record, its text cleaned to single lines."""

    id: str
    cited_as: str  # "journal", "report" or "webpage"
    title: str
    authors: list[Name]
    issued: tuple[int, ...]  # (year,), (year, month) or (year, month, day); () when unknown
    accessed: tuple[int, ...]
    container: str  # the journal of an article, the site of a web page; "" for a report
    volume: str
    issue: str
    first_page: str
    last_page: str
    publisher: str  # the agency's name; "" for a journal article
    series: str
    ncj: str  # "NCJ 254211", or ""
    url: str
    abstract: str
    keywords: tuple[str, ...]
    agency: str

    @property
    def pages(self) -> str:
        return "-".join(page for page in (self.first_page, self.last_page) if page)


def citation_of(record: Record, accessed: date | None = None) -> Citation:
    """What a record is cited as, with its access date (default: the day it was fetched)."""
    from index.fulltext.analysis import AGENCY_NAMES

    details = {key: clean(str(value)) for key, value in record.details.items()}
    cited_as = "webpage"
    if record.content_type in CITED_KINDS:
        cited_as = "journal" if details.get("journal") else "report"
    journal = details if cited_as == "journal" else {}
    first, _, last = _PAGE_DASH.sub("-", journal.get("journal_pages", "")).partition("-")
    agency_name = AGENCY_NAMES.get(record.agency, clean(record.agency))
    return Citation(
        id=record.id,
        cited_as=cited_as,
        title=clean(record.title),
        authors=author_names(record.authors),
        issued=date_parts(record.published or details.get("dated") or ""),
        accessed=date_parts(accessed.isoformat() if accessed else record.fetched_at[:10]),
        container=journal.get("journal") or (agency_name if cited_as == "webpage" else ""),
        volume=journal.get("volume", ""),
        issue=journal.get("issue", ""),
        first_page=first,
        last_page=last,
        publisher="" if journal else agency_name,
        series=details.get("series", "") if cited_as == "report" else "",
        ncj=f"NCJ {clean(record.ncj_number)}" if record.ncj_number else "",
        url=clean(record.url),
        abstract=clean(record.summary),
        keywords=tuple(topic for topic in map(clean, record.topics) if topic),
        agency=clean(record.agency),
    )


def clean(text: str) -> str:
    """Text on one line: control and bidi characters, line and paragraph separators become
    spaces, runs of spaces one."""
    return " ".join(one_line(text).split())


def date_parts(text: str) -> tuple[int, ...]:
    """``"2019-06-01"`` → ``(2019, 6, 1)``, keeping the precision given; () for no date."""
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None:
        return ()
    parts = tuple(int(part) for part in match.groups() if part is not None)
    try:
        date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:  # month 13, 31 June: the year alone is sure
        return parts[:1]
    return parts


def citation_format(name: str) -> str:
    """A citation format's name as given (any case), checked."""
    fmt = name.strip().lower()
    if fmt not in CITATION_FORMATS:
        raise UsageError(f"unknown citation format {name!r}: use {', '.join(CITATION_FORMATS)}.")
    return fmt


def write_citations(records: Iterable[Record], fmt: str, out: TextSink) -> int:
    """Stream records to a text stream as citations in ``fmt``; returns how many were written.
    RIS and BibTeX entries are separated by a blank line; CSL-JSON is one array."""
    count = 0
    if fmt == "csljson":
        out.write("[")
        for item in csl_items(records):
            out.write(("\n" if count == 0 else ",\n") + json_text(item))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    entries = {"ris": ris_entries, "bibtex": bibtex_entries}[citation_format(fmt)]
    for entry in entries(records):
        out.write(("" if count == 0 else "\n") + entry)
        count += 1
    return count


# -- RIS -------------------------------------------------------------------------------------


def ris_entries(records: Iterable[Record], accessed: date | None = None) -> Iterator[str]:
    """One RIS entry per record (``TY`` to ``ER``, one tag a line), as Zotero and EndNote read
    them: people as ``AU  - Family, Given``, an organisation as ``AU  - Name,`` (a name with
    nothing after its comma is one corporate name to both), dates as ``YYYY/MM/DD``."""
    for record in records:
        cite = citation_of(record, accessed)
        tags: list[tuple[str, str]] = [("TY", RIS_TYPES[cite.cited_as]), ("TI", cite.title)]
        tags += [("AU", ris_name(name)) for name in cite.authors]
        if cite.issued:
            tags += [("PY", str(cite.issued[0])), ("DA", ris_date(cite.issued))]
        tags += [
            ("T2", cite.container or cite.series),
            ("VL", cite.volume),
            ("IS", cite.issue),
            ("SP", cite.first_page),
            ("EP", cite.last_page),
            ("PB", cite.publisher if cite.cited_as == "report" else ""),
            ("CN", cite.ncj),
            ("UR", cite.url),
            ("Y2", ris_date(cite.accessed)),
            ("AB", cite.abstract),
        ]
        tags += [("KW", keyword) for keyword in cite.keywords]
        lines = [f"{tag}  - {value}" for tag, value in tags if value]
        yield "\n".join([*lines, "ER  - "]) + "\n"


def ris_name(name: Name) -> str:
    if name.is_organisation:
        return name.literal + ","
    parts = [name.full_family, name.given, name.suffix]
    return ", ".join(part for part in parts if part) if name.given else name.full_family


def ris_date(parts: tuple[int, ...]) -> str:
    return "/".join(f"{part:02d}" for part in parts)


# -- BibTeX ----------------------------------------------------------------------------------

#: Characters BibTeX or LaTeX treat specially, as commands whose braces balance.
_BIBTEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "%": r"\%",
        "&": r"\&",
        "#": r"\#",
        "_": r"\_",
        "$": r"\$",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
_URL_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"})
#: A word with two capitals (an acronym, "McDonald"): braced so a style never lower-cases it.
_CAPITALS = re.compile(r"\b[^\W_]*[A-Z][^\W_]*[A-Z][^\W_]*")
_AND = re.compile(r"\band\b", re.IGNORECASE)
_TITLE_STOP_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the", "to", "what"})


def bibtex_entries(records: Iterable[Record], accessed: date | None = None) -> Iterator[str]:
    """One BibTeX entry per record, with keys unique within the run (``whitfield2019law``,
    then ``whitfield2019law-2``). Fields are biblatex's where BibTeX has none (``date``,
    ``urldate``); people are ``Family, Given`` (``von Last, Jr, First``), organisations are
    braced whole (``{{National Institute of Justice}}``), the month is a macro (``jun``)."""
    keys: set[str] = set()
    for record in records:
        cite = citation_of(record, accessed)
        key = base = bibtex_key(cite)
        number = 1
        while key in keys:
            number += 1
            key = f"{base}-{number}"
        keys.add(key)
        fields = [
            ("author", " and ".join(bibtex_name(name) for name in cite.authors)),
            ("title", _CAPITALS.sub(r"{\g<0>}", bibtex_text(cite.title))),
            ("journal", bibtex_text(cite.container) if cite.cited_as == "journal" else ""),
            ("volume", bibtex_text(cite.volume)),
            ("number", bibtex_text(cite.issue)),
            ("pages", bibtex_text(cite.pages).replace("-", "--")),
            ("institution", bibtex_text(cite.publisher) if cite.cited_as == "report" else ""),
            ("organization", bibtex_text(cite.publisher) if cite.cited_as == "webpage" else ""),
            ("series", bibtex_text(cite.series)),
            ("year", str(cite.issued[0]) if cite.issued else ""),
        ]
        lines = [f"  {name} = {{{value}}}," for name, value in fields if value]
        if len(cite.issued) > 1:
            lines.append(f"  month = {MONTHS[cite.issued[1] - 1]},")
        fields = [
            ("date", iso_date(cite.issued)),
            ("note", bibtex_text(cite.ncj)),
            ("url", bibtex_url(cite.url)),
            ("urldate", iso_date(cite.accessed)),
            ("abstract", bibtex_text(cite.abstract)),
            ("keywords", bibtex_text(", ".join(cite.keywords))),
        ]
        lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
        yield "\n".join([f"@{BIBTEX_TYPES[cite.cited_as]}{{{key},", *lines, "}"]) + "\n"


def bibtex_text(text: str) -> str:
    """Text for a braced BibTeX value: special characters escaped."""
    return text.translate(_BIBTEX_ESCAPES)


def bibtex_url(url: str) -> str:
    """A URL as BibTeX and biblatex keep it (verbatim): the characters that would break the
    value (braces, backslash, space) percent-encoded, which leaves the same address."""
    return url.translate(_URL_ESCAPES)


def bibtex_name(name: Name) -> str:
    """One name of an ``author`` list: an organisation braced whole, a person ``von Last, Jr,
    First`` with any part that holds the word "and" braced (it would split the list)."""
    if name.is_organisation:
        return "{" + bibtex_text(name.literal) + "}"

    def part(text: str) -> str:
        escaped = bibtex_text(text.replace(",", " "))
        return "{" + escaped + "}" if _AND.search(escaped) else escaped

    family = part(name.full_family)
    if not name.given:
        return "{" + family + "}" if " " in family else family
    if name.suffix:
        return f"{family}, {part(name.suffix)}, {part(name.given)}"
    return f"{family}, {part(name.given)}"


def bibtex_key(cite: Citation) -> str:
    """``whitfield2019law``: the first author's family name (an organisation's initials, else
    the agency), the year, the first word of the title that says something; ASCII letters and
    digits only."""
    if not cite.authors:
        who = cite.agency
    elif cite.authors[0].is_organisation:
        words = cite.authors[0].literal.split()
        capitals = [word[0] for word in words if word[:1].isupper()]
        who = "".join(capitals) if len(capitals) > 1 else words[0]
    else:
        who = cite.authors[0].family
    words = [ascii_word(word) for word in cite.title.split()]
    topic = next((word for word in words if word and word not in _TITLE_STOP_WORDS), "")
    year = str(cite.issued[0]) if cite.issued else "nd"
    return f"{ascii_word(who) or 'record'}{year}{topic}"


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits, accents dropped: "Évaluation" → "evaluation"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def iso_date(parts: tuple[int, ...]) -> str:
    return "-".join(f"{part:02d}" for part in parts)


# -- CSL-JSON --------------------------------------------------------------------------------


def csl_items(records: Iterable[Record], accessed: date | None = None) -> Iterator[dict[str, Any]]:
    """One CSL-JSON item per record (the input format of citeproc processors, pandoc and
    Zotero): people as ``{"family", "given", "non-dropping-particle", "suffix"}``,
    organisations as ``{"literal"}``, dates as ``{"date-parts": [[2019, 6, 1]]}``."""
    for record in records:
        cite = citation_of(record, accessed)
        item: dict[str, Any] = {
            "id": cite.id,
            "type": CSL_TYPES[cite.cited_as],
            "title": cite.title,
            "author": [csl_name(name) for name in cite.authors],
            "issued": {"date-parts": [list(cite.issued)]} if cite.issued else None,
            "container-title": cite.container,
            "volume": cite.volume,
            "issue": cite.issue,
            "page": cite.pages,
            "publisher": cite.publisher,
            "collection-title": cite.series,
            "call-number": cite.ncj,
            "URL": cite.url,
            "accessed": {"date-parts": [list(cite.accessed)]} if cite.accessed else None,
            "abstract": cite.abstract,
            "keyword": ", ".join(cite.keywords),
        }
        yield {key: value for key, value in item.items() if value}


def csl_name(name: Name) -> dict[str, str]:
    if name.is_organisation:
        return {"literal": name.literal}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return {key: value for key, value in parts.items() if value}
