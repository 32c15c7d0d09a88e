"""The fast path of ranking (``index.fulltext.impact``, ``index.fulltext.pairs``) against
Whoosh's exhaustive BM25F: the same top hits in the same order (ties aside), the same match
sets for phrases, the same ``pairs`` postings from the bulk builder and from Whoosh's writer,
and impact lists that are written beside the index and never trusted for another commit."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.qparser import AndGroup, MultifieldParser

from index.fulltext import impact, pairs
from index.fulltext.facets import live_docs, match_set
from index.fulltext.schema import FIELD_BOOSTS, build_schema, record_document
from index.fulltext.writer import build_index, write_facets
from index.records import Record, record_id

#: Words whose stems are all in ``PAIR_WORDS``, so a phrase of any two is read from pairs.
VOCABULARY = (
    *("justice", "victims", "crime", "program", "research", "services", "office"),
    *("funding", "national", "human", "trafficking", "grants"),
)
TOLERANCE = 1e-9


def record(n: int, title: str, summary: str = "", body: str = "") -> Record:
    url = f"https://www.ojp.gov/library/publications/{n}"
    return Record(
        id=record_id(url),
        url=url,
        site="ojp",
        agency="OJP",
        content_type="publication",
        title=title,
        summary=summary,
        body=body,
        topics=("Human trafficking",) if n % 5 == 0 else (),
        authors=("Justice Crime",) if n % 7 == 0 else (),
        published=f"{2000 + n % 25}-01-01",
    ).with_hash()


@contextmanager
def indexed(records: Sequence[Record]) -> Iterator[tuple[Any, Path]]:
    """A searcher on a new index of ``records`` (built as ``rebuild_index`` builds it, impact
    lists included), and its folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder)
        build_index(path, records)
        with whoosh_index.open_dir(str(path)).searcher() as searcher:
            yield searcher, path


def parse(searcher: Any, text: str) -> Any:
    """A query as searches parse it (``index.fulltext.query.make_parser``, synonyms aside)."""
    fields = list(FIELD_BOOSTS)
    parser = MultifieldParser(fields, searcher.schema, fieldboosts=FIELD_BOOSTS, group=AndGroup)
    return parser.parse(text)


def exhaustive(searcher: Any, q: Any, matches: int, count: int) -> list[tuple[int, float]]:
    allowed = {n for n in range(searcher.doc_count_all()) if matches >> (8 * n) & 1}
    return [(h.docnum, h.score) for h in searcher.search(q, limit=count, filter=allowed)]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(1.0, abs(b))


def assert_same_ranking(fast: list[tuple[int, float]], slow: list[tuple[int, float]]) -> None:
    """The same scores rank by rank, and the same documents wherever a score is not tied."""
    assert len(fast) == len(slow)
    for (doc, score), (want_doc, want_score) in zip(fast, slow, strict=True):
        assert close(score, want_score), (fast, slow)
        if doc != want_doc:
            tied = [d for d, s in slow if close(s, want_score)]
            tied += [d for d, s in fast if close(s, want_score)]
            assert doc in tied and want_doc in tied, (fast, slow)
    if slow and not any(close(s, slow[-1][1]) for _, s in slow[:-1]):
        # Below the last score, ties may be cut differently; above it, the sets agree.
        assert {d for d, s in fast if not close(s, slow[-1][1])} == {
            d for d, s in slow if not close(s, slow[-1][1])
        }


@pytest.fixture()
def small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored list for every term in two documents or more, read two runs at a time, and
    lists of three documents or fewer read whole."""
    monkeypatch.setattr(impact, "MIN_DF", 2)
    monkeypatch.setattr(impact, "FIRST_CHUNK", 2)


words = st.lists(st.sampled_from(VOCABULARY), max_size=12).map(" ".join)
documents = st.lists(
    st.tuples(words.filter(bool), words, st.lists(st.sampled_from(VOCABULARY), max_size=40)),
    min_size=2,
    max_size=20,
)
queries = st.one_of(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3, unique=True).map(" ".join),
    st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=2).map(
        lambda pair: '"' + " ".join(pair) + '"'
    ),
    st.sampled_from(VOCABULARY).map(lambda w: f"title:{w}"),
    st.lists(st.sampled_from(VOCABULARY), min_size=2, max_size=2, unique=True).map(
        lambda pair: f"{pair[0]} OR {pair[1]}"
    ),
)


@pytest.mark.usefixtures("small_lists")
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    docs=documents,
    texts=st.lists(queries, min_size=1, max_size=4),
    count=st.integers(1, 12),
    kept=st.integers(0, 2**30),
    min_df=st.sampled_from([2, 3, 10**6]),
    buckets=st.sampled_from([1, 3, pairs.PAIR_BUCKETS]),
)
def test_top_hits_equal_exhaustive_scoring(
    docs: list[tuple[str, str, list[str]]],
    texts: list[str],
    count: int,
    kept: int,
    min_df: int,
    buckets: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every term stored, some stored and some scored when the query needs them, or none
    # stored: lists from the file and lists scored now must both give the exhaustive ranking.
    monkeypatch.setattr(impact, "MIN_DF", min_df)
    # One bucket for every pair (a document's entries stacked level upon level), a few
    # buckets shared by several pairs, or the index's own count (a bucket per pair here).
    monkeypatch.setattr(pairs, "PAIR_BUCKETS", buckets)
    records = [record(n, t, s, " ".join(b)) for n, (t, s, b) in enumerate(docs)]
    with indexed(records) as (searcher, path):
        table = impact.load_impact_table(path, searcher.reader())
        assert table is not None
        live = live_docs(searcher.reader())
        for text in texts:
            q = parse(searcher, text)
            matches = match_set(searcher, impact.match_query(q, searcher.schema), live)
            assert matches == match_set(searcher, q, live), text  # phrases from pairs
            assert matches == impact.list_match_set(searcher, table, q, live, None), text
            if kept % 3 == 0:  # a filter: some documents only
                mask = bytes((kept >> (n % 30)) & 1 for n in range(len(records)))
                matches &= int.from_bytes(mask, "little")
            if not matches:
                continue
            fast = impact.top_hits(searcher, table, q, matches, count)
            assert fast is not None, text
            assert_same_ranking(fast, exhaustive(searcher, q, matches, count))


def synthetic_index_records() -> list[Record]:
    from bench.synthetic import synthetic_records

    return list(synthetic_records(300, seed=4))


@pytest.fixture(scope="module")
def synthetic_index() -> Iterator[tuple[Any, Path]]:
    """300 synthetic records, with a stored list for every term in two documents or more."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(impact, "MIN_DF", 2)
        with indexed(synthetic_index_records()) as found:
            yield found


