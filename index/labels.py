"""A record's fields as people read them: labels, the journal citation, the kind's details.

Every face that shows a record to a person (``ojp-search show``, the record page) lists the
same fields under the same labels; the bookkeeping fields (content hash, schema version) are for
programs and appear only in JSON.
"""

from __future__ import annotations

from typing import Any

#: Record fields as people read them, in the order a record is shown.
FIELD_LABELS = {
    "agency": "Agency",
    "content_type": "Kind",
    "published": "Published",
    "updated": "Updated",
    "authors": "Authors",
    "topics": "Topics",
    "ncj_number": "NCJ number",
    "opportunity_id": "Opportunity ID",
    "language": "Language",
    "site": "Site",
    "fetched_at": "Fetched",
    "id": "Record ID",
}

#: The facts a kind adds (``Record.details``), labelled, in the order they are shown.
DETAIL_LABELS = {
    "series": "Series",
    "length_pages": "Length (pages)",
    "agencies": "Agencies",
    "source": "Source",
    "posting_date": "Posting date",
    "closing_date": "Closing date",
    "grants_gov_deadline": "Grants.gov deadline",
    "justgrants_deadline": "JustGrants deadline",
    "eligibility": "Eligibility",
    "event_dates": "Event dates",
    "location": "Location",
    "address": "Address",
    "feature": "Feature",
    "subpage": "Part of the feature",
}

#: Details shown together as the journal citation.
JOURNAL_KEYS = ("journal", "volume", "issue", "journal_pages", "dated")


def journal_citation(details: dict[str, Any]) -> str:
    """ "Journal 66, no. 7, pp. 3-30 (December 2018)" from a record's details ("" without one)."""
    journal = details.get("journal")
    if not journal:
        return ""
    text = str(journal)
    if details.get("volume"):
        text += f" {details['volume']}"
    if details.get("issue"):
        text += f", no. {details['issue']}"
    if details.get("journal_pages"):
        text += f", pp. {details['journal_pages']}"
    if details.get("dated"):
        text += f" ({details['dated']})"
    return text


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key) or key.replace("_", " ").capitalize()


def detail_rows(details: dict[str, Any], *, citation: bool = True) -> list[tuple[str, str]]:
    """(label, value) for each detail, known ones first; the journal's keys make one
    "Journal" row (``journal_citation``), unless ``citation`` is False (a face that shows the
    citation on its own)."""
    rows = []
    if citation and (text := journal_citation(details)):
        rows.append(("Journal", text))
    rows += [(label, str(details[key])) for key, label in DETAIL_LABELS.items() if details.get(key)]
    for key, value in details.items():
        if key not in DETAIL_LABELS and key not in JOURNAL_KEYS and value not in (None, "", [], {}):
            shown = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            rows.append((detail_label(key), shown))
    return rows


def field_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for each of a record's short fields that has a value (``FIELD_LABELS``)."""
    rows = []
    for key, label in FIELD_LABELS.items():
        value = data.get(key)
        if value in (None, "", [], (), {}):
            continue
        rows.append((label, "; ".join(value) if isinstance(value, list | tuple) else str(value)))
    return rows
