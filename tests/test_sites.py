"""Site definitions: the built-in OJP sites, sites files, and every validation error's message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawlers import settings as settings_module
from crawlers.settings import crawl_settings
from crawlers.sites import (
    BUILTIN_SITES,
    CrawlSettings,
    SiteConfigError,
    load_sites,
)
from index.records import AGENCIES, CONTENT_TYPES

NEW_SITE = """
[[site]]
name = "mirror"
agency = "NIJ"
start_urls = ["http://127.0.0.1:8000/nij/"]
allowed_hosts = ["127.0.0.1"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SiteConfigError) as caught:
        load_sites(path)
    return str(caught.value).replace(str(path), "sites.toml")


# -- built-ins -----------------------------------------------------------------------------------


def test_builtins_cover_the_ojp_family() -> None:
    config = load_sites()
    assert list(config.sites) == ["ojp", "nij", "ovc", "ojjdp", "bja", "bjs", "smart"]
    ojp = config.sites["ojp"]
    assert "https://www.ojp.gov/library/publications" in ojp.start_urls
    assert "https://www.ojp.gov/ncjrs/virtual-library/abstracts" in ojp.start_urls
    assert ojp.sitemaps == ("https://www.ojp.gov/sitemap.xml",)
    assert config.sites["bjs"].allowed_hosts == ("bjs.ojp.gov",)
    assert config.select(None) == list(BUILTIN_SITES)


def test_builtins_pass_their_own_validation() -> None:
    for site in BUILTIN_SITES:
        assert site.agency in AGENCIES
        assert all(kind in CONTENT_TYPES for _, kind in site.kinds)
        assert all(site.allows_host(url) for url in (*site.start_urls, *site.sitemaps))


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://nij.ojp.gov/topics/articles/overview-human-trafficking", True),
        ("https://nij.ojp.gov/library/publications/fight-against-human-trafficking", True),
        ("https://nij.ojp.gov/topics?page=3", True),
        ("https://nij.ojp.gov/topics?page=50", False),  # endless pager
        ("https://nij.ojp.gov/funding?solicitationid=3964", False),  # faceted / legacy query
        ("https://nij.ojp.gov/library/publications/list?series_filter=Prisoners", False),
        ("https://nij.ojp.gov/media/image/31571", False),
        ("https://nij.ojp.gov/multimedia/2023-nij-research-conference-opening-ceremony", False),
        ("https://nij.ojp.gov/search/results?keys=dna", False),
        ("https://nij.ojp.gov/events/calendar/2024-05", False),
        ("https://nij.ojp.gov/es/node/87001", False),
        ("https://bja.ojp.gov/topics", False),  # another host
        ("ftp://nij.ojp.gov/topics", False),
    ],
)
def test_builtin_rules_skip_traps(url: str, allowed: bool) -> None:
    assert load_sites().sites["nij"].allows(url) is allowed


@pytest.mark.parametrize(
    ("site", "url", "kind"),
    [
        ("ojp", "https://www.ojp.gov/library/publications/ojjdp-overview", "publication"),
        ("ojp", "https://www.ojp.gov/ncjrs/virtual-library/abstracts/what-office", "publication"),
        ("ojp", "https://www.ojp.gov/feature/elder-abuse/additional", "feature"),
        ("ojp", "https://www.ojp.gov/news/ojp-blogs/some-post", "blog"),
        ("nij", "https://nij.ojp.gov/topics/articles/overview-human-trafficking", "article"),
        ("nij", "https://nij.ojp.gov/taxonomy/term/labor-trafficking", "topic"),
        ("bja", "https://bja.ojp.gov/funding/opportunities/o-bja-2023-171861", "funding"),
        ("ovc", "https://ovc.ojp.gov/announcement/some-news", "announcement"),
        ("ovc", "https://ovc.ojp.gov/program/vtt/about-the-toolkit", "program"),
        ("nij", "https://nij.ojp.gov/events/2024-conference", "event"),
        ("nij", "https://nij.ojp.gov/", None),
    ],
)
def test_builtin_kind_rules(site: str, url: str, kind: str | None) -> None:
    assert load_sites().sites[site].kind_of(url) == kind


