"""Linked documents (PDF, plain text): their text, read within caps, as ``Attachment`` values.

Pure functions: bytes and headers in, an ``Attachment`` out; no network, no store. A document
that cannot be read never raises: its ``Attachment.error`` says why, in a few words:

- ``"encrypted"`` (a password other than the empty one is needed),
- ``"corrupt: <reason>"`` (broken or truncated file),
- ``"no text (scanned?)"`` (pages without a text layer, e.g. scanned images),
- ``"over size cap (15 MB): file is 23.4 MB"``,
- ``"not a PDF (got an HTML page)"``, ``"unsupported type application/msword"``.

Caps on pages, time and characters stop extraction early but keep the text read so far: the
``Attachment`` then has that ``text`` and an ``error`` starting with ``"partial: "`` that says
which cap stopped it, e.g. ``"partial: time cap (20 s): first 3 of 40 pages"``. So ``error is
None`` means the whole text was read, and ``text`` is worth indexing whenever it is not empty.
The time cap is checked between pages, so the first page is always read.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from pypdf import PasswordType, PdfReader
from pypdf.errors import FileNotDecryptedError

from index.records import Attachment, Record, record_id
from index.urls import canonical_url

logger = logging.getLogger(__name__)

PDF_TYPE = "application/pdf"
TEXT_TYPE = "text/plain"

#: Document media types by file extension.
EXTENSION_TYPES = {
    ".pdf": PDF_TYPE,
    ".txt": TEXT_TYPE,
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".rtf": "application/rtf",
}

#: Media types that are documents (besides those above), normalized to one spelling.
TYPE_ALIASES = {
    "application/x-pdf": PDF_TYPE,
    "application/acrobat": PDF_TYPE,
    "text/rtf": "application/rtf",
}
DOCUMENT_TYPES = frozenset(EXTENSION_TYPES.values())
#: Document types whose text is read; the others are listed on their page without text.
READABLE_TYPES = frozenset({PDF_TYPE, TEXT_TYPE})

#: Content-Type values that say nothing about the content: the extension or the bytes decide.
GENERIC_TYPES = frozenset(
    {
        "",
        "application/octet-stream",
        "binary/octet-stream",
        "application/force-download",
        "application/download",
        "application/x-download",
        "application/unknown",
    }
)

#: Declared charsets that servers use for Windows-1252 text (as browsers do, read them as such).
CP1252_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252"})

#: PDF Info titles that name the authoring tool or the file rather than the document.
TOOL_TITLE = re.compile(
    r"^(microsoft (word|powerpoint|excel) - .*|untitled.*|title|.*\.(docx?|pdf|indd|qxd|pptx?))$",
    re.IGNORECASE,
)

PARTIAL = "partial: "
MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Caps:
    """How much of one document is read."""

    max_pages: int = 200
    max_seconds: float = 20.0
    max_bytes: int = 15 * MEGABYTE
    max_chars: int = 500_000


@dataclass(frozen=True, slots=True)
class Extraction:
    """The attachment read from one document, with what reading it cost."""

    attachment: Attachment
    pages_read: int = 0
    warnings: int = 0  # pypdf warnings (repaired or odd structures) while reading


class UnreadableDocument(Exception):
    """A document whose text cannot be read; the message is the ``Attachment.error``."""


# -- public API ---------------------------------------------------------------------------------
def extract_document(
    url: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    title: str = "",
    max_pages: int = 200,
    max_seconds: float = 20.0,
    max_bytes: int = 15 * MEGABYTE,
    max_chars: int = 500_000,
) -> Attachment:
    """The ``Attachment`` for the document at ``url``: its text, page count, media type, title.

    ``title`` is the link text of the page that links the document (preferred over the PDF's
    own Info title, then the file name). Never raises: see the module docstring for ``error``.
    """
    caps = Caps(
        max_pages=max_pages, max_seconds=max_seconds, max_bytes=max_bytes, max_chars=max_chars
    )
    return read_document(url, body, headers, title=title, caps=caps).attachment


def read_document(
    url: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    title: str = "",
    caps: Caps | None = None,
) -> Extraction:
    """Like ``extract_document``, with the count of pages read and of pypdf warnings."""
    caps = caps or Caps()
    headers = headers or {}
    media_type = detect_media_type(url, headers, body)
    size = declared_size(headers, body)
    base = Attachment(url=url, title=clean_title(title), media_type=media_type, size=size)
    if size > caps.max_bytes:
        return Extraction(
            replace(base, title=base.title or file_name(url), error=size_error(size, caps))
        )
    if media_type == PDF_TYPE:
        return read_pdf(base, body, caps)
    if media_type == TEXT_TYPE:
        return Extraction(read_text(base, body, headers, caps))
    return Extraction(
        replace(base, title=base.title or file_name(url), error=f"unsupported type {media_type}")
    )


def is_document_response(url: str, headers: Mapping[str, str] | None) -> bool:
    """True when a response is a document (PDF, text, Word, RTF) rather than a web page.

    A specific Content-Type decides; a missing or generic one (``application/octet-stream``)
    leaves it to the file name (Content-Disposition, else the URL's extension).
    """
    declared = declared_type(headers or {})
    if declared not in GENERIC_TYPES:
        return declared in DOCUMENT_TYPES
    return extension_type(url, headers or {}) in DOCUMENT_TYPES


def is_readable_document_url(url: str) -> bool:
    """True for links worth fetching for their text: PDF and plain-text files (by extension)."""
    return EXTENSION_TYPES.get(PurePosixPath(file_name(url).lower()).suffix) in READABLE_TYPES


def merge_attachment(record: Record, attachment: Attachment) -> Record:
    """``record`` with ``attachment`` in place of the one with the same URL (order kept).

    URLs match exactly or by canonical form; an attachment the record does not list yet is
    appended. The page's link text stays the title when it has one. The hash is recomputed.
    """
    key = canonical_url(attachment.url)
    merged: list[Attachment] = []
    found = False
    for current in record.attachments:
        if not found and (current.url == attachment.url or canonical_url(current.url) == key):
            merged.append(
                replace(attachment, url=current.url, title=current.title or attachment.title)
            )
            found = True
        else:
            merged.append(current)
    if not found:
        merged.append(attachment)
    return replace(record, attachments=tuple(merged)).with_hash()


def document_record(
    attachment: Attachment, *, site: str, agency: str, fetched_at: str = ""
) -> Record:
    """A record of kind ``document`` for a document that no crawled page links.

    Its text stays in its single attachment (searched like any linked document); the title is
    the attachment's.
    """
    url = canonical_url(attachment.url)
    aliases = () if url == attachment.url else (attachment.url,)
    return Record(
        id=record_id(url),
        url=url,
        site=site,
        agency=agency,
        content_type="document",
        title=attachment.title or file_name(url),
        attachments=(replace(attachment, url=url),),
        aliases=aliases,
        fetched_at=fetched_at,
    ).with_hash()


# -- media type, size, title --------------------------------------------------------------------
def header_value(headers: Mapping[str, str], name: str) -> str:
    """A header's value, case-insensitively; tolerates bytes and list values (Scrapy headers)."""
    wanted = name.lower()
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key_text.lower() != wanted:
            continue
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return ""


def declared_type(headers: Mapping[str, str]) -> str:
    """The Content-Type's media type, lower-case and without parameters ("" when absent)."""
    media_type = header_value(headers, "content-type").split(";", 1)[0].strip().lower()
    return TYPE_ALIASES.get(media_type, media_type)


def extension_type(url: str, headers: Mapping[str, str]) -> str:
    """The media type the file name implies (Content-Disposition filename, else the URL)."""
    disposition = header_value(headers, "content-disposition")
    match = re.search(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", disposition, re.IGNORECASE)
    name = unquote(match.group(1)) if match else file_name(url)
    return EXTENSION_TYPES.get(PurePosixPath(name.lower()).suffix, "")


def detect_media_type(url: str, headers: Mapping[str, str], body: bytes) -> str:
    """Content-Type when specific, else the magic bytes (``%PDF``), else the extension."""
    declared = declared_type(headers)
    if declared not in GENERIC_TYPES:
        return declared
    if pdf_header_offset(body) >= 0:
        return PDF_TYPE
    return extension_type(url, headers) or declared or "application/octet-stream"


def pdf_header_offset(body: bytes) -> int:
    """Where ``%PDF-`` starts (readers accept junk in the first 1024 bytes), or -1."""
    return body[:1024].find(b"%PDF-")


def declared_size(headers: Mapping[str, str], body: bytes) -> int:
    """The document's size: the body's, or a larger Content-Length (a download cut short)."""
    try:
        length = int(header_value(headers, "content-length") or 0)
    except ValueError:
        length = 0
    return max(len(body), length)


def size_error(size: int, caps: Caps) -> str:
    return f"over size cap ({readable_size(caps.max_bytes)}): file is {readable_size(size)}"


def readable_size(size: int) -> str:
    """``size`` bytes for people: "15 MB", "23.4 MB", "900 KB", "120 bytes"."""
    if size >= MEGABYTE:
        return f"{size / MEGABYTE:.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def file_name(url: str) -> str:
    """The last path segment of ``url``, unquoted ("248749.pdf")."""
    return unquote(PurePosixPath(urlsplit(url).path).name)


def clean_title(title: str | None) -> str:
    return " ".join((title or "").split())


# -- text normalization -------------------------------------------------------------------------
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def normalize_text(text: str) -> str:
    """Compatibility forms folded (ligatures: "ﬁ" → "fi"), control characters dropped, each
    paragraph's whitespace collapsed to single spaces, paragraphs separated by one blank line."""
    text = unicodedata.normalize("NFKC", text)
    text = CONTROL_CHARS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = (" ".join(part.split()) for part in PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def cut_text(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars``, at a word boundary when one is near."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max(0, max_chars - 200))
    return cut[:space] if space > 0 else cut


# -- plain text ---------------------------------------------------------------------------------
def decode_text(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """A text document's characters: the declared charset, else UTF-8, else Windows-1252.

    A Latin-1, ASCII or Windows-1252 label is a server default more often than a fact, so a
    body that is valid UTF-8 is read as UTF-8 despite it.
    """
    charset = charset_of(headers or {})
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return body.decode("utf-16", errors="replace")
    if charset and charset != "cp1252":
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            logger.debug("declared charset %r does not decode the body; sniffing", charset)
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def charset_of(headers: Mapping[str, str]) -> str:
    """The Content-Type charset, lower-case; Latin-1 and ASCII labels become ``cp1252``."""
    match = re.search(r"charset=[\"']?([\w.:-]+)", header_value(headers, "content-type"), re.I)
    if not match:
        return ""
    label = match.group(1).lower()
    return "cp1252" if label in CP1252_LABELS else label


def read_text(base: Attachment, body: bytes, headers: Mapping[str, str], caps: Caps) -> Attachment:
    text = normalize_text(decode_text(body, headers))
    title = base.title or file_name(base.url)
    if not text:
        return replace(base, title=title, error="no text (empty file)")
    if len(text) > caps.max_chars:
        cut = cut_text(text, caps.max_chars)
        error = f"{PARTIAL}character cap ({caps.max_chars:,}): first {len(cut):,} characters"
        return replace(base, title=title, text=cut, error=error)
    return replace(base, title=title, text=text)


# -- PDF ----------------------------------------------------------------------------------------
@dataclass
class PdfText:
    """Text read from a PDF so far, and why reading stopped early (if it did)."""

    page_count: int
    pages: list[str] = field(default_factory=list)
    pages_read: int = 0
    unreadable_pages: int = 0
    stopped: str | None = None
    chars: int = 0  # length of the pages' text joined by page breaks

    def add(self, text: str) -> None:
        if text:
            self.chars += len(text) + (2 if self.pages else 0)
            self.pages.append(text)


def read_pdf(base: Attachment, body: bytes, caps: Caps) -> Extraction:
    """Read a PDF within ``caps``; any failure becomes ``Attachment.error``."""
    offset = pdf_header_offset(body)
    if offset < 0:
        return Extraction(
            replace(base, title=base.title or file_name(base.url), error=not_pdf(body))
        )
    with counting_pypdf_warnings() as tally:
        try:
            attachment, pages_read = read_pdf_text(base, body[offset:], caps)
        except UnreadableDocument as exc:
            attachment, pages_read = replace(base, error=str(exc)), 0
        except Exception as exc:  # pypdf raises many types on malformed files
            attachment, pages_read = replace(base, error=corrupt_reason(exc, body, base.size)), 0
    if not attachment.title:
        attachment = replace(attachment, title=file_name(base.url))
    if attachment.error:
        logger.info("document %s: %s (%d pypdf warnings)", base.url, attachment.error, tally[0])
    return Extraction(replace(attachment, media_type=PDF_TYPE), pages_read, tally[0])


def read_pdf_text(base: Attachment, body: bytes, caps: Caps) -> tuple[Attachment, int]:
    """The attachment with the PDF's text, page count and title; raises on unreadable files."""
    reader = PdfReader(BytesIO(body), strict=False)
    if reader.is_encrypted:
        unlock(reader)
    try:
        page_count = len(reader.pages)
    except FileNotDecryptedError as exc:
        raise UnreadableDocument("encrypted") from exc
    title = base.title or info_title(reader)
    if page_count == 0:
        raise UnreadableDocument("corrupt: no pages")
    read = collect_pages(reader, page_count, caps)
    text = "\n\n".join(read.pages)
    found = replace(base, title=title, pages=page_count, text=text)
    return replace(found, error=pdf_error(read, bool(text))), read.pages_read


def unlock(reader: PdfReader) -> None:
    """Open an encrypted PDF with the empty password (permissions-only protection)."""
    try:
        opened = reader.decrypt("")
    except Exception as exc:  # unsupported handler or algorithm
        raise UnreadableDocument(f"encrypted ({short(exc)})") from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise UnreadableDocument("encrypted")


def collect_pages(reader: PdfReader, page_count: int, caps: Caps) -> PdfText:
    """Each page's text in order, until the page, time or character cap stops it."""
    read = PdfText(page_count=page_count)
    started = time.monotonic()
    for index, page in enumerate(reader.pages):
        if index >= caps.max_pages:
            read.stopped = f"page cap: first {caps.max_pages} of {page_count} pages"
            break
        if index > 0 and time.monotonic() - started >= caps.max_seconds:
            read.stopped = f"time cap ({caps.max_seconds:g} s): first {index} of {page_count} pages"
            break
        read.pages_read += 1
        try:
            text = normalize_text(page.extract_text() or "")
        except Exception as exc:  # one broken page does not lose the others
            logger.debug("page %d unreadable: %s", index + 1, short(exc))
            read.unreadable_pages += 1
            continue
        room = caps.max_chars - read.chars - (2 if read.chars else 0)  # 2: the page break
        if len(text) > room:
            read.add(cut_text(text, max(room, 0)))
            read.stopped = (
                f"character cap ({caps.max_chars:,}): text cut on page {index + 1} of {page_count}"
            )
            break
        read.add(text)
    return read


def pdf_error(read: PdfText, has_text: bool) -> str | None:
    """The error for a PDF read to the end or stopped early (``None``: all text read)."""
    if not has_text:
        if read.unreadable_pages and read.unreadable_pages == read.pages_read:
            return "corrupt: no page could be read"
        return "no text (scanned?)"
    notes = []
    if read.stopped:
        notes.append(read.stopped)
    if read.unreadable_pages:
        notes.append(f"{read.unreadable_pages} of {read.page_count} pages unreadable")
    return PARTIAL + "; ".join(notes) if notes else None


def info_title(reader: PdfReader) -> str:
    """The PDF Info /Title, unless it names the authoring tool or a file."""
    try:
        metadata = reader.metadata
        title = clean_title(str(metadata.title)) if metadata and metadata.title else ""
    except Exception:  # a broken Info dictionary is not worth failing the document for
        return ""
    return "" if TOOL_TITLE.match(title) else title


def not_pdf(body: bytes) -> str:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "not a PDF (got an HTML page)"
    if not body:
        return "corrupt: empty file"
    return "not a PDF (no %PDF header)"


def corrupt_reason(exc: Exception, body: bytes, size: int | None) -> str:
    """Why a PDF failed to open: encrypted, cut short, or the parser's own words."""
    if isinstance(exc, FileNotDecryptedError):
        return "encrypted"
    if size and size > len(body):
        return f"corrupt: truncated download ({len(body):,} of {size:,} bytes)"
    if b"%%EOF" not in body[-2048:]:
        return "corrupt: truncated (no end-of-file marker)"
    return f"corrupt: {short(exc)}"


def short(exc: BaseException, limit: int = 120) -> str:
    """One line naming an exception: its message, else its type."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message if len(message) <= limit else message[: limit - 1] + "…"


# -- pypdf warnings -----------------------------------------------------------------------------
_warning_tally: ContextVar[list[int] | None] = ContextVar("pypdf_warning_tally", default=None)


class PypdfWarningTally(logging.Handler):
    """Counts pypdf's warnings (repaired or odd PDFs) and passes them on at DEBUG level.

    pypdf warns through the logging module on every malformed file it repairs; in a crawl of
    thousands of PDFs those lines would drown the console, so they are counted instead.
    """

    def emit(self, record: logging.LogRecord) -> None:
        tally = _warning_tally.get()
        if tally is not None:
            tally[0] += 1
        logger.debug("pypdf: %s", record.getMessage())


_quieting = threading.Lock()


def quiet_pypdf() -> None:
    """Route the ``pypdf`` logger's warnings to the tally instead of the console (idempotent,
    thread-safe: documents may be read in worker threads)."""
    pypdf_logger = logging.getLogger("pypdf")
    with _quieting:
        if not any(isinstance(h, PypdfWarningTally) for h in pypdf_logger.handlers):
            pypdf_logger.addHandler(PypdfWarningTally(logging.WARNING))
            pypdf_logger.setLevel(logging.WARNING)
            pypdf_logger.propagate = False


@contextmanager
def counting_pypdf_warnings() -> Iterator[list[int]]:
    """A one-item list holding the count of pypdf warnings logged inside the block."""
    quiet_pypdf()
    tally = [0]
    token = _warning_tally.set(tally)
    try:
        yield tally
    finally:
        _warning_tally.reset(token)
