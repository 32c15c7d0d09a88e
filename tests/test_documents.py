"""Linked documents: real PDF and text files in, the Attachment staff will search out.

PDFs are written by the sample site's PDF writer (and by pypdf for encryption and drawings), then
read by the real pypdf through ``crawlers.documents``.
"""

from __future__ import annotations

import io
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream
from scrapy.http.headers import Headers

from crawlers.documents import (
    Caps,
    document_record,
    extract_document,
    is_document_response,
    is_readable_document_url,
    merge_attachment,
    normalize_text,
    read_document,
)
from crawlers.sample_site.pdfdoc import make_pdf
from index.records import Attachment, Record, record_id

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
