"""`ojp-search serve` as a real process on 127.0.0.1: its JSON API answers what the CLI's --json
prints for the same questions, and its OpenAPI description is valid."""

from __future__ import annotations

import json

import pytest

from index.datadir import DataDir
from tests.web.support import (  # noqa: F401  (fixtures)
    ServeProcess,
    cli_json_lines,
    run_cli,
    sample_data,
    sample_server,
)
from web.server import is_loopback

pytestmark = pytest.mark.xdist_group("web")

SEARCHES = [
    ("human trafficking", []),
    ('title:"body armor"', []),
    ("victim services", [("agency", "OVC")]),
    ("trafficking", [("type", "publication"), ("type", "news"), ("sort", "date")]),
    ("justice", [("since", "2015"), ("until", "2023"), ("limit", "3"), ("page", "2")]),
    ("human traffiking", []),  # corrected: the suggestion's hits
]


def as_flags(params: list[tuple[str, str]]) -> list[str]:
    return [part for key, value in params for part in (f"--{key}", value)]


@pytest.mark.parametrize(("query", "params"), SEARCHES)
def test_api_search_is_the_cli_search_json(
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
    query: str,
    params: list[tuple[str, str]],
) -> None:
    from urllib.parse import urlencode

    lines = cli_json_lines(
        "search", query, *as_flags(params), "--json", "--data-dir", str(sample_data.root)
    )
    api = sample_server.get_json("/api/search?" + urlencode([("q", query), *params]))
    assert api["hits"] == lines[:-1]
    assert {k: v for k, v in api.items() if k != "hits"} == lines[-1]
    assert api["total"] > 0


def test_api_record_similar_changes_and_status_are_the_cli_json(
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
) -> None:
    where = ["--data-dir", str(sample_data.root)]
    record_id = sample_server.get_json("/api/search?q=human+trafficking")["hits"][0]["id"]
    assert (
        sample_server.get_json(f"/api/records/{record_id}")
        == cli_json_lines("show", record_id, "--json", *where)[0]
    )
    similar = sample_server.get_json(f"/api/similar/{record_id}?limit=4")
    lines = cli_json_lines("similar", record_id, "--limit", "4", "--json", *where)
    assert similar["hits"] == lines[:-1] and similar["total"] == lines[-1]["total"]
    changes = sample_server.get_json("/api/changes")["changes"]
    assert changes == cli_json_lines("changes", "--json", *where)
    assert sample_server.get_json("/api/changes?since=2020-01-01")["changes"] == cli_json_lines(
        "changes", "--since", "2020-01-01", "--json", *where
    )
    status = sample_server.get_json("/api/status")
    cli_status = cli_json_lines("status", "--json", *where)[0]
    assert {key: status[key] for key in cli_status} == cli_status
    assert status["index"]["documents"] == status["live"]


def test_api_errors_are_json_with_a_status(sample_server: ServeProcess) -> None:  # noqa: F811
    status, body, headers = sample_server.get("/api/search?q=agnecy:NIJ")
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"].startswith("unknown field 'agnecy'.")
    status, body, _ = sample_server.get("/api/records/ffffffffffffffff")
    assert status == 404 and json.loads(body)["kind"] == "not found"


def test_the_openapi_document_is_valid(sample_server: ServeProcess) -> None:  # noqa: F811
    from openapi_spec_validator import validate

    document = sample_server.get_json("/api/openapi.json")
    validate(document)
    assert set(document["paths"]) == {
        "/api/search",
        "/api/records/{record_id}",
        "/api/similar/{record_id}",
        "/api/changes",
        "/api/status",
    }
    status, body, _ = sample_server.get("/api/")
    assert status == 200 and b"/api/openapi.json" in body


def test_loopback_by_default_and_a_warning_for_other_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_serve_refuses_sites_without_a_schedule(sample_data: DataDir) -> None:  # noqa: F811
    done = run_cli("serve", "--site", "nij", "--data-dir", str(sample_data.root), check=False)
    assert done.returncode == 2
    assert done.stderr.decode().startswith("Error: --site and --sites-file go with --cron")


def test_a_port_in_use_is_one_line(
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
) -> None:
    port = sample_server.url.rstrip("/").rsplit(":", 1)[1]
    done = run_cli("serve", "--port", port, "--data-dir", str(sample_data.root), check=False)
    assert done.returncode != 0
    assert done.stderr.decode().startswith(f"Error: cannot listen on 127.0.0.1:{port}:")
    assert len(done.stderr.decode().splitlines()) == 1


@pytest.mark.parametrize(
    ("params", "flags"),
    [
        ("q=victim+services&format=jsonl", ["--query", "victim services", "--format", "jsonl"]),
        (
            "q=trafficking&type=publication&since=2010&format=csv",
            ["--query", "trafficking", "--type", "publication", "--since", "2010", "-f", "csv"],
        ),
    ],
)
def test_export_is_the_cli_export(
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
    params: str,
    flags: list[str],
) -> None:
    status, body, headers = sample_server.get(f"export?{params}")
    assert status == 200 and headers["content-disposition"].startswith("attachment;")
    assert body == run_cli("export", *flags, "--data-dir", str(sample_data.root)).stdout
    assert body