def test_default_crawl_settings_are_fit_for_federal_servers() -> None:
    defaults = CrawlSettings()
    assert defaults.download_delay == 1.0 and defaults.concurrency_per_host == 1  # 1 req/s/host
    assert defaults.timeout == 15.0
    assert defaults.max_page_bytes == defaults.max_document_bytes == 15 * 1024 * 1024
    assert defaults.obey_robots and defaults.autothrottle
    assert re.match(r"^ojp-search/\S+ \(\+https://\S+", defaults.user_agent)  # with a contact URL
    scrapy_settings = crawl_settings(defaults)
    assert scrapy_settings["ROBOTSTXT_USER_AGENT"] == "ojp-search"
    assert scrapy_settings["USER_AGENT"] == settings_module.USER_AGENT == defaults.user_agent
    assert (settings_module.DOWNLOAD_DELAY, settings_module.DOWNLOAD_TIMEOUT) == (1.0, 15.0)
    assert settings_module.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert settings_module.DOWNLOAD_MAXSIZE == 15 * 1024 * 1024


def test_every_scrapy_setting_states_its_reason() -> None:
    source = Path(settings_module.__file__).read_text(encoding="utf-8").splitlines()
    unexplained = []
    for number, line in enumerate(source):
        if re.match(r"^[A-Z_]+ = ", line) and not line.startswith(("BOT_NAME", "SPIDER_MODULES")):
            above = source[number - 1] if number else ""
            if "#" not in line and not (above.startswith("#") or re.match(r"^[A-Z_]+ = ", above)):
                unexplained.append(line)
    assert unexplained == []


# -- sites files ---------------------------------------------------------------------------------


def test_file_adds_a_site_and_sets_crawl_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[crawl]\ndownload_delay = 0\ntimeout = 3\nautothrottle = false\n"
        + NEW_SITE
        + 'kinds = [["^/nij/events/", "event"]]\nallow = ["^/nij/"]\n',
    )
    config = load_sites(path)
    mirror = config.sites["mirror"]
    assert mirror.kinds == (("^/nij/events/", "event"),)
    assert mirror.allows("http://127.0.0.1:8000/nij/topics")
    assert not mirror.allows("http://127.0.0.1:8000/ovc/topics")
    assert config.crawl == CrawlSettings(download_delay=0.0, timeout=3.0, autothrottle=False)
    assert "nij" in config.sites  # built-ins stay available by name
    assert [site.name for site in config.select(None)] == ["mirror"]  # the file's sites
    assert [site.name for site in config.select(["nij", "mirror"])] == ["nij", "mirror"]


def test_file_site_with_a_builtin_name_overrides_only_the_fields_it_sets(tmp_path: Path) -> None:
    path = write(tmp_path, '[[site]]\nname = "nij"\ndeny = ["^/media/"]\n')
    nij = load_sites(path).sites["nij"]
    builtin = next(site for site in BUILTIN_SITES if site.name == "nij")
    assert nij.deny == ("^/media/",)
    assert nij.start_urls == builtin.start_urls
    assert nij.agency == "NIJ"


def test_file_with_only_crawl_settings_selects_every_builtin(tmp_path: Path) -> None:
    config = load_sites(write(tmp_path, "[crawl]\ndownload_delay = 2.5\n"))
    assert config.select(None) == list(BUILTIN_SITES)
    assert config.crawl.download_delay == 2.5


def test_kinds_may_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, NEW_SITE + 'kinds = { "^/nij/events/" = "event", "/x" = "page" }\n')
    assert load_sites(path).sites["mirror"].kinds == (("^/nij/events/", "event"), ("/x", "page"))


def test_unknown_site_name_lists_the_known_ones(tmp_path: Path) -> None:
    config = load_sites(write(tmp_path, NEW_SITE))
    with pytest.raises(SiteConfigError) as caught:
        config.select(["njj"])
    assert str(caught.value) == (
        "unknown site 'njj'. Known sites: ojp, nij, ovc, ojjdp, bja, bjs, smart, mirror."
    )


# -- validation errors: exact messages -----------------------------------------------------------

