"""The API's OpenAPI 3.1 description, written by hand: five GET endpoints whose answers have
the shapes of the CLI's ``--json`` output."""

from __future__ import annotations

from functools import cache
from typing import Any

from index.fulltext.query import SORTS
from index.records import AGENCIES, CONTENT_TYPES
from web.params import MAX_DEPTH, MAX_LIMIT, MAX_QUERY_CHARS


def _query(name: str, description: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


ERRORS = {
    "400": _json("Error", "The request cannot be understood (a bad query, date or parameter)."),
    "503": _json("Error", "No data yet, the index is being replaced, or the search took too long."),
}
RECORD_ID = {
    "name": "record_id",
    "in": "path",
    "required": True,
    "description": "A record id (16 hex digits), its URL or one of its aliases.",
    "schema": {"type": "string"},
}
DATE = {"type": "string", "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"}
SWITCH = {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"]}
SEARCH_PARAMETERS = [
    _query(
        "q",
        "The query (words, phrases, AND / OR / NOT, fields such as title: agency: type:, "
        "dates such as published:2019..2024); may be left out when a filter is given.",
        {"type": "string", "maxLength": MAX_QUERY_CHARS},
    ),
    _query(
        "agency",
        "Only this agency (repeatable).",
        {"type": "array", "items": {"type": "string", "enum": list(AGENCIES)}},
        explode=True,
    ),
    _query(
        "type",
        "Only this kind (repeatable).",
        {"type": "array", "items": {"type": "string", "enum": list(CONTENT_TYPES)}},
        explode=True,
    ),
    _query("since", "Published on or after (YYYY[-MM[-DD]]).", {"type": "string"}),
    _query("until", "Published on or before (YYYY[-MM[-DD]]).", {"type": "string"}),
    _query(
        "sort",
        "relevance; date or added (newest first); closing or event (soonest first).",
        {"type": "string", "enum": list(SORTS), "default": "relevance"},
    ),
    _query(
        "language",
        "Only this language, as a code such as en or es (repeatable).",
        {"type": "array", "items": {"type": "string"}},
        explode=True,
    ),
    _query("added_since", "First seen by ojp-search on or after (YYYY[-MM[-DD]]).", DATE),
    _query("open", "1: only funding whose closing date has not passed.", SWITCH),
    _query("closing_before", "Funding closing on or before (YYYY[-MM[-DD]]).", DATE),
    _query("upcoming", "1: only events whose last day has not passed.", SWITCH),
    _query("event_from", "Events on or after (YYYY[-MM[-DD]]).", DATE),
    _query("event_until", "Events on or before (YYYY[-MM[-DD]]).", DATE),
    _query("full_text", "1: only records with a readable document.", SWITCH),
    _query(
        "page",
        f"Page number, from 1 (page × limit ≤ {MAX_DEPTH}).",
        {"type": "integer", "minimum": 1, "default": 1},
    ),
    _query(
        "limit",
        "Hits per page.",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10},
    ),
]

HIT = {
    "type": "object",
    "required": ["type", "id", "url", "title", "agency", "content_type", "published", "snippet"],
    "additionalProperties": True,
    "properties": {
        "type": {"const": "hit"},
        "id": {"type": "string"},
        "url": {"type": "string"},
        "title": {"type": "string"},
        "agency": {"type": "string"},
        "content_type": {"type": "string"},
        "published": {"type": ["string", "null"]},
        "score": {"type": "number"},
        "snippet": {"type": "string", "description": "Matched words are wrapped in [[ ]]."},
    },
}
RESULTS = {
    "type": "object",
    "required": ["hits", "type", "total", "page", "pages", "facets", "suggestion", "parsed"],
    "properties": {
        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
        "type": {"const": "summary"},
        "total": {"type": "integer"},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "facets": {
            "type": "object",
            "description": "Counts per facet (agency, type, year) and value.",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
            },
        },
        "suggestion": {"type": ["string", "null"]},
        "corrected": {"type": "boolean", "description": "True: the hits are for the suggestion."},
        "parsed": {"type": "string", "description": "The query as it ran."},
    },
}
RECORD = {
    "type": "object",
    "description": "The whole record, as ojp-search show --json and export print it.",
    "required": ["schema_version", "id", "url", "agency", "content_type", "title"],
    "additionalProperties": True,
    "properties": {
        "schema_version": {"type": "integer"},
        "id": {"type": "string"},
        "url": {"type": "string"},
        "agency": {"type": "string"},
        "content_type": {"type": "string"},
        "title": {"type": "string"},
        "published": {"type": ["string", "null"]},
    },
}
CHANGE = {
    "type": "object",
    "required": ["seq", "run_id", "at", "change", "record_id", "title", "url"],
    "properties": {
        "seq": {"type": "integer"},
        "run_id": {"type": "integer"},
        "at": {"type": "string"},
        "change": {"type": "string", "enum": ["added", "changed", "removed"]},
        "record_id": {"type": "string"},
        "agency": {"type": "string"},
        "content_type": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string"},
    },
}
STATUS = {
    "type": "object",
    "description": "ojp-search status --json, with the live index and the schedule served.",
    "required": [
        "live",
        "gone",
        "by_agency",
        "by_type",
        "runs",
        "failing",
        "failing_total",
        "withheld",
    ],
    "additionalProperties": True,
    "properties": {
        "live": {"type": "integer"},
        "gone": {"type": "integer"},
        "by_agency": {"type": "object", "additionalProperties": {"type": "integer"}},
        "by_type": {"type": "object", "additionalProperties": {"type": "integer"}},
        "runs": {"type": "array", "items": {"type": "object"}},
        "failing": {"type": "array", "items": {"type": "object"}},
        "failing_total": {"type": "integer"},
        "withheld": {
            "type": "array",
            "description": "Live URLs whose removal the safety valve withheld.",
            "items": {"type": "object"},
        },
        "index": {"type": ["object", "null"]},
        "schedule": {"type": ["object", "null"]},
    },
}
ERROR = {
    "type": "object",
    "required": ["error", "kind", "status"],
    "properties": {
        "error": {"type": "string", "description": "One sentence."},
        "kind": {"type": "string"},
        "status": {"type": "integer"},
    },
}


