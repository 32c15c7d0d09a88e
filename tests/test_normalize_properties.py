"""Property tests: mutated and random HTML never breaks the normalizer, and a Record it returns
always has a real title (never empty, never the gov banner)."""

from __future__ import annotations

import random
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.normalize import Skip, normalize_page
from crawlers.normalize.boilerplate import is_banner_text
from index.records import AGENCIES, CONTENT_TYPES, Record

PAGES = Path(__file__).parent / "fixtures" / "pages"
FIXTURES = sorted(PAGES.glob("*.html"))
BANNER = "official website of the united states government"
URLS = (
    "https://www.ojp.gov/library/publications/x",
    "https://www.ojp.gov/ncjrs/virtual-library/abstracts/x",
    "https://nij.ojp.gov/topics/articles/x",
    "https://www.ojp.gov/feature/x/overview",
    "https://nij.ojp.gov/taxonomy/term/x",
    "https://bja.ojp.gov/funding/opportunities/o-bja-2023-171861",
    "https://ojp.gov/events/x",
    "http://127.0.0.1:8000/nij/x",
)
OPERATIONS = ("delete", "duplicate", "shuffle", "unwrap", "text", "banner")
BANNER_WORDINGS = (
    "An official website of the United States government, Department of Justice.",
    "Here’s how you know",
    "The .gov means it’s official.",
    "Official websites use .gov",
)
BLOCKS = ("div", "p", "h1", "h2", "section", "li", "header")
TAGS = ("div", "p", "h1", "h2", "main", "header", "footer", "nav", "section", "ul", "li", "a")


def mutate(html: bytes, seed: int, operations: list[str], cut: int | None) -> bytes:
    """Apply element-level mutations (delete, duplicate, shuffle children, unwrap, replace text,
    put banner wording in a block) and optionally truncate the resulting bytes."""
    rng = random.Random(seed)
    soup = BeautifulSoup(html, "lxml")
    for operation in operations:
        elements = [e for e in soup.find_all(True) if e.name not in ("html", "[document]")]
        if not elements:
            break
        element = rng.choice(elements)
        if operation == "delete":
            element.decompose()
        elif operation == "duplicate":
            element.insert_after(BeautifulSoup(str(element), "lxml").find(element.name) or "")
        elif operation == "shuffle":
            children = [c for c in element.children if isinstance(c, Tag)]
            for child in children:
                child.extract()
            rng.shuffle(children)
            for child in children:
                element.append(child)
        elif operation == "unwrap":
            element.unwrap()
        elif operation == "banner":
            blocks = [e for e in elements if e.name in BLOCKS and not e.decomposed]
            if blocks:
                rng.choice(blocks).string = rng.choice(BANNER_WORDINGS)
        else:
            element.string = rng.choice(["", "Date Published", "NCJ Number", "June, 2011", "?"])
    data = str(soup).encode("utf-8")
    return data[: cut % (len(data) + 1)] if cut is not None else data


def check(result: Record | Skip) -> None:
    assert isinstance(result, (Record, Skip))
    if isinstance(result, Skip):
        assert result.reason
        return
    assert result.title.strip()
    assert not is_banner_text(result.title)
    for text in (result.title, result.summary, result.body):
        assert BANNER not in text.lower()
        for wording in BANNER_WORDINGS:
            assert wording.lower() not in text.lower()
    assert result.agency in AGENCIES
    assert result.content_type in CONTENT_TYPES
    assert result.content_hash == result.compute_hash()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(min_value=0, max_value=len(FIXTURES) - 1),
    seed=st.integers(min_value=0, max_value=2**32),
    operations=st.lists(st.sampled_from(OPERATIONS), max_size=6),
    cut=st.none() | st.integers(min_value=0),
    url=st.sampled_from(URLS),
)
def test_mutated_fixture_pages_never_break_the_normalizer(
    index: int, seed: int, operations: list[str], cut: int | None, url: str
) -> None:
    html = mutate(FIXTURES[index].read_bytes(), seed, operations, cut)
    check(normalize_page(url, html, fetched_at="2026-01-01T00:00:00+00:00"))


random_html = st.recursive(
    st.text(max_size=30),
    lambda inner: st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>",
        st.sampled_from(TAGS),
        st.lists(inner, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(body=random_html, raw=st.binary(max_size=200), url=st.sampled_from(URLS))
def test_random_html_and_bytes_never_break_the_normalizer(body: str, raw: bytes, url: str) -> None:
    check(normalize_page(url, f"<html><body>{body}</body></html>"))
    check(normalize_page(url, raw, {"Content-Type": "text/html"}))