@pytest.mark.usefixtures("small_lists")
@pytest.mark.parametrize(
    "text",
    [
        "justice",
        "victims services",
        "human trafficking research",
        '"justice programs"',
        '"victim services"',
        "title:research",
        "crime -justice",
        "funding OR grants",
    ],
)
def test_top_hits_on_synthetic_records(text: str, synthetic_index: tuple[Any, Path]) -> None:
    searcher, path = synthetic_index
    table = impact.load_impact_table(path, searcher.reader())
    q = parse(searcher, text)
    live = live_docs(searcher.reader())
    matches = match_set(searcher, impact.match_query(q, searcher.schema), live)
    assert matches == match_set(searcher, q, live)
    assert matches == impact.list_match_set(searcher, table, q, live, None)
    fast = impact.top_hits(searcher, table, q, matches, 50)
    assert fast is not None
    assert_same_ranking(fast, exhaustive(searcher, q, matches, 50))


def test_shapes_the_lists_do_not_cover_are_left_to_whoosh() -> None:
    records = [record(n, "justice programs", "victim services") for n in range(4)]
    with indexed(records) as (searcher, path):
        table = impact.load_impact_table(path, searcher.reader())
        live = live_docs(searcher.reader())
        for text in ('"justice programs victim"', "(justice OR crime)^0.5", "justic*"):
            q = parse(searcher, text)
            assert impact.top_hits(searcher, table, q, live, 10) is None, text


def test_a_phrase_in_hundreds_of_documents_is_read_from_every_block(tmp_path: Path) -> None:
    # Posting blocks hold 128 documents: a bucket with 300 postings spans three, and the
    # documents with the phrase (every third) must all be found, with their scores.
    records = [
        record(n, "report", body="victims services justice" if n % 3 else "services victims")
        for n in range(300)
    ]
    build_index(tmp_path, records)
    with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
        q = parse(searcher, '"victims services"')
        live = live_docs(searcher.reader())
        fast_set = match_set(searcher, impact.match_query(q, searcher.schema), live)
        assert fast_set == match_set(searcher, q, live)
        assert bin(fast_set).count("1") == 200
        table = impact.load_impact_table(tmp_path, searcher.reader())
        fast = impact.top_hits(searcher, table, q, fast_set, 250)
        assert fast is not None
        assert_same_ranking(fast, exhaustive(searcher, q, fast_set, 250))


def test_pairs_from_the_bulk_builder_equal_whoosh_writer(tmp_path: Path) -> None:
    records = synthetic_index_records()[:30]
    (tmp_path / "bulk").mkdir()
    (tmp_path / "plain").mkdir()
    build_index(tmp_path / "bulk", records)
    ix = whoosh_index.create_in(str(tmp_path / "plain"), build_schema())
    writer = ix.writer()
    for r in records:
        writer.add_document(**record_document(r))
    writer.commit()
    bulk = whoosh_index.open_dir(str(tmp_path / "bulk")).reader()
    plain = ix.reader()
    terms = [t for t, _ in bulk.iter_field("pairs")]
    assert terms == [t for t, _ in plain.iter_field("pairs")]
    assert terms
    for term in terms:
        assert _postings(bulk, term) == _postings(plain, term), term


def _postings(reader: Any, term: bytes) -> list[tuple[int, bytes]]:
    matcher = reader.postings("pairs", term)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.value()))
        matcher.next()
    return out


def test_impact_lists_of_another_commit_are_not_used(tmp_path: Path) -> None:
    build_index(tmp_path, [record(n, "justice programs") for n in range(3)])
    ix = whoosh_index.open_dir(str(tmp_path))
    assert impact.load_impact_table(tmp_path, ix.reader()) is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    writer = ix.writer()
    writer.add_document(**record_document(record(9, "justice research")))
    writer.commit()
    ix = whoosh_index.open_dir(str(tmp_path))
    assert impact.load_impact_table(tmp_path, ix.reader()) is None  # stale: score exhaustively
    write_facets(ix, tmp_path)  # what update_index does after its commit
    assert impact.load_impact_table(tmp_path, ix.reader()) is not None
    (tmp_path / impact.IMPACT_FILE).write_bytes(b"\0" * 5)
    assert impact.load_impact_table(tmp_path, ix.reader()) is None  # damaged: ignored
