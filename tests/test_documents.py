"""Linked documents: real PDF and text files in, the Attachment staff will search out.

PDFs are written by the sample site's PDF writer (and by pypdf for encryption and drawings), then
read by the real pypdf through ``crawlers.documents``. The crawl tests serve them from a real HTTP
server on 127.0.0.1, crawl it twice in child processes, index the store and search it.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from scrapy.http.headers import Headers

import search_cli
from crawlers.documents import (
    Caps,
    document_record,
    extract_document,
    is_document_response,
    is_readable_document_url,
    merge_attachment,
    normalize_text,
    read_document,
    readable_size,
)
from crawlers.runner import crawl_site
from crawlers.sample_site import SampleSite
from crawlers.sample_site.pdfdoc import make_pdf
from index.datadir import DataDir
from index.fulltext.searcher import SearchRequest, search
from index.fulltext.writer import update_index
from index.records import Attachment, Record, record_id
from index.store import Store
from index.urls import canonical_url
from tests.crawl_server import (
    Crawl,
    CrawlServer,
    Hit,
    Route,
    run_crawl,
    sitemap_gz,
    sites_file,
)

#: Tests that crawl share one module fixture: keep them on one worker.
crawl_group = pytest.mark.xdist_group("documents")

PDF_HEADERS = {"Content-Type": "application/pdf"}
URL = "https://nij.ojp.gov/sites/g/files/xyckuh171/files/media/document/248749.pdf"

PAGES = [
    "Evaluation of Model Training Programs. National Institute of Justice Solicitation.",
    "Program goals: reduce recidivism among juvenile offenders through mentoring.",
    "Findings: drug court participants showed lower rearrest rates after 24 months.",
    "Appendix: data collection instruments and site visit protocol.",
]


def encrypted(pdf: bytes, *, user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def drawing_pdf() -> bytes:
    """One page that only paints a rectangle: no text layer, like a scanned page."""
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    content = ContentStream(None, writer)
    content.set_data(b"0.5 g\n72 400 300 200 re\nf")
    page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return make_pdf(PAGES, title="Evaluation of Model Training Programs")


# -- readable documents -------------------------------------------------------------------------
def test_single_page_pdf_gives_its_text_type_size_and_page_count() -> None:
    pdf = make_pdf(["Crime victims   compensation\tprograms in all 50 states."], title="OVC Report")

    attachment = extract_document(URL, pdf, PDF_HEADERS)

    assert attachment.error is None
    assert attachment.text == "Crime victims compensation programs in all 50 states."
    assert attachment.media_type == "application/pdf"
    assert attachment.pages == 1
    assert attachment.size == len(pdf)
    assert attachment.url == URL


def test_multi_page_pdf_counts_pages_and_keeps_later_pages_in_order(report_pdf: bytes) -> None:
    attachment = extract_document(URL, report_pdf, PDF_HEADERS)

    assert attachment.pages == 4
    assert "drug court participants showed lower rearrest rates" in attachment.text
    positions = [attachment.text.index(page.split(":")[0]) for page in PAGES]
    assert positions == sorted(positions)
    assert attachment.error is None


def test_title_prefers_link_text_then_pdf_title_then_file_name(report_pdf: bytes) -> None:
    untitled = make_pdf(["Some text."])
    tool_titled = make_pdf(["Some text."], title="Microsoft Word - 248749.docx")

    linked = extract_document(URL, report_pdf, title="  Model   Training (PDF, 4 pages) ")
    assert linked.title == "Model Training (PDF, 4 pages)"
    assert extract_document(URL, report_pdf).title == "Evaluation of Model Training Programs"
    assert extract_document(URL, untitled).title == "248749.pdf"
    assert extract_document(URL, tool_titled).title == "248749.pdf"


def test_media_type_comes_from_header_then_magic_bytes_then_extension(report_pdf: bytes) -> None:
    octet = {"Content-Type": "application/octet-stream"}
    assert extract_document("https://ojp.gov/download?id=7", report_pdf, octet).pages == 4
    assert extract_document("https://ojp.gov/download?id=7", report_pdf).text
    text = extract_document("https://ojp.gov/txtfiles/1.txt", b"Plain text.", octet)
    assert (text.media_type, text.text) == ("text/plain", "Plain text.")
    with_params = {"content-type": "application/pdf; qs=0.001"}
    assert extract_document(URL, report_pdf, with_params).media_type == "application/pdf"


def test_permission_only_encryption_is_read_with_the_empty_password(report_pdf: bytes) -> None:
    pdf = encrypted(report_pdf, user_password="", owner_password="owner-secret")

    attachment = extract_document(URL, pdf, PDF_HEADERS)

    assert attachment.error is None
    assert "lower rearrest rates" in attachment.text


# -- unreadable documents never raise -----------------------------------------------------------
def test_pdf_with_a_user_password_is_reported_encrypted(report_pdf: bytes) -> None:
    pdf = encrypted(report_pdf, user_password="staff-only")

    attachment = extract_document(URL, pdf, PDF_HEADERS, title="Restricted report")

    assert attachment.error == "encrypted"
    assert attachment.text == ""
    assert attachment.title == "Restricted report"
    assert attachment.media_type == "application/pdf"


def test_truncated_pdf_is_reported_corrupt(report_pdf: bytes) -> None:
    attachment = extract_document(URL, report_pdf[: len(report_pdf) // 2], PDF_HEADERS)

    assert attachment.error == "corrupt: truncated (no end-of-file marker)"
    assert attachment.text == ""
    assert attachment.title == "248749.pdf"


def test_download_shorter_than_its_content_length_is_reported_truncated(report_pdf: bytes) -> None:
    headers = {**PDF_HEADERS, "Content-Length": str(len(report_pdf))}

    attachment = extract_document(URL, report_pdf[:1000], headers)

    assert attachment.error == f"corrupt: truncated download (1,000 of {len(report_pdf):,} bytes)"
    assert attachment.size == len(report_pdf)


def test_garbage_after_a_pdf_header_is_reported_corrupt() -> None:
    body = b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"

    attachment = extract_document(URL, body, PDF_HEADERS)

    assert attachment.error is not None
    assert attachment.error.startswith("corrupt: ")
    assert attachment.text == ""


def test_html_error_page_served_as_pdf_is_not_a_pdf() -> None:
    body = b"<!DOCTYPE html><html><head><title>Page not found</title></head></html>"

    attachment = extract_document(URL, body, PDF_HEADERS)

    assert attachment.error == "not a PDF (got an HTML page)"


def test_document_over_the_size_cap_is_not_read(report_pdf: bytes) -> None:
    attachment = extract_document(URL, report_pdf, PDF_HEADERS, max_bytes=1024)

    assert attachment.error == f"over size cap (1 KB): file is {len(report_pdf) / 1024:.0f} KB"
    assert attachment.text == ""


def test_size_cap_applies_to_the_declared_length_of_a_download_not_made() -> None:
    headers = {**PDF_HEADERS, "Content-Length": str(40 * 1024 * 1024)}

    attachment = extract_document(URL, b"", headers)

    assert attachment.error == "over size cap (15 MB): file is 40 MB"
    assert attachment.size == 40 * 1024 * 1024


def test_pdf_of_drawings_only_has_no_text() -> None:
    attachment = extract_document(URL, drawing_pdf(), PDF_HEADERS)

    assert attachment.error == "no text (scanned?)"
    assert attachment.pages == 1
    assert attachment.text == ""


def test_word_document_is_kept_with_its_type_but_not_read() -> None:
    headers = {"Content-Type": "application/msword"}

    attachment = extract_document(
        "https://bja.ojp.gov/files/form.doc", b"\xd0\xcf\x11\xe0", headers
    )

    assert attachment.error == "unsupported type application/msword"
    assert attachment.title == "form.doc"


@pytest.mark.parametrize("percent", range(0, 100, 3))
def test_every_truncation_of_a_pdf_gives_an_attachment(report_pdf: bytes, percent: int) -> None:
    attachment = extract_document(URL, report_pdf[: len(report_pdf) * percent // 100], PDF_HEADERS)

    assert isinstance(attachment, Attachment)
    assert attachment.error is not None


@settings(max_examples=40, deadline=None)
@given(position=st.integers(min_value=0, max_value=2000), junk=st.binary(min_size=1, max_size=64))
def test_damaged_pdfs_never_raise(position: int, junk: bytes) -> None:
    pdf = make_pdf(PAGES)
    damaged = pdf[:position] + junk + pdf[position + len(junk) :]

    attachment = extract_document(URL, damaged, PDF_HEADERS)

    assert attachment.text or attachment.error


# -- caps ---------------------------------------------------------------------------------------
def test_time_cap_keeps_the_first_page_and_says_the_text_is_partial(report_pdf: bytes) -> None:
    extraction = read_document(URL, report_pdf, PDF_HEADERS)
    capped = read_document(URL, report_pdf, PDF_HEADERS, caps=Caps(max_seconds=0))

    assert extraction.pages_read == 4
    assert capped.pages_read == 1
    assert capped.attachment.text == normalize_text(PAGES[0])
    assert capped.attachment.pages == 4
    assert capped.attachment.error == "partial: time cap (0 s): first 1 of 4 pages"


def test_page_cap_reads_only_the_first_pages(report_pdf: bytes) -> None:
    attachment = extract_document(URL, report_pdf, PDF_HEADERS, max_pages=2)

    assert "mentoring" in attachment.text
    assert "drug court" not in attachment.text
    assert attachment.error == "partial: page cap: first 2 of 4 pages"


def test_character_cap_cuts_the_text_at_a_word(report_pdf: bytes) -> None:
    attachment = extract_document(URL, report_pdf, PDF_HEADERS, max_chars=120)

    first_page, _, rest = attachment.text.partition("\n\n")
    assert len(attachment.text) <= 120
    assert first_page == PAGES[0]
    assert rest and PAGES[1].startswith(rest + " ")
    assert attachment.error == "partial: character cap (120): text cut on page 2 of 4"


# -- plain text ---------------------------------------------------------------------------------
def test_cp1252_text_file_without_charset_is_decoded() -> None:
    body = "Victims\u2019 rights \u2014 a caf\u00e9 \u201cguide\u201d\r\n\r\nPart 2".encode(
        "cp1252"
    )

    attachment = extract_document("https://www.ncjrs.gov/txtfiles/victims.txt", body)

    assert attachment.text == "Victims\u2019 rights \u2014 a caf\u00e9 \u201cguide\u201d\n\nPart 2"
    assert attachment.media_type == "text/plain"
    assert attachment.pages is None
    assert attachment.error is None


def test_text_file_charset_comes_from_the_header() -> None:
    body = "Gesch\u00e4ftsbericht".encode("iso-8859-15")
    headers = {"Content-Type": "text/plain; charset=ISO-8859-15"}

    attachment = extract_document("https://ojp.gov/txtfiles/de.txt", body, headers)

    assert attachment.text == "Gesch\u00e4ftsbericht"


def test_utf8_text_declared_latin1_is_read_as_utf8() -> None:
    headers = {"Content-Type": "text/plain; charset=ISO-8859-1"}

    attachment = extract_document("https://ojp.gov/txtfiles/x.txt", "Caf\u00e9".encode(), headers)

    assert attachment.text == "Caf\u00e9"


def test_normalize_text_folds_ligatures_and_collapses_whitespace() -> None:
    raw = "Key \ufb01ndings:\t  lower\x00 rates\n\n\n  of re-\narrest\r\n"

    assert normalize_text(raw) == "Key findings: lower rates\n\nof re- arrest"


# -- pypdf warnings -----------------------------------------------------------------------------
class Collected(logging.Handler):
    """What a console handler on the root logger (Scrapy's, the CLI's) would print."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_pypdf_warnings_are_counted_not_printed(
    report_pdf: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    start = report_pdf.rindex(b"startxref\n") + len(b"startxref\n")
    wrong_pointer = report_pdf[:start] + b"17\n%%EOF\n"  # repaired by pypdf, with warnings
    console = Collected()
    root = logging.getLogger()
    root.addHandler(console)
    try:
        extraction = read_document(URL, wrong_pointer, PDF_HEADERS)
    finally:
        root.removeHandler(console)

    assert "lower rearrest rates" in extraction.attachment.text
    assert extraction.warnings > 0
    assert not [r for r in console.records if r.levelno >= logging.WARNING]
    assert "startxref" not in capfd.readouterr().err