AGENCY_LIST = ", ".join(AGENCIES)
TYPE_LIST = ", ".join(CONTENT_TYPES)
SITE_FIELD_LIST = "name, agency, start_urls, allowed_hosts, sitemaps, allow, deny, kinds"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[site]]\nname = "nij"\nallow = ["^/(topics"]\n',
            "sites.toml: site 'nij': field 'allow': bad regular expression '^/(topics': "
            "missing ), unterminated subpattern",
        ),
        (
            '[[site]]\nname = "nij"\ndeny = ["[a-"]\n',
            "sites.toml: site 'nij': field 'deny': bad regular expression '[a-': "
            "unterminated character set",
        ),
        (
            '[[site]]\nname = "nij"\nagnecy = "NIJ"\n',
            f"sites.toml: site 'nij': unknown field 'agnecy'. Fields: {SITE_FIELD_LIST}.",
        ),
        (
            '[[site]]\nname = "nij"\nagency = "NJI"\n',
            f"sites.toml: site 'nij': field 'agency': unknown agency 'NJI'. "
            f"Agencies: {AGENCY_LIST}.",
        ),
        (
            '[[site]]\nname = "nij"\nagency = 3\n',
            "sites.toml: site 'nij': field 'agency': expected a string, got an integer.",
        ),
        (
            '[[site]]\nname = "nij"\nstart_urls = "https://nij.ojp.gov/"\n',
            "sites.toml: site 'nij': field 'start_urls': expected a list of strings, got a string.",
        ),
        (
            '[[site]]\nname = "nij"\nstart_urls = ["nij.ojp.gov/topics"]\n',
            "sites.toml: site 'nij': field 'start_urls': bad URL 'nij.ojp.gov/topics': "
            "write an absolute http(s) URL.",
        ),
        (
            '[[site]]\nname = "nij"\nstart_urls = ["ftp://nij.ojp.gov/"]\n',
            "sites.toml: site 'nij': field 'start_urls': bad URL 'ftp://nij.ojp.gov/': "
            "write an absolute http(s) URL.",
        ),
        (
            '[[site]]\nname = "nij"\nstart_urls = ["https://bja.ojp.gov/"]\n',
            "sites.toml: site 'nij': field 'start_urls': 'https://bja.ojp.gov/' is not on an "
            "allowed host (nij.ojp.gov); add its host to allowed_hosts.",
        ),
        (
            '[[site]]\nname = "nij"\nsitemaps = ["https://evil.example/sitemap.xml"]\n',
            "sites.toml: site 'nij': field 'sitemaps': 'https://evil.example/sitemap.xml' is "
            "not on an allowed host (nij.ojp.gov); add its host to allowed_hosts.",
        ),
        (
            '[[site]]\nname = "nij"\nallowed_hosts = ["https://nij.ojp.gov/"]\n',
            "sites.toml: site 'nij': field 'allowed_hosts': bad host 'https://nij.ojp.gov/': "
            "write a lower-case host name or IP address, without scheme, port or path.",
        ),
        (
            '[[site]]\nname = "nij"\nallowed_hosts = []\n',
            "sites.toml: site 'nij': field 'allowed_hosts': list at least one host.",
        ),
        (
            '[[site]]\nname = "nij"\nkinds = [["^/topics/", "topik"]]\n',
            f"sites.toml: site 'nij': field 'kinds': unknown content type 'topik'. "
            f"Types: {TYPE_LIST}.",
        ),
        (
            '[[site]]\nname = "nij"\nkinds = [["^/topics/"]]\n',
            "sites.toml: site 'nij': field 'kinds': expected [regex, content type] pairs, "
            "got ['^/topics/'].",
        ),
        (
            '[[site]]\nname = "nij"\nkinds = [["^/(x", "page"]]\n',
            "sites.toml: site 'nij': field 'kinds': bad regular expression '^/(x': "
            "missing ), unterminated subpattern",
        ),
        (
            '[[site]]\nname = "new"\nagency = "NIJ"\nstart_urls = ["https://x.gov/"]\n',
            "sites.toml: site 'new': field 'allowed_hosts': missing (a new site needs it).",
        ),
        (
            '[[site]]\nagency = "NIJ"\n',
            "sites.toml: site #1: field 'name': missing or not a string.",
        ),
        (
            '[[site]]\nname = "New Site"\n',
            "sites.toml: site 'New Site': field 'name': "
            "use lower-case letters, digits, '-' and '_' only.",
        ),
        (
            NEW_SITE + NEW_SITE,
            "sites.toml: site 'mirror': defined twice.",
        ),
        (
            '[[site]]\nname = "nij"\nagency = \n',
            "sites.toml: line 3: not valid TOML: Invalid value.",
        ),
        (
            "[crawl]\ntimeout = 1\n[crawl]\nretries = 2\n",
            "sites.toml: line 3: not valid TOML: Cannot declare ('crawl',) twice.",
        ),
        (
            '[sitez]\nname = "nij"\n',
            "sites.toml: unknown table 'sitez'. Tables: [[site]] and [crawl].",
        ),
        (
            '[site]\nname = "nij"\n',
            "sites.toml: 'site' must be an array of tables, written [[site]].",
        ),
        (
            "[crawl]\ntimeot = 3\n",
            "sites.toml: [crawl]: unknown field 'timeot'. Fields: user_agent, download_delay, "
            "concurrency_per_host, autothrottle, timeout, max_page_bytes, max_pages, "
            "depth_limit, retries, obey_robots, revalidate_days, miss_limit, max_removal_share, "
            "removal_floor, fetch_documents, max_documents, max_document_bytes, "
            "max_document_pages, max_document_seconds, max_page_seconds, max_nesting_depth, "
            "max_body_chars, "
            "max_record_terms, max_queued_urls, max_crawl_memory_mb, max_site_seconds, "
            "max_run_seconds.",
        ),
        (
            '[crawl]\ntimeout = "fast"\n',
            "sites.toml: [crawl]: field 'timeout': expected float, got a string.",
        ),
        (
            "[crawl]\nretries = true\n",
            "sites.toml: [crawl]: field 'retries': expected int, got a boolean.",
        ),
        (
            "[crawl]\nmax_pages = 1.5\n",
            "sites.toml: [crawl]: field 'max_pages': expected int, got a float.",
        ),
        (
            "[crawl]\ntimeout = 0\n",
            "sites.toml: [crawl]: field 'timeout': must be more than 0, got 0.",
        ),
        (
            "[crawl]\ndownload_delay = -1\n",
            "sites.toml: [crawl]: field 'download_delay': must be at least 0, got -1.",
        ),
        (
            "[crawl]\nconcurrency_per_host = 0\n",
            "sites.toml: [crawl]: field 'concurrency_per_host': must be at least 1, got 0.",
        ),
        (
            "[crawl]\nmax_removal_share = 2.0\n",
            "sites.toml: [crawl]: field 'max_removal_share': must be between 0 and 1, got 2.0.",
        ),
        (
            '[crawl]\nuser_agent = "  "\n',
            "sites.toml: [crawl]: field 'user_agent': must not be empty.",
        ),
        (
            "[crawl]\nmax_document_seconds = 0\n",
            "sites.toml: [crawl]: field 'max_document_seconds': must be more than 0, got 0.",
        ),
        (
            "[crawl]\nmax_document_pages = 0\n",
            "sites.toml: [crawl]: field 'max_document_pages': must be at least 1, got 0.",
        ),
        (
            '[crawl]\nfetch_documents = "yes"\n',
            "sites.toml: [crawl]: field 'fetch_documents': expected bool, got a string.",
        ),
    ],
)
def test_validation_error_messages(tmp_path: Path, text: str, message: str) -> None:
    assert error_of(tmp_path, text) == message


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(SiteConfigError) as caught:
        load_sites(path)
    assert str(caught.value) == f"{path}: no such sites file."


def test_error_names_the_file_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, '[[site]]\nname = "nij"\nallow = ["^/(topics"]\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SiteConfigError) as caught:
        load_sites(Path("sites.toml"))
    assert str(caught.value).startswith("sites.toml: site 'nij': field 'allow': ")


def test_a_refresh_plan_takes_its_retries_and_removal_valve_from_the_sites_file(
    tmp_path: Path,
) -> None:
    from flows.refresh import plan_refresh

    sites = tmp_path / "sites.toml"
    sites.write_text(
        "[crawl]\nretries = 0\nremoval_floor = 10\nmax_removal_share = 0.25\n"
        '[[site]]\nname = "local"\nagency = "NIJ"\nstart_urls = ["http://127.0.0.1:9/"]\n'
        'allowed_hosts = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    plan = plan_refresh(None, False, str(sites), str(tmp_path / "data"))
    assert (plan.retries, plan.removal_floor, plan.max_removal_share) == (0, 10, 0.25)
    default = plan_refresh(None, False, None, str(tmp_path / "data"))
    assert (default.retries, default.removal_floor, default.max_removal_share) == (2, 3, 0.10)
