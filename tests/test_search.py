"""Search behaviour on a small real index built from a real store: query language, filters,
ranking, facets, snippets, suggestions, similar, and every query error with its exact message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from whoosh import sorting

from index.datadir import DataDir
from index.fulltext import facets as facet_module
from index.fulltext.facets import term_docs
from index.fulltext.query import compile_query
from index.fulltext.schema import WORD_FIELDS, WORDS_FIELD
from index.fulltext.searcher import (
    MAX_EXPANSIONS,
    RECENCY_LIFT,
    QueryError,
    RecordNotFoundError,
    SearchRequest,
    search,
    search_ids,
    similar,
)
from index.fulltext.snapshot import keep_warm, open_snapshot, stop_keeping_warm
from index.fulltext.writer import open_searcher, update_index
from index.records import Attachment, Record, record_id
from index.store import Store
from tests.store_builders import fetched, run_crawl


def rec(path: str, title: str, **kw: object) -> Record:
    url = f"https://www.ojp.gov/{path}"
    fields: dict = {"agency": "OJP", "content_type": "publication", "site": "ojp"}
    fields.update(kw)
    return Record(id=record_id(url), url=url, title=title, **fields).with_hash()


TRAFFICKING = rec(
    "library/publications/human-trafficking-task-force",
    "Human Trafficking Task Force Guide",
    agency="OVC",
    summary="How task forces serve victims of human trafficking.",
    body="Victim services for survivors of labor and sex trafficking. " * 5,
    published="2023-04-11",
    topics=("Human trafficking",),
)
TRAFFICKING_TOPIC = rec(
    "topics/human-trafficking",
    "Human Trafficking",
    content_type="topic",
    summary="Human trafficking resources.",
    body="Human trafficking publications, human trafficking events, trafficking news. " * 3,
    published="2024-01-01",
)
RECIDIVISM = rec(
    "ncjrs/virtual-library/abstracts/recidivism-of-prisoners",
    "Recidivism of Prisoners Released in 30 States",
    agency="BJS",
    summary="Five-year recidivism patterns of state prisoners.",
    body="Recidivism measured by rearrest, reconviction and reincarceration.",
    published="2014-04",
    ncj_number="244205",
    authors=("Matthew R. Durose",),
)
DNA = rec(
    "nij/topics/articles/forensic-dna",
    "Forensic DNA Analysis",
    agency="NIJ",
    content_type="article",
    summary="The National Institute of Justice supports forensic DNA laboratories.",
    body="Forensic laboratories reduce the DNA backlog with capacity grants.",
    published="2019-06-15",
)
GRANT = rec(
    "bja/funding/opportunities/o-bja-2023-171861",
    "Smart Policing Initiative FY 2023",
    agency="BJA",
    content_type="funding",
    summary="Funding for data-driven policing strategies.",
    body="Law enforcement agencies may apply.",
    published="2023-02-01",
    opportunity_id="O-BJA-2023-171861",
)
JUVENILE = rec(
    "ojjdp/library/publications/youth-mentoring",
    "Mentoring for Youth in the Juvenile Justice System",
    agency="OJJDP",
    summary="Mentoring reduces delinquency.",
    body="Youth mentoring programs and juvenile justice outcomes.",
    published="2020",
    attachments=(
        Attachment(url="https://www.ojp.gov/pdffiles1/ojjdp/mentor.pdf", text="Appendix tables."),
    ),
)
OLD_TRAFFICKING = rec(
    "ncjrs/virtual-library/abstracts/trafficking-in-persons-1999",
    "Trafficking in Persons: A Review",
    agency="NCJRS",
    summary="An early review of trafficking in persons.",
    body="Trafficking of women and children across borders.",
    published="1999-09",
    ncj_number="181234",
)
WIDGETS = [
    rec(f"library/zeta/{n}", f"Zeta{n:03d} report", body=f"zeta{n:03d} findings", published="2010")
    for n in range(MAX_EXPANSIONS + 20)
]
UNDATED = rec("library/dateless", "Dateless notes", body="No date on this page.")
CORPUS = [
    UNDATED,
    TRAFFICKING,
    TRAFFICKING_TOPIC,
    RECIDIVISM,
    DNA,
    GRANT,
    JUVENILE,
    OLD_TRAFFICKING,
]


def sync(store: Store, records: list[Record]) -> None:
    run_crawl(store, [fetched(r) for r in records], site="ojp", max_removal_share=0.10)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DataDir]:
    data_dir = DataDir(Path(tmp_path_factory.mktemp("search")) / "data").ensure()
    with Store.open(data_dir) as store:
        sync(store, CORPUS + WIDGETS)
        update_index(store, data_dir)
    yield data_dir


def urls(data_dir: DataDir, query: str, **kw: object) -> list[str]:
    return [h.url for h in search(data_dir, SearchRequest(query, **kw)).hits]


def first(data_dir: DataDir, query: str, **kw: object) -> str:
    hits = urls(data_dir, query, **kw)
    assert hits, f"no hits for {query!r}"
    return hits[0]


# -- query language ----------------------------------------------------------------------------


def test_plain_words_are_stemmed(data_dir: DataDir) -> None:
    assert first(data_dir, "mentored youths") == JUVENILE.url


def test_fields_and_aliases(data_dir: DataDir) -> None:
    assert urls(data_dir, "title:recidivism") == [RECIDIVISM.url]
    assert urls(data_dir, "agency:bjs") == [RECIDIVISM.url]
    assert urls(data_dir, "type:funding") == [GRANT.url]
    assert urls(data_dir, "author:durose") == [RECIDIVISM.url]
    assert urls(data_dir, "topic:trafficking") == [TRAFFICKING.url]
    assert urls(data_dir, "doc:appendix") == [JUVENILE.url]
    assert urls(data_dir, f"id:{DNA.id}") == [DNA.url]


def test_boolean_operators_and_phrases(data_dir: DataDir) -> None:
    assert set(urls(data_dir, "trafficking NOT persons")) == {
        TRAFFICKING.url,
        TRAFFICKING_TOPIC.url,
    }
    assert set(urls(data_dir, "recidivism OR mentoring")) == {RECIDIVISM.url, JUVENILE.url}
    assert urls(data_dir, '"capacity grants"') == [DNA.url]
    assert urls(data_dir, '"grants capacity"') == []


def test_unbalanced_quotes_and_parentheses_are_repaired(data_dir: DataDir) -> None:
    assert urls(data_dir, '"capacity grants') == [DNA.url]
    assert urls(data_dir, "(recidivism OR mentoring") != []
    assert urls(data_dir, "recidivism)") == [RECIDIVISM.url]


def test_wildcard_expansion_is_bounded(data_dir: DataDir) -> None:
    results = search(data_dir, SearchRequest("zeta*", limit=200))
    assert 0 < results.total <= MAX_EXPANSIONS
    assert results.parsed.count("body:zeta") <= MAX_EXPANSIONS
    assert urls(data_dir, "rec?divism") == [RECIDIVISM.url]
    ranged = search(data_dir, SearchRequest("title:[zeta000 TO zeta999]", limit=200))
    assert 0 < ranged.total <= MAX_EXPANSIONS
    assert ranged.parsed.count("title:zeta") <= MAX_EXPANSIONS


def test_a_wildcard_matches_without_scoring(data_dir: DataDir) -> None:
    """Expansions filter, like Lucene's constant-score rewrite: alone, hits come newest first;
    beside a word, the word ranks them."""
    alone = search(data_dir, SearchRequest("traffick*")).hits
    assert [h.url for h in alone] == [TRAFFICKING_TOPIC.url, TRAFFICKING.url, OLD_TRAFFICKING.url]
    assert {h.score for h in alone} == {0.0}
    assert first(data_dir, "traffick* survivors") == TRAFFICKING.url


def test_a_pattern_of_wildcards_alone_matches_everything(data_dir: DataDir) -> None:
    everything = len(CORPUS) + len(WIDGETS)
    for text in ("*", "?*", "title:*"):
        assert search(data_dir, SearchRequest(text)).total == everything, text


def test_date_ranges_in_the_query(data_dir: DataDir) -> None:
    assert set(urls(data_dir, "trafficking published:2019..2024")) == {
        TRAFFICKING.url,
        TRAFFICKING_TOPIC.url,
    }
    assert urls(data_dir, "trafficking published:..2000") == [OLD_TRAFFICKING.url]
    assert urls(data_dir, "published:2019-06..2019 forensic") == [DNA.url]
    assert urls(data_dir, "published:2019-07..2020 forensic") == []
    assert (
        "published:[20190000 TO 20249999]"
        in search(data_dir, SearchRequest("trafficking published:2019..2024")).parsed
    )


def test_since_and_until_filters(data_dir: DataDir) -> None:
    assert urls(data_dir, "trafficking", since="2000", until="2023-12-31") == [TRAFFICKING.url]
    assert urls(data_dir, "trafficking", until="1999") == [OLD_TRAFFICKING.url]


def test_agency_and_type_filters(data_dir: DataDir) -> None:
    assert urls(data_dir, "trafficking", agency=("ncjrs",)) == [OLD_TRAFFICKING.url]
    assert set(urls(data_dir, "trafficking", type=("topic", "publication"))) == {
        TRAFFICKING.url,
        TRAFFICKING_TOPIC.url,
        OLD_TRAFFICKING.url,
    }


def test_ncj_number_or_opportunity_id_alone_finds_its_record_first(data_dir: DataDir) -> None:
    assert first(data_dir, "244205") == RECIDIVISM.url
    assert first(data_dir, "NCJ 244205") == RECIDIVISM.url
    assert first(data_dir, "ncj:181234") == OLD_TRAFFICKING.url
    assert first(data_dir, "O-BJA-2023-171861") == GRANT.url


def test_bureau_acronyms_and_names_are_synonyms(data_dir: DataDir) -> None:
    assert first(data_dir, "NIJ laboratories") == DNA.url  # the page says the full name
    assert first(data_dir, '"Office for Victims of Crime" trafficking') == TRAFFICKING.url


def test_smart_is_the_bureau_only_in_capitals(data_dir: DataDir) -> None:
    assert "agency:smart" in search(data_dir, SearchRequest("SMART policing")).parsed
    assert "agency:smart" not in search(data_dir, SearchRequest("smart policing")).parsed
    assert first(data_dir, "smart policing") == GRANT.url


def test_highlights_show_typed_words_not_expanded_names(data_dir: DataDir) -> None:
    hit = search(data_dir, SearchRequest("NIJ laboratories")).hits[0]
    assert "[[laboratories]]" in hit.snippet and "[[Justice]]" not in hit.snippet


# -- ranking, sorting, paging ------------------------------------------------------------------


def test_topic_listings_rank_below_resources(data_dir: DataDir) -> None:
    hits = urls(data_dir, "human trafficking")
    assert hits.index(TRAFFICKING.url) < hits.index(TRAFFICKING_TOPIC.url)


@pytest.fixture(scope="module")
def ranking_dir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """Pages that differ in one respect each: where the word is, and how old the page is."""
    summary = "Findings on reentry programs for adults."
    body = "Program evaluation of reentry services and outcomes. " * 3
    words = "Sentencing reform"

    def page(slug: str, title: str, published: str = "2015", **text: str) -> Record:
        fields = {"summary": summary, "body": body, **text}
        return rec(f"r/{slug}", title, published=published, **fields)

    records = [
        page("body", "Program evaluation", body=f"{body} {words}."),
        page("summary", "Program findings", summary=f"{summary} {words}."),
        page("title", words),
        page("old", "Jail mentoring report", published="2012"),
        page("new", "Jail mentoring report", published=f"{date.today().year}"),
    ]
    data_dir = DataDir(Path(tmp_path_factory.mktemp("ranking")) / "data").ensure()
    with Store.open(data_dir) as store:
        sync(store, records)
        update_index(store, data_dir)
    return data_dir


def test_title_outweighs_summary_outweighs_body(ranking_dir: DataDir) -> None:
    assert [u.rsplit("/", 1)[1] for u in urls(ranking_dir, "sentencing")] == [
        "title",
        "summary",
        "body",
    ]


def test_recent_items_get_a_gentle_lift(ranking_dir: DataDir) -> None:
    hits = search(ranking_dir, SearchRequest("jail mentoring")).hits
    assert [h.url.rsplit("/", 1)[1] for h in hits] == ["new", "old"]
    assert 1.0 < hits[0].score / hits[1].score <= 1.0 + RECENCY_LIFT + 1e-6


def test_sort_by_date_newest_first(data_dir: DataDir) -> None:
    assert urls(data_dir, "trafficking", sort="date") == [
        TRAFFICKING_TOPIC.url,
        TRAFFICKING.url,
        OLD_TRAFFICKING.url,
    ]


def test_pagination(data_dir: DataDir) -> None:
    every = urls(data_dir, "zeta*", limit=100)
    pages = [urls(data_dir, "zeta*", limit=10, page=n) for n in range(1, 8)]
    assert [u for page in pages for u in page] == every
    assert urls(data_dir, "zeta*", limit=10, page=50) == []


# -- facets, snippets, suggestions ---------------------------------------------------------------


def test_facets_count_the_filtered_results(data_dir: DataDir) -> None:
    results = search(data_dir, SearchRequest("trafficking", limit=1))
    assert results.total == 3 and len(results.hits) == 1
    assert results.facets["agency"] == {"OJP": 1, "OVC": 1, "NCJRS": 1}
    assert results.facets["type"] == {"publication": 2, "topic": 1}
    assert results.facets["year"] == {"2024": 1, "2023": 1, "1999": 1}
    undated = search(data_dir, SearchRequest("title:zeta001 OR title:dateless"))
    assert undated.total == 2 and undated.facets["year"] == {"2010": 1}
    filtered = search(data_dir, SearchRequest("trafficking", type=("publication",)))
    assert filtered.facets["type"] == {"publication": 2}


ORACLE_QUERIES = [
    ("trafficking", {}),
    ("human trafficking", {}),
    ("trafficking OR recidivism OR zeta0*", {}),
    ("trafficking NOT persons", {}),
    ('"capacity grants" OR "human trafficking"', {}),
    ("published:2010..2023", {}),
    ("zeta* published:..2010", {}),
    ("trafficking", {"since": "2000", "until": "2023-12-31"}),
    ("trafficking OR forensic", {"agency": ("OVC", "NIJ")}),
    ("report OR trafficking", {"type": ("topic", "publication")}),
    ("NIJ laboratories", {}),
    ("*", {"since": "2019-06"}),
]


@pytest.mark.parametrize("together", [True, False], ids=["facets together", "one by one"])
@pytest.mark.parametrize(("text", "options"), ORACLE_QUERIES)
def test_totals_and_facets_match_whoosh_counting_every_hit(
    data_dir: DataDir,
    text: str,
    options: dict[str, Any],
    together: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Totals and facets come from match sets and the facet table (every facet in one count,
    or, with too many combinations of values, one count per facet); Whoosh's own collector,
    which visits every hit, must agree."""
    if not together:
        monkeypatch.setattr(facet_module, "JOINT_COMBINATIONS", 0)
    request = SearchRequest(text, **options)
    results = search(data_dir, request)
    facets = {
        "agency": sorting.FieldFacet("agency", maptype=sorting.Count),
        "type": sorting.FieldFacet("content_type", maptype=sorting.Count),
        "year": sorting.FieldFacet("year", maptype=sorting.Count),
    }
    with open_searcher(data_dir) as searcher:
        compiled = compile_query(searcher, request)
        every = searcher.search(
            compiled.query, filter=compiled.filter, limit=None, groupedby=facets
        )
        expected = {
            name: {str(k): n for k, n in every.groups(name).items() if k not in (None, "", 0)}
            for name in facets
        }
        assert results.total == len(every) > 0
    assert results.facets == expected


