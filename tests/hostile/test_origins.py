"""A hostile site tries to send the crawler to another server: another port of the same host,
the allowed host's name on another port, IPv4-mapped and special addresses, by links, redirects
(at any hop), meta refreshes, PDF links, ``rel=canonical``, sitemaps, sitemap indexes and
robots.txt. A listener on the forbidden port counts what reaches it: nothing may."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawlers.middlewares import is_non_public
from crawlers.sites import load_sites
from index.urls import canonical_url
from tests.crawl_server import CrawlServer, Hit, Route, page
from tests.hostile.refresh import Refresh, refresh

pytestmark = pytest.mark.xdist_group("hostile")


def sitemap(*locs: str, index: bool = False) -> bytes:
    tag, root = ("sitemap", "sitemapindex") if index else ("url", "urlset")
    entries = "".join(f"<{tag}><loc>{loc}</loc></{tag}>" for loc in locs)
    xmlns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    return f'<?xml version="1.0"?><{root} {xmlns}>{entries}</{root}>'.encode()


@dataclass
class Escapes:
    base: str
    first: Refresh
    second: Refresh
    forbidden_hits: list[Hit]


@pytest.fixture(scope="module")
def escapes(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> Iterator[Escapes]:
    root = tmp_path_factory.mktemp("origins")
    with CrawlServer() as site, CrawlServer() as forbidden:
        base, port = site.base_url, forbidden.port
        other = f"http://127.0.0.1:{port}"  # the same host, another port
        named = f"http://localhost:{port}"  # an allowed host name, another port
        elsewhere = (
            f"{other}/link",
            f"{named}/link",
            f"http://[::ffff:127.0.0.1]:{port}/mapped",
            f"http://0.0.0.0:{port}/zero",
            f"http://2130706433:{port}/decimal",
        )
        site.routes.update(
            {
                "/robots.txt": Route(
                    f"Sitemap: {other}/sitemap.xml\nSitemap: {base}/index.xml\n".encode(),
                    "text/plain",
                ),
                "/index.xml": Route(
                    sitemap(
                        f"{other}/sub.xml", f"{named}/sub.xml", f"{base}/sitemap.xml", index=True
                    ),
                    "application/xml",
                ),
                "/sitemap.xml": Route(
                    sitemap(f"{base}/a", f"{other}/listed", f"{named}/listed", f"{other}/doc.pdf"),
                    "application/xml",
                ),
                "/": Route(
                    page(
                        "Home",
                        links=(
                            *elsewhere,
                            "/redirect",
                            "/redirect-by-name",
                            "/chain",
                            "/refresh",
                            "/with-pdf",
                            "/canonical",
                        ),
                    )
                ),
                "/a": Route(page("Page A")),
                "/redirect": Route(status=302, location=f"{other}/redirected"),
                "/redirect-by-name": Route(status=301, location=f"{named}/redirected"),
                "/chain": Route(status=302, location="/chain2"),
                "/chain2": Route(status=302, location=f"{other}/second-hop"),
                "/refresh": Route(
                    page("Refresh", head=f'<meta http-equiv="refresh" content="0; url={other}/r">')
                ),
                "/with-pdf": Route(
                    page("Report page", links=(f"{other}/report.pdf", f"{named}/report.pdf"))
                ),
                "/canonical": Route(
                    page("Canonical", head=f'<link rel="canonical" href="{other}/canonical">')
                ),
            }
        )
        sites = root / "sites.toml"
        sites.write_text(
            f"""
[crawl]
download_delay = 0
autothrottle = false
retries = 0
timeout = 5.0

[[site]]
name = "hostile"
agency = "NIJ"
start_urls = ["{base}/"]
sitemaps = ["{base}/robots.txt"]
allowed_hosts = ["127.0.0.1", "localhost"]
""",
            encoding="utf-8",
        )
        data_dir = root / "data"
        first = refresh(sites, data_dir, prefect_api=prefect_api)
        second = refresh(
            sites, data_dir, prefect_api=prefect_api
        )  # known URLs (the canonical one too) requested again
        yield Escapes(base, first, second, list(forbidden.hits))


def test_nothing_reaches_another_port(escapes: Escapes) -> None:
    assert escapes.forbidden_hits == []
    assert (escapes.first.code, escapes.second.code) == (0, 0), escapes.first.err


def test_the_site_itself_is_crawled(escapes: Escapes) -> None:
    urls = set(escapes.second.records)
    assert {canonical_url(f"{escapes.base}{path}") for path in ("/", "/a", "/with-pdf")} <= urls
    assert escapes.first.summaries["hostile"].complete


def test_a_canonical_link_to_another_port_keeps_the_fetched_url(escapes: Escapes) -> None:
    record = escapes.second.records[canonical_url(f"{escapes.base}/canonical")]
    assert record.title == "Canonical"


def test_pdf_links_to_another_port_are_listed_not_read(escapes: Escapes) -> None:
    record = escapes.second.records[canonical_url(f"{escapes.base}/with-pdf")]
    assert all(not attachment.text for attachment in record.attachments)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.ojp.gov/library", True),
        ("http://www.ojp.gov/library", True),  # http links on an https site: default ports
        ("https://www.ojp.gov:443/library", True),
        ("https://www.ojp.gov:8443/library", False),
        ("http://www.ojp.gov:443/library", False),
        ("https://ojp.gov:99999/library", False),
        ("ftp://www.ojp.gov/library", False),
    ],
)
def test_allowed_origins_are_scheme_host_and_port(url: str, allowed: bool) -> None:
    assert load_sites().sites["ojp"].allows_host(url) is allowed


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("100.64.0.1", True),  # carrier-grade NAT
        ("0.0.0.1", True),
        ("64:ff9b::a00:1", True),  # NAT64 of 10.0.0.1
        ("::ffff:127.0.0.1", True),  # IPv4-mapped
        ("::ffff:8.8.8.8", True),
        ("2002:a00:1::1", True),  # 6to4 of 10.0.0.1
        ("198.18.0.1", True),
        ("192.0.2.1", True),
        ("fd00::1", True),
        ("169.254.169.254", True),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_special_purpose_addresses_are_not_public(address: str, refused: bool) -> None:
    assert is_non_public(ipaddress.ip_address(address)) is refused


def test_a_site_on_a_port_of_its_own_allows_only_that_port(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[[site]]\nname = "mirror"\nagency = "NIJ"\n'
        'start_urls = ["http://127.0.0.1:8000/"]\nallowed_hosts = ["127.0.0.1", "localhost"]\n'
    )
    mirror = load_sites(sites).sites["mirror"]
    assert mirror.allows_host("http://localhost:8000/x")
    assert not mirror.allows_host("http://127.0.0.1/x")  # port 80: another server
    assert not mirror.allows_host("http://127.0.0.1:8001/x")
    assert not mirror.allows_host("https://127.0.0.1:8000/x")