def test_warnings_are_counted_per_document_across_threads(report_pdf: bytes) -> None:
    start = report_pdf.rindex(b"startxref\n") + len(b"startxref\n")
    repaired = report_pdf[:start] + b"17\n%%EOF\n"
    bodies = [repaired, report_pdf] * 8

    with ThreadPoolExecutor(max_workers=4) as pool:
        extractions = list(pool.map(lambda body: read_document(URL, body, PDF_HEADERS), bodies))

    clean = [e.warnings for e, body in zip(extractions, bodies, strict=True) if body is report_pdf]
    broken = [e.warnings for e, body in zip(extractions, bodies, strict=True) if body is repaired]
    assert clean == [0] * 8
    assert all(count > 0 for count in broken)
    assert all("lower rearrest rates" in e.attachment.text for e in extractions)


# -- which responses are documents --------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("https://ojp.gov/files/a.pdf", {"Content-Type": "application/pdf"}, True),
        ("https://ojp.gov/download/7", {"Content-Type": "application/x-pdf"}, True),
        ("https://ojp.gov/txtfiles/1.txt", {"Content-Type": "text/plain; charset=utf-8"}, True),
        ("https://ojp.gov/files/f.doc", {"Content-Type": "application/msword"}, True),
        ("https://ojp.gov/files/a.pdf", {"Content-Type": "application/octet-stream"}, True),
        ("https://ojp.gov/files/a.pdf", {}, True),
        (
            "https://ojp.gov/download/7",
            {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="report.pdf"',
            },
            True,
        ),
        ("https://ojp.gov/files/a.pdf", {"Content-Type": "text/html; charset=utf-8"}, False),
        ("https://ojp.gov/library/publications/x", {"Content-Type": "text/html"}, False),
        ("https://ojp.gov/images/a.png", {"Content-Type": "image/png"}, False),
        ("https://ojp.gov/data/a.csv", {}, False),
    ],
)
def test_is_document_response(url: str, headers: dict[str, str], expected: bool) -> None:
    assert is_document_response(url, headers) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ojp.gov/files/Report%20Final.PDF", True),
        ("https://ncjrs.gov/txtfiles1/nij/sl000583.txt", True),
        ("https://bja.ojp.gov/files/form.docx", False),
        ("https://nij.ojp.gov/files/dataset.csv", False),
        ("https://ojp.gov/library/publications/report-pdf", False),
    ],
)
def test_only_pdf_and_text_links_are_worth_fetching(url: str, expected: bool) -> None:
    assert is_readable_document_url(url) is expected