def test_words_holds_every_term_of_the_text_fields_for_the_same_documents(
    data_dir: DataDir,
) -> None:
    """Match sets read a word typed without a field from ``words``: its terms, and each term's
    documents, are exactly those of the text fields together."""
    with open_searcher(data_dir) as searcher:
        reader = searcher.reader()
        terms = {t for name in WORD_FIELDS for t in reader.field_terms(name)}
        assert set(reader.field_terms(WORDS_FIELD)) == terms and "traffick" in terms
        for term in terms:
            fields = 0
            for name in WORD_FIELDS:
                fields |= term_docs(reader, name, term)
            assert term_docs(reader, WORDS_FIELD, term) == fields, term


def test_a_wildcard_without_a_field_finds_what_it_finds_in_each_field(data_dir: DataDir) -> None:
    """``traff*`` expands once, in ``words``; its records are those of the pattern in each
    text field."""
    merged = search(data_dir, SearchRequest("traff*", limit=50))
    expected = set()
    with open_searcher(data_dir) as searcher:
        assert "words:" in str(compile_query(searcher, SearchRequest("traff*")).query)
        for name in ("title", "summary", "body", "doc", "topic"):
            q = compile_query(searcher, SearchRequest(f"{name}:traff*")).query
            hits = searcher.search(q, limit=None)
            expected |= {searcher.stored_fields(hit.docnum)["url"] for hit in hits}
    assert {hit.url for hit in merged.hits} == expected and merged.total == len(expected) > 0


