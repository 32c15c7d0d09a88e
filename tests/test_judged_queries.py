"""Judged queries on the bundled sample site: the ranking is tuned against these, not by taste.

The index is built the way a refresh builds it, minus the HTTP: every sample page the crawl would
keep (robots.txt obeyed, low-value pages left out) is normalized with its prefix's agency hint
(the normalizer detects the kind), synced into a real store, and indexed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest

from crawlers.normalize import normalize_page
from crawlers.sample_site.server import SITE_ROOT
from crawlers.sample_site.site_definitions import PREFIXES
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.writer import update_index
from index.records import CrawlSummary, FetchResult, Record
from index.store import Store

BASE_URL = "http://127.0.0.1:8000"
RECALL_AT_3 = 0.9
#: Pages no site definition keeps (image pages, multimedia transcripts).
LOW_VALUE = ("/media/image/", "/multimedia/")


@dataclass(frozen=True)
class Judged:
    query: str
    expected: tuple[str, ...]  # URL paths; any of them in the top 3 is a hit
    agency: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    since: str | None = None
    note: str = field(default="", compare=False)


LIBRARY = "/library/publications/"
FIGHT = (
    LIBRARY + "fight-against-human-trafficking",
    "/nij" + LIBRARY + "fight-against-human-trafficking",
)
TRAFFICKING = (
    *FIGHT,
    "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
    "/feature/human-trafficking/overview",
)
RECIDIVISM = (
    "/bjs" + LIBRARY + "recidivism-prisoners-released-34-states-2012",
    "/smart" + LIBRARY + "recidivism-adult-sexual-offenders",
)
NCJRS = "/ncjrs/virtual-library/abstracts/"

JUDGED = (
    Judged("human trafficking", TRAFFICKING),
    Judged("trafficing", TRAFFICKING, note="misspelling"),
    Judged("recidivsm", RECIDIVISM, note="misspelling"),
    Judged("forensc science", ("/nij/topics/forensics",), note="misspelling"),
    Judged("recidivism of prisoners", RECIDIVISM[:1]),
    Judged(
        "OVC victim services",
        (
            "/ovc/funding/opportunities/o-ovc-2024-172012",
            "/ovc/",
            "/ovc/about",
            LIBRARY + "what-office-victims-crime-fact-sheet",
        ),
        note="acronym",
    ),
    Judged(
        "National Institute of Justice forensic",
        (
            "/nij/topics/forensics",
            "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
            "/nij"
            + LIBRARY
            + "national-best-practices-sexual-assault-kits-multidisciplinary-approach",
            LIBRARY + "forensic-science-technology-needs-assessment",
        ),
        note="bureau name",
    ),
    Judged(
        "Office for Victims of Crime",
        (
            "/ovc/",
            NCJRS + "what-office-victims-crime",
            LIBRARY + "what-office-victims-crime-fact-sheet",
        ),
    ),
    Judged("NCJ 252984", FIGHT, note="NCJ number"),
    Judged("252984", FIGHT, note="NCJ number alone"),
    Judged("NCJ255947", RECIDIVISM[:1], note="NCJ number"),
    Judged("O-BJA-2023-171861", ("/bja/funding/opportunities/o-bja-2023-171861",)),
    Judged("O-NIJ-2024-171953", ("/nij/funding/opportunities/o-nij-2024-171953",)),
    Judged(
        '"body-worn cameras"',
        (
            "/nij" + LIBRARY + "body-worn-cameras-what-law-enforcement-leaders-should-know",
            "/nij/topics/articles/research-body-worn-cameras-and-law-enforcement",
        ),
        note="phrase",
    ),
    Judged(
        '"sexual assault kits"',
        (
            "/nij/topics/articles/sexual-assault-kits-using-science-find-solutions",
            "/nij"
            + LIBRARY
            + "national-best-practices-sexual-assault-kits-multidisciplinary-approach",
        ),
        note="phrase",
    ),
    Judged(
        "elder abuse",
        (
            LIBRARY + "office-justice-programs-focuses-studying-and-preventing-elder-abuse",
            NCJRS + "united-states-department-justices-elder-abuse-initiatives",
            "/events/world-elder-abuse-awareness-day-2021-webinar",
        ),
    ),
    Judged(
        "elder abuse",
        ("/events/world-elder-abuse-awareness-day-2021-webinar",),
        type=("event",),
        note="--type",
    ),
    Judged(
        "opioid overdose naloxone", (NCJRS + "law-enforcement-naloxone-programs-opioid-overdose",)
    ),
    Judged("criminal victimization 2022", ("/bjs" + LIBRARY + "criminal-victimization-2022",)),
    Judged("NCVS", ("/bjs/data-collection/national-crime-victimization-survey-ncvs",)),
    Judged("digital evidence", ("/nij/topics/articles/improving-collection-digital-evidence",)),
    Judged(
        "probationers thoughts",
        ("/nij/topics/articles/how-probationers-thoughts-crime-may-inform-conduct",),
    ),
    Judged("SORNA", ("/smart/sorna",)),
    Judged(
        "sex offender registration", ("/smart/sorna", "/smart/somapi/adult-sex-offender-management")
    ),
    Judged("Adam Walsh Act", ("/smart/funding/opportunities/o-smart-2025-172307",)),
    Judged("mentoring youth opioid", ("/ojjdp/funding/opportunities/o-ojjdp-2024-171999",)),
    Judged("OJJDP priorities", ("/ojjdp" + LIBRARY + "ojjdp-priorities-youth-justice",)),
    Judged(
        "Office of Juvenile Justice and Delinquency Prevention overview",
        (LIBRARY + "ojjdp-overview",),
        note="bureau name",
    ),
    Judged(
        "labor trafficking screening tool",
        (NCJRS + "labor-trafficking-investigations-screening-tool",),
    ),
    Judged(
        "trafficking",
        (
            "/nij" + LIBRARY + "fight-against-human-trafficking",
            "/nij/topics/articles/overview-human-trafficking-and-nijs-role",
            "/nij/funding/opportunities/o-nij-2024-171953",
            "/nij/topics/human-trafficking",
            NCJRS + "labor-trafficking-investigations-screening-tool",
        ),
        agency=("NIJ",),
        note="--agency",
    ),
    Judged(
        "trafficking",
        (
            "/nij/funding/opportunities/o-nij-2024-171953",
            "/ovc/funding/opportunities/o-ovc-2024-172012",
        ),
        since="2024",
        note="--since",
    ),
    Judged(
        "victims rights week",
        ("/ovc/announcement/national-crime-victims-rights-week-2024-theme",),
    ),
    Judged(
        "Victims of Crime Act 1984",
        (NCJRS + "victims-crime-act-1984-amended-report-president-congress-and-nation",),
    ),
    Judged(
        "NIJ 1997 year in review",
        (LIBRARY + "national-institute-justice-1997-year-review",),
    ),
    Judged("NCJRS user's guide", ("/txtfiles/155063.txt",)),
    Judged("second chances", ("/news/ojp-blogs/second-chances-first-opportunities",)),
    Judged(
        "awards to combat human trafficking",
        ("/news/news-release/justice-department-awards-combat-human-trafficking",),
    ),
    Judged(
        "title:cameras",
        ("/bja/funding/opportunities/o-bja-2023-171861",),
        type=("funding",),
        note="field + --type",
    ),
    Judged(
        "survivor voices", ("/news/ojp-blogs/enforcing-victims-rights-elevating-survivor-voices",)
    ),
    Judged("research conference 2023", ("/nij/events/conference-2023",)),
    Judged("OVC fast facts", (NCJRS + "2015-ovc-report-nation-fast-facts-fact-sheet",)),
    Judged(
        "jail inmates",
        (NCJRS + "jail-inmates-2022-statistical-tables",),
        agency=("BJS",),
        note="agency inferred from the annotation",
    ),
    Judged(
        '"Criminology & Public Policy"',
        (NCJRS + "police-legitimacy-procedural-justice-review",),
        note="journal name",
    ),
    Judged("elder abuse overview", ("/feature/elder-abuse/overview",), note="subpage title"),
    Judged(
        "how do I apply for funding?",
        ("/ojjdp/funding/how-to-apply", "/ovc/funding/funding-resources"),
        note="question",
    ),
    Judged(
        "trafficking published:2024..2025",
        (
            "/nij/funding/opportunities/o-nij-2024-171953",
            "/ovc/funding/opportunities/o-ovc-2024-172012",
        ),
    ),
)


def url_path(relative: Path) -> str:
    """The request path the sample server answers with this file (its documented rule)."""
    text = relative.as_posix()
    text = text.removesuffix(".html")
    if text == "index" or text.endswith("/index"):
        text = text.removesuffix("index")
    return "/" + text.replace("@", "?", 1)


def sample_site_records() -> Iterator[Record]:
    """Every page of the bundled site a crawl would keep, normalized."""
    robots = RobotFileParser()
    robots.parse((SITE_ROOT / "robots.txt").read_text().splitlines())
    files = [*SITE_ROOT.rglob("*.html"), *SITE_ROOT.rglob("sites/**/*.htm")]
    files += [*(SITE_ROOT / "txtfiles").glob("*.txt"), *(SITE_ROOT / "txtfiles1").rglob("*.txt")]
    for file in sorted(files):
        path = url_path(file.relative_to(SITE_ROOT))
        if file.name.startswith("_") or any(low in path for low in LOW_VALUE):
            continue
        if not robots.can_fetch("*", BASE_URL + path):
            continue
        prefix = max(
            (p for p in PREFIXES if path.startswith(p.prefix)), key=lambda p: len(p.prefix)
        )
        media = "text/plain" if file.suffix == ".txt" else "text/html; charset=utf-8"
        page = file.read_bytes().replace(b"{{BASE_URL}}", BASE_URL.encode())
        result = normalize_page(
            BASE_URL + path,
            page,
            {"Content-Type": media},
            site=prefix.name,
            agency=prefix.agency,
            fetched_at="2026-01-01T00:00:00+00:00",
        )
        if isinstance(result, Record):
            yield result


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    data_dir = DataDir(Path(tmp_path_factory.mktemp("judged")) / "data").ensure()
    records = list(sample_site_records())
    assert len(records) > 60
    with Store.open(data_dir) as store:
        run = store.start_run(["sample"])
        store.stage_results(
            run,
            "sample",
            [FetchResult(url=r.url, outcome="fetched", record=r, http_status=200) for r in records],
        )
        store.save_crawl_summary(run, CrawlSummary(site="sample", complete=True))
        store.apply_run(run)
        store.finish_run(run, status="completed")
        update_index(store, data_dir)
    return data_dir


def top_paths(data_dir: DataDir, judged: Judged, n: int = 3) -> list[str]:
    request = SearchRequest(
        judged.query, agency=judged.agency, type=judged.type, since=judged.since, limit=n
    )
    return [hit.url.removeprefix(BASE_URL) for hit in search(data_dir, request).hits]


def test_judged_queries_recall_at_3(sample_index: DataDir) -> None:
    """At least 90% of the judged queries have an expected page in their top 3.

    Why 0.9 and not 1.0: a few broad queries ("trafficking", "elder abuse") have several fair
    answers and the site is small, so one or two can legitimately shift when pages change; 0.9
    still fails on any real ranking regression (each query is ~2.5% of the score, and a broken
    field weight, synonym, spelling or filter path costs several at once). Misses are reported.
    """
    assert len(JUDGED) >= 32
    misses = []
    for judged in JUDGED:
        got = top_paths(sample_index, judged)
        if not set(got) & set(judged.expected):
            misses.append(f"{judged.query!r} {judged.note}: got {got}")
    recall = 1 - len(misses) / len(JUDGED)
    report = "\n".join(misses)
    print(f"recall@3 = {recall:.3f} ({len(JUDGED) - len(misses)}/{len(JUDGED)})\n{report}")
    assert recall >= RECALL_AT_3, f"recall@3 {recall:.3f} < {RECALL_AT_3}; misses:\n{report}"