def test_is_document_response_reads_scrapy_headers() -> None:
    headers = Headers({"Content-Type": "application/pdf"})

    assert is_document_response("https://ojp.gov/download/7", headers)
    assert not is_document_response("https://ojp.gov/a.pdf", Headers({"content-type": "text/html"}))


# -- records ------------------------------------------------------------------------------------
def publication(*attachments: Attachment) -> Record:
    url = "https://ojp.gov/library/publications/model-training"
    return Record(
        id=record_id(url),
        url=url,
        site="ojp",
        agency="NIJ",
        content_type="publication",
        title="Model Training Programs",
        attachments=attachments,
    ).with_hash()


def test_merge_attachment_replaces_the_linked_document_in_place(report_pdf: bytes) -> None:
    first = Attachment(url="https://ojp.gov/files/summary.pdf", title="Summary")
    linked = Attachment(url="http://www.ojp.gov/pdffiles1/nij/248749.pdf", title="Full report")
    last = Attachment(url="https://ojp.gov/files/appendix.pdf", title="Appendix")
    record = publication(first, linked, last)
    extracted = extract_document("https://ojp.gov/pdffiles1/nij/248749.pdf", report_pdf)

    merged = merge_attachment(record, extracted)

    assert [a.title for a in merged.attachments] == ["Summary", "Full report", "Appendix"]
    assert merged.attachments[1].url == linked.url
    assert merged.attachments[1].pages == 4
    assert "lower rearrest rates" in merged.attachments[1].text
    assert merged.content_hash == merged.compute_hash() != record.content_hash
    assert record.attachments[1].text == ""