def test_snippets_mark_matched_words_from_the_body(data_dir: DataDir) -> None:
    hit = search(data_dir, SearchRequest("backlog")).hits[0]
    assert "[[backlog]]" in hit.snippet
    assert hit.snippet.count("[[") == hit.snippet.count("]]")


def test_misspelling_shows_results_for_the_correction(data_dir: DataDir) -> None:
    results = search(data_dir, SearchRequest("recidivsm"))
    assert results.suggestion == "recidivism" and results.corrected
    assert results.hits[0].url == RECIDIVISM.url


def test_a_kept_index_suggests_from_its_words_in_memory_what_the_dictionary_suggests(
    data_dir: DataDir,
) -> None:
    # ``serve`` walks the spelling automaton over the terms kept in memory; the CLI walks the
    # index's term dictionary on disk: the same corrections, the same results.
    typed = ["recidivsm", "trafficing", "backlgo", "jutsice", "vicitm servcies", "qwxzvbnm"]
    once = [search(data_dir, SearchRequest(text)) for text in typed]
    keep_warm(data_dir)
    try:
        kept = [search(data_dir, SearchRequest(text)) for text in typed]
        with open_snapshot(data_dir) as snapshot:
            assert snapshot.spelling()  # the terms were read into memory
    finally:
        stop_keeping_warm(data_dir)
    assert [(r.suggestion, r.corrected, r.total) for r in kept] == [
        (r.suggestion, r.corrected, r.total) for r in once
    ]
    assert [r.suggestion for r in once[:3]] == ["recidivism", "trafficking", "backlog"]