@cache
def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ojp-search API",
            "version": "1",
            "description": (
                "Read-only JSON over the records crawled from OJP's public pages. Every answer "
                "has the shape of the matching command's --json output."
            ),
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search the records (as ojp-search search --json)",
                    "parameters": SEARCH_PARAMETERS,
                    "responses": {"200": _json("SearchResults", "One page of hits."), **ERRORS},
                    "x-example": "/api/search?q=human+trafficking&agency=NIJ",
                }
            },
            "/api/records/{record_id}": {
                "get": {
                    "operationId": "record",
                    "summary": "One whole record (as ojp-search show --json)",
                    "parameters": [RECORD_ID],
                    "responses": {
                        "200": _json("Record", "The record."),
                        "404": _json("Error", "No such record."),
                        **ERRORS,
                    },
                }
            },
            "/api/similar/{record_id}": {
                "get": {
                    "operationId": "similar",
                    "summary": "Records like one record (as ojp-search similar --json)",
                    "parameters": [
                        RECORD_ID,
                        _query(
                            "limit",
                            "How many.",
                            {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                        ),
                    ],
                    "responses": {
                        "200": _json("SearchResults", "The similar records."),
                        "404": _json("Error", "No such record in the index."),
                        **ERRORS,
                    },
                }
            },
            "/api/changes": {
                "get": {
                    "operationId": "changes",
                    "summary": "What was added, changed and removed (as ojp-search changes --json)",
                    "description": "Newest first; by default the last completed run.",
                    "parameters": [
                        _query("q", "Only records matching this query.", {"type": "string"}),
                        _query(
                            "since", "Changes on or after (YYYY[-MM[-DD]]).", {"type": "string"}
                        ),
                        _query("run", "Changes of this run.", {"type": "integer", "minimum": 1}),
                    ],
                    "responses": {"200": _json("Changes", "The changes."), **ERRORS},
                    "x-example": "/api/changes?since=2024-01-01",
                }
            },
            "/api/status": {
                "get": {
                    "operationId": "status",
                    "summary": "Records, runs, failing URLs, the index and the schedule",
                    "responses": {"200": _json("Status", "The status."), **ERRORS},
                    "x-example": "/api/status",
                }
            },
        },
        "components": {
            "schemas": {
                "Hit": HIT,
                "SearchResults": RESULTS,
                "Record": RECORD,
                "Change": CHANGE,
                "Changes": {
                    "type": "object",
                    "required": ["changes"],
                    "properties": {
                        "changes": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Change"},
                        }
                    },
                },
                "Status": STATUS,
                "Error": ERROR,
            }
        },
    }