def test_merge_attachment_appends_a_document_the_page_did_not_list(report_pdf: bytes) -> None:
    record = publication(Attachment(url="https://ojp.gov/files/summary.pdf", title="Summary"))
    extracted = extract_document(URL, report_pdf, title="Full report")

    merged = merge_attachment(record, extracted)

    assert [a.title for a in merged.attachments] == ["Summary", "Full report"]


def test_document_linked_from_no_page_becomes_a_document_record(report_pdf: bytes) -> None:
    attachment = extract_document("http://www.ncjrs.gov/pdffiles1/nij/151287.pdf", report_pdf)

    record = document_record(attachment, site="ojp", agency="NCJRS", fetched_at="2026-01-01")

    assert record.content_type == "document"
    assert record.url == "https://ncjrs.gov/pdffiles1/nij/151287.pdf"
    assert record.id == record_id(record.url)
    assert record.aliases == ("http://www.ncjrs.gov/pdffiles1/nij/151287.pdf",)
    assert record.title == "Evaluation of Model Training Programs"
    assert "lower rearrest rates" in record.attachments[0].text
    assert Record.from_json(record.to_json()) == record


# -- documents in a crawl: real PDFs served on 127.0.0.1 ----------------------------------------
DOC_CAP = 30_000  # max_document_bytes in the crawl below
EVALUATION = "/library/publications/evaluation"
SUMMARY = "/library/publications/summary"
COMPENSATION = "/library/publications/compensation"
MULTI_PAGES = [
    "Part one: mentoring programs in rural counties.",
    "Part two: caseworker interviews.",
    "Part three: the tamarind cohort results.",
    "Part four: the zeppelin appendix.",  # beyond the page cap (3)
]


