"""The web face in a real headless browser (Debian's Chromium driven by Playwright) against
`ojp-search serve` on 127.0.0.1: a person's search, facets, record pages, similar records and
the CSV download; keyboard use and narrow screens; hostile page text that never runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from index.datadir import DataDir
from tests.web.support import (  # noqa: F401  (fixtures)
    ServeProcess,
    artifact,
    browser,
    cli_json_lines,
    hostile_data,
    run_cli,
    sample_data,
    sample_server,
)

pytestmark = pytest.mark.xdist_group("web")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def hit_titles(page: Any) -> list[str]:
    return [title.strip() for title in page.locator(".hit-title").all_inner_texts()]


def test_a_search_from_the_box_to_a_similar_record_and_the_csv(
    page: Any,
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
) -> None:
    where = ["--data-dir", str(sample_data.root)]
    cli = cli_json_lines("search", "human trafficking", "--json", *where)
    cli_nij = cli_json_lines("search", "human trafficking", "--agency", "NIJ", "--json", *where)
    page.goto(sample_server.url)
    page.get_by_label("Search OJP resources").fill("human trafficking")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=human+trafficking*")
    assert page.locator(".result-count").inner_text().startswith(f"{cli[-1]['total']} results")
    titles = hit_titles(page)
    assert titles[0] == cli[0]["title"] == "The Fight Against Human Trafficking"
    assert page.locator(".hit mark").count() > 0
    shot = artifact("search-page.png")
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot of the search page: {shot}")

    page.locator(".facets a", has_text="NIJ").first.click()
    page.wait_for_url("**agency=NIJ*")
    nij_total = cli_nij[-1]["total"]
    assert page.locator(".result-count").inner_text().startswith(f"{nij_total} result")
    assert 0 < nij_total < cli[-1]["total"]
    nij_titles = hit_titles(page)
    assert nij_titles != titles and nij_titles == [hit["title"] for hit in cli_nij[:-1]]
    assert set(page.locator(".hit .tag").all_inner_texts()) == {"NIJ"}

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    downloaded = download_info.value.path().read_bytes()
    exported = run_cli(
        "export", "--query", "human trafficking", "--agency", "NIJ", "--format", "csv", *where
    ).stdout  # fmt: skip
    assert downloaded == exported and downloaded.count(b"\n") > nij_total

    page.get_by_role("link", name="Record details for The Fight Against Human Trafficking").click()
    page.wait_for_url("**/records/*")
    assert page.locator("h1").inner_text() == "The Fight Against Human Trafficking"
    assert page.locator("dt", has_text="NCJ number").count() == 1
    first_similar = page.locator(".similar a").first
    similar_title = first_similar.inner_text()
    first_similar.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == similar_title
    assert similar_title != "The Fight Against Human Trafficking"
    page.screenshot(path=str(artifact("record-page.png")), full_page=True)


def test_the_unfiltered_csv_is_the_cli_export(
    page: Any,
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
) -> None:
    page.goto(sample_server.url + "?q=human+trafficking")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    cli = run_cli(
        "export", "--query", "human trafficking", "--format", "csv",
        "--data-dir", str(sample_data.root),
    ).stdout  # fmt: skip
    assert download_info.value.path().read_bytes() == cli


def test_open_funding_and_upcoming_events_from_the_options(
    page: Any,
    sample_server: ServeProcess,  # noqa: F811
    sample_data: DataDir,  # noqa: F811
) -> None:
    where = ["--data-dir", str(sample_data.root)]
    cli_open = cli_json_lines("search", "--open", "--sort", "closing", "--json", *where)
    cli_events = cli_json_lines("search", "--upcoming", "--sort", "event", "--json", *where)
    page.goto(sample_server.url)
    page.get_by_text("Dates, order and details").click()
    page.get_by_label("Open funding only").check()
    page.get_by_label("Order").select_option(label="Funding: closing soonest")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**open=1*")
    assert hit_titles(page) == [hit["title"] for hit in cli_open[:-1]]
    assert (
        cli_open[0]["closing"]
        and f"closes {cli_open[0]['closing']}" in page.locator(".hit-facts").first.inner_text()
    )
    page.screenshot(path=str(artifact("open-funding.png")), full_page=True)

    page.get_by_label("Open funding only").uncheck()
    page.get_by_label("Upcoming events only").check()
    page.get_by_label("Order").select_option(label="Events: soonest")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**upcoming=1*")
    assert "open=1" not in page.url
    assert hit_titles(page) == [hit["title"] for hit in cli_events[:-1]]
    start, _, end = cli_events[0]["event_dates"].partition("/")
    assert f"on {start} to {end}" in page.locator(".hit-facts").first.inner_text()
    # The chosen filter shows above the hits, and removing it is one click.
    page.get_by_role("link", name="Upcoming events").click()
    page.wait_for_load_state()
    assert "upcoming=1" not in page.url


def test_keyboard_focus_is_visible_and_narrow_screens_do_not_scroll_sideways(
    page: Any,
    sample_server: ServeProcess,  # noqa: F811
) -> None:
    page.goto(sample_server.url + "?q=human+trafficking")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }"
    )
    assert focused[0] == "Skip to main content" and focused[1] != "none"
    for width in (320, 390, 640):  # a phone, and 1280 px at 200 % zoom
        page.set_viewport_size({"width": width, "height": 800})
        for path in ("?q=human+trafficking", "status", "changes"):
            page.goto(sample_server.url + path)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (width, path)
    page.screenshot(path=str(artifact("search-page-320px.png")), full_page=True)


@pytest.fixture(scope="module")
def hostile_server(hostile_data: DataDir) -> Iterator[ServeProcess]:  # noqa: F811
    server = ServeProcess(hostile_data)
    yield server
    server.stop()


def test_hostile_page_text_never_runs(page: Any, hostile_server: ServeProcess) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_server.url + "?q=trafficking")
    assert page.locator(".hit").count() == 3
    ids = hostile_server.get_json("/api/search?q=trafficking")["hits"]
    paths = ["?q=trafficking", "changes", "status"]
    paths += [f"records/{hit['id']}?q=trafficking" for hit in ids]
    for path in paths:
        page.goto(hostile_server.url + path)
        page.mouse.move(200, 300)
        page.locator("body").hover()
        state = page.evaluate(
            "() => [window.__pwned === undefined, document.scripts.length,"
            ' document.querySelectorAll(\'a[href^="javascript:" i], a[href^="data:" i]\').length,'
            " document.querySelectorAll('[onerror], [onmouseover], [onload]').length,"
            " getComputedStyle(document.body).display]"
        )
        assert state == [True, 0, 0, 0, "block"], path
    page.goto(hostile_server.url + "?q=trafficking")
    shown = " ".join(page.locator(".hit-title").all_inner_texts())
    assert "<script>window.__pwned = 1" in shown  # the markup shows as text

    page.goto(hostile_server.url + "changes.atom?q=trafficking")
    assert page.evaluate("() => window.__pwned === undefined")
    assert page.evaluate("() => document.getElementsByTagName('script').length") == 0
    assert dialogs == []