def test_suggestions_only_when_the_correction_has_results(data_dir: DataDir) -> None:
    assert search(data_dir, SearchRequest("trafficking")).suggestion is None
    nothing = search(data_dir, SearchRequest("qwxzvbnm"))
    assert (nothing.total, nothing.suggestion) == (0, None)


def test_similar_finds_related_records(data_dir: DataDir) -> None:
    results = similar(data_dir, TRAFFICKING.id, limit=3)
    assert TRAFFICKING.url not in [h.url for h in results.hits]
    assert results.hits[0].url in (TRAFFICKING_TOPIC.url, OLD_TRAFFICKING.url)
    with pytest.raises(RecordNotFoundError):
        similar(data_dir, "0000000000000000")


def test_search_ids_returns_every_match(data_dir: DataDir) -> None:
    ids = list(search_ids(data_dir, SearchRequest("zeta*")))
    assert len(ids) == search(data_dir, SearchRequest("zeta*")).total > 10


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SearchRequest(""), 'empty query: type some words, e.g. "human trafficking".'),
        (SearchRequest("   "), 'empty query: type some words, e.g. "human trafficking".'),
        (
            SearchRequest("agnecy:nij"),
            "unknown field 'agnecy'. Did you mean 'agency'? "
            "Fields: title, agency, type, topic, author, ncj, doc, published, journal, series, "
            "volume, issue, pages, language, added, closing, event.",
        ),
        (
            SearchRequest("colour:red"),
            "unknown field 'colour'. Fields: title, agency, type, topic, author, ncj, doc, "
            "published, journal, series, volume, issue, pages, language, added, closing, event.",
        ),
        (
            SearchRequest("dna", since="x"),
            "bad date 'x' in --since: use YYYY, YYYY-MM or YYYY-MM-DD.",
        ),
        (
            SearchRequest("dna", until="2020-13"),
            "bad date '2020-13' in --until: month 13 is not 01-12.",
        ),
        (
            SearchRequest("published:2019..soon"),
            "bad date 'soon' in published: use YYYY, YYYY-MM or YYYY-MM-DD.",
        ),
        (
            SearchRequest("dna", agency=("FBI",)),
            "unknown agency 'FBI'. Agencies: OJP, NIJ, OVC, OJJDP, BJA, BJS, SMART, NCJRS.",
        ),
    ],
)
def test_query_errors(data_dir: DataDir, request_: SearchRequest, message: str) -> None:
    with pytest.raises(QueryError) as err:
        search(data_dir, request_)
    assert err.value.message == message


def test_a_feature_subpage_hit_names_its_feature(tmp_path: Path) -> None:
    """A special feature's subpage is titled by its own heading ("Overview"); its hit says
    which feature it belongs to, and the feature's name finds it by title."""
    overview = rec(
        "feature/human-trafficking/overview",
        "Overview",
        agency="OJP",
        content_type="feature",
        body="Resources for service providers.",
        details={"feature": "Human Trafficking", "subpage": "Overview"},
    )
    landing = rec(
        "feature/human-trafficking",
        "Human Trafficking",
        agency="OJP",
        content_type="feature",
        details={"feature": "Human Trafficking", "subpage": ""},
    )
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        sync(store, [overview, landing])
        update_index(store, data)
    hits = {hit.url: hit.title for hit in search(data, SearchRequest("title:trafficking")).hits}
    assert hits == {overview.url: "Human Trafficking: Overview", landing.url: "Human Trafficking"}