def publication_page(title: str, text: str, documents: dict[str, str]) -> bytes:
    links = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in documents.items())
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body><main>"
        f"<h1>{title}</h1><p>{text}</p><ul>{links}</ul></main></body></html>"
    ).encode()


def big_pdf() -> bytes:
    pages = [f"Page {n}: " + "statistical tables of arrests by state " * 40 for n in range(40)]
    pdf = make_pdf(pages)
    assert len(pdf) > DOC_CAP
    return pdf


@dataclass
class DocumentCrawls:
    base: str
    first: Crawl
    second: Crawl
    other_hits: list[Hit]
    data_dir: DataDir
    huge_size: int

    def record(self, path: str) -> Record:
        with Store.open(self.data_dir) as store:
            record = store.get(canonical_url(self.base + path))
        assert record is not None, path
        return record

    def attachment(self, path: str, document: str) -> Attachment:
        (found,) = [a for a in self.record(path).attachments if a.url.endswith(document)]
        return found


@pytest.fixture(scope="module")
def crawled_documents(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DocumentCrawls]:
    root = tmp_path_factory.mktemp("documents")
    huge = big_pdf()
    with CrawlServer() as server, CrawlServer() as other:
        base, elsewhere = server.base_url, f"http://localhost:{other.port}"
        other.routes["/files/other.pdf"] = Route(make_pdf(["Elsewhere."]), "application/pdf")
        documents = {
            "/files/report.pdf": "Full report (PDF)",
            "/files/multi.pdf": "Multi-part study",
            "/files/locked.pdf": "Restricted annex",
            "/files/corrupt.pdf": "Damaged file",
            "/files/scanned.pdf": "Scanned letter",
            "/files/huge.pdf": "Statistical tables",
            "/files/huge-stream.pdf": "Statistical tables (streamed)",
            "/files/missing.pdf": "Withdrawn report",
            "/files/flaky.pdf": "Flaky report",
            "/files/moved.pdf": "Moved report",
            "/private/secret.pdf": "Internal memo",
            f"{elsewhere}/files/other.pdf": "Report on another host",
        }
        pdf = "application/pdf"
        robots = f"User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml.gz\n"
        report = make_pdf(
            ["Crime victim compensation programs reimburse medical costs in every state."],
            title="Victim Compensation Evaluation",
        )
        server.routes.update(
            {
                "/robots.txt": Route(robots.encode(), "text/plain"),
                "/sitemap.xml.gz": Route(
                    sitemap_gz(
                        base, {"/files/orphan.pdf": "2024-03-01", "/files/report.pdf": "2024-03-01"}
                    ),
                    "application/gzip",
                ),
                "/": Route(
                    publication_page(
                        "Home",
                        "Publications.",
                        {EVALUATION: "Evaluation", SUMMARY: "Summary", COMPENSATION: "States"},
                    )
                ),
                EVALUATION: Route(
                    publication_page(
                        "Evaluation of Victim Services",
                        "An evaluation of services for crime victims.",
                        documents,
                    )
                ),
                SUMMARY: Route(
                    publication_page(
                        "Evaluation Summary", "A short summary.", {"/files/report.pdf": "Report"}
                    )
                ),
                COMPENSATION: Route(
                    publication_page(
                        "Victim Compensation Programs", "How states pay crime victims.", {}
                    )
                ),
                "/files/report.pdf": Route(report, pdf),
                "/files/multi.pdf": Route(make_pdf(MULTI_PAGES, title="Multi-part study"), pdf),
                "/files/locked.pdf": Route(
                    encrypted(make_pdf(["Restricted quokka figures."]), user_password="x"), pdf
                ),
                "/files/corrupt.pdf": Route(report[: len(report) // 2], pdf),
                "/files/scanned.pdf": Route(drawing_pdf(), pdf),
                "/files/huge.pdf": Route(huge, pdf),
                "/files/huge-stream.pdf": Route(huge, pdf, streamed=True),
                "/files/flaky.pdf": Route(make_pdf(["The wombat survey, first edition."]), pdf),
                "/files/moved.pdf": Route(status=302, location=f"{elsewhere}/files/other.pdf"),
                "/private/secret.pdf": Route(make_pdf(["Secret."]), pdf),
                "/files/orphan.pdf": Route(
                    make_pdf(
                        ["Sentencing guidelines for federal offenders."],
                        title="Sentencing Guidelines Overview",
                    ),
                    pdf,
                ),
            }
        )
        data_dir = DataDir(root / "data").ensure()
        crawl = f"max_document_bytes = {DOC_CAP}\nmax_document_pages = 3"
        sites = sites_file(root / "sites.toml", base, crawl=crawl)
        first = run_crawl(server, data_dir, sites)
        server.routes[EVALUATION] = Route(
            publication_page(
                "Evaluation of Victim Services",
                "An evaluation of services for crime victims, revised.",
                documents,
            )
        )
        server.routes["/files/flaky.pdf"] = Route(b"", status=500)
        second = run_crawl(server, data_dir, sites)
        with Store.open(data_dir) as store:
            update_index(store, data_dir)
        yield DocumentCrawls(base, first, second, list(other.hits), data_dir, len(huge))
    shutil.rmtree(root, ignore_errors=True)


@crawl_group
def test_linked_pdf_text_becomes_an_attachment_of_the_page(
    crawled_documents: DocumentCrawls,
) -> None:
    report = crawled_documents.attachment(EVALUATION, "/files/report.pdf")
    assert report.title == "Full report (PDF)"  # the link text
    assert "compensation programs reimburse medical costs" in report.text
    assert (report.pages, report.media_type, report.error) == (1, "application/pdf", None)
    assert report.size and report.size > 0
    results = crawled_documents.first.by_path(crawled_documents.base)
    assert results[EVALUATION].outcome == "fetched"
    assert results["/files/report.pdf"].outcome == "document"  # its validators are kept
    assert results["/files/report.pdf"].etag


@crawl_group
def test_multi_page_pdf_is_read_up_to_the_page_cap(crawled_documents: DocumentCrawls) -> None:
    multi = crawled_documents.attachment(EVALUATION, "/files/multi.pdf")
    assert multi.pages == 4
    assert "tamarind cohort" in multi.text and "zeppelin" not in multi.text
    assert multi.error == "partial: page cap: first 3 of 4 pages"


@crawl_group
def test_unreadable_documents_are_kept_with_their_reason(
    crawled_documents: DocumentCrawls,
) -> None:
    reasons = {
        name: crawled_documents.attachment(EVALUATION, f"/files/{name}").error
        for name in ("locked.pdf", "scanned.pdf", "huge.pdf", "huge-stream.pdf", "missing.pdf")
    }
    cap = readable_size(DOC_CAP)
    assert reasons == {
        "locked.pdf": "encrypted",
        "scanned.pdf": "no text (scanned?)",
        "huge.pdf": f"over size cap ({cap}): file is {readable_size(crawled_documents.huge_size)}",
        "huge-stream.pdf": f"over size cap ({cap})",
        "missing.pdf": "HTTP 404",
    }
    corrupt = crawled_documents.attachment(EVALUATION, "/files/corrupt.pdf")
    assert corrupt.error is not None and corrupt.error.startswith("corrupt")
    summary = crawled_documents.first.summary
    assert summary.complete, summary.error  # no document fails the run


@crawl_group
def test_documents_never_leave_the_site_or_pass_robots_txt(
    crawled_documents: DocumentCrawls,
) -> None:
    assert crawled_documents.other_hits == []
    assert "/private/secret.pdf" not in crawled_documents.first.paths()
    secret = crawled_documents.attachment(EVALUATION, "/private/secret.pdf")
    assert (secret.text, secret.error) == ("", "disallowed by robots.txt")
    moved = crawled_documents.attachment(EVALUATION, "/files/moved.pdf")
    assert moved.error == "redirect off the site (offsite: localhost is not an allowed host)"
    other = crawled_documents.attachment(EVALUATION, "/files/other.pdf")
    assert (other.text, other.error) == ("", None)  # listed, not fetched


@crawl_group
def test_a_document_linked_from_two_pages_is_downloaded_once(
    crawled_documents: DocumentCrawls,
) -> None:
    assert crawled_documents.first.paths().count("/files/report.pdf") == 1
    shared = crawled_documents.attachment(SUMMARY, "/files/report.pdf")
    assert shared.title == "Report"  # each page keeps its own link text
    assert "reimburse medical costs" in shared.text


@crawl_group
def test_a_document_no_page_links_becomes_a_record_of_its_own(
    crawled_documents: DocumentCrawls,
) -> None:
    orphan = crawled_documents.record("/files/orphan.pdf")
    assert (orphan.content_type, orphan.title) == ("document", "Sentencing Guidelines Overview")
    assert "Sentencing guidelines for federal offenders." in orphan.attachments[0].text
    with Store.open(crawled_documents.data_dir) as store:  # linked: the page carries its text
        assert store.get(canonical_url(crawled_documents.base + "/files/report.pdf")) is None
    second = crawled_documents.second
    assert "/files/orphan.pdf" not in second.paths()  # its sitemap lastmod is unchanged
    assert second.by_path(crawled_documents.base)["/files/orphan.pdf"].outcome == "skipped"


@crawl_group
def test_documents_are_requested_conditionally_on_the_next_run(
    crawled_documents: DocumentCrawls,
) -> None:
    second = crawled_documents.second
    (hit,) = [h for h in second.hits if h.path == "/files/report.pdf"]
    assert hit.headers.get("If-None-Match")
    results = second.by_path(crawled_documents.base)
    assert (results["/files/report.pdf"].outcome, results["/files/report.pdf"].http_status) == (
        "document",
        304,
    )
    report = crawled_documents.attachment(EVALUATION, "/files/report.pdf")
    assert "reimburse medical costs" in report.text  # kept from the stored record
    assert (
        "revised"
        in crawled_documents.record(EVALUATION).summary + crawled_documents.record(EVALUATION).body
    )


@crawl_group
def test_a_failing_document_keeps_its_stored_text(crawled_documents: DocumentCrawls) -> None:
    second = crawled_documents.second
    assert second.paths().count("/files/flaky.pdf") == 2  # retried once
    result = second.by_path(crawled_documents.base)["/files/flaky.pdf"]
    assert (result.outcome, result.error) == ("failed", "HTTP 500")
    flaky = crawled_documents.attachment(EVALUATION, "/files/flaky.pdf")
    assert (flaky.text, flaky.error) == ("The wombat survey, first edition.", None)


# -- searching document text ---------------------------------------------------------------------
def found(crawl: DocumentCrawls, text: str, **options: Any) -> list[tuple[str, str]]:
    results = search(crawl.data_dir, SearchRequest(text, **options))
    return [(hit.url.removeprefix(crawl.base), hit.snippet) for hit in results.hits]


@crawl_group
def test_a_phrase_inside_a_pdf_finds_the_page_and_names_the_document(
    crawled_documents: DocumentCrawls,
) -> None:
    hits = dict(found(crawled_documents, '"reimburse medical costs"'))
    assert set(hits) == {EVALUATION, SUMMARY}  # the pages, not the bare file
    assert hits[EVALUATION].startswith('In "Full report (PDF)": ')
    assert "[[reimburse]] [[medical]] [[costs]]" in hits[EVALUATION]
    assert hits[SUMMARY].startswith('In "Report": ')


@crawl_group
def test_matches_in_documents_rank_below_the_pages_own_title(
    crawled_documents: DocumentCrawls,
) -> None:
    ranked = [url for url, _ in found(crawled_documents, "compensation")]
    assert ranked[0] == COMPENSATION  # in its title
    assert set(ranked[1:]) == {EVALUATION, SUMMARY}  # only in the linked report


@crawl_group
def test_doc_field_and_type_document_search_document_text_only(
    crawled_documents: DocumentCrawls,
) -> None:
    assert {url for url, _ in found(crawled_documents, "doc:compensation")} == {
        EVALUATION,
        SUMMARY,
    }
    typed = found(crawled_documents, "compensation", type=("document",))
    assert {url for url, _ in typed} == {EVALUATION, SUMMARY}
    assert all(snippet.startswith("In ") for _, snippet in typed)
    orphan = found(crawled_documents, "sentencing", type=("document",))
    assert [url for url, _ in orphan] == ["/files/orphan.pdf"]
    assert orphan[0][1].startswith("[[Sentencing]] guidelines")  # its own text: no "In ..."
    mixed = found(crawled_documents, "compensation", type=("document", "publication"))
    assert {url for url, _ in mixed} == {COMPENSATION, EVALUATION, SUMMARY}


@crawl_group
def test_unread_text_is_not_searchable(crawled_documents: DocumentCrawls) -> None:
    assert found(crawled_documents, "quokka") == []  # encrypted
    assert found(crawled_documents, "zeppelin") == []  # beyond the page cap
    assert [url for url, _ in found(crawled_documents, "tamarind")] == [EVALUATION]


@crawl_group
def test_search_command_type_document(
    crawled_documents: DocumentCrawls, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = str(crawled_documents.data_dir.root)
    code = search_cli.main(
        ["search", "compensation", "--type", "document", "--json", "--data-dir", data_dir]
    )
    out = capsys.readouterr().out
    *hits, summary = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and summary["total"] == 2
    assert {h["url"].removeprefix(crawled_documents.base) for h in hits} == {EVALUATION, SUMMARY}


@crawl_group
def test_sample_site_reports_are_searchable_from_their_publication_page(
    sample_site: SampleSite, sample_sites_file: Path, tmp_path: Path
) -> None:
    data_dir = DataDir(tmp_path / "data").ensure()
    with Store.open(data_dir) as store:
        run_id = store.start_run(["smart"])
    summary = crawl_site("smart", sites_file=sample_sites_file, data_dir=data_dir, run_id=run_id)
    with Store.open(data_dir) as store:
        store.apply_run(run_id)
        store.finish_run(run_id, status="completed")
        update_index(store, data_dir)
    assert summary.complete, summary.error
    results = search(data_dir, SearchRequest('"Static-99R"', type=("document",)))
    (hit,) = results.hits
    assert hit.url.endswith("/smart/library/publications/recidivism-adult-sexual-offenders")
    assert hit.snippet.startswith('In "Recidivism of Adult Sexual Offenders (PDF)": ')
