"""Minimal PDF writer (stdlib only): one page of Helvetica text per string, with an Info title.

Used to build the sample site's PDF reports; the output is deterministic (no dates), so a
rebuilt site is byte-identical.
"""

from __future__ import annotations

import textwrap

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, points
MARGIN = 72
FONT_SIZE = 11
LEADING = 14
WRAP_COLUMNS = 90


def escape_pdf_text(text: str) -> bytes:
    """A PDF literal string body: WinAnsi bytes with ``\\``, ``(`` and ``)`` escaped."""
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def wrap_page_text(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, WRAP_COLUMNS) or [""])
    max_lines = (PAGE_HEIGHT - 2 * MARGIN) // LEADING
    return lines[:max_lines]


def page_stream(text: str) -> bytes:
    top = PAGE_HEIGHT - MARGIN
    ops = [b"BT", b"/F1 %d Tf" % FONT_SIZE, b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, top)]
    for line in wrap_page_text(text):
        ops.append(b"(" + escape_pdf_text(line) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def make_pdf(pages: list[str], *, title: str = "") -> bytes:
    """A valid PDF with one page per string of ``pages`` (long pages are cut at the bottom)."""
    if not pages:
        pages = [""]
    n = len(pages)
    font_id, info_id = 3, 4
    page_ids = [5 + 2 * i for i in range(n)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % pid for pid in page_ids)
        + b"] /Count %d >>" % n,
        font_id: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
        b" /Encoding /WinAnsiEncoding >>",
        info_id: b"<< /Title (" + escape_pdf_text(title) + b") /Producer (ojp-search) >>",
    }
    for pid, text in zip(page_ids, pages, strict=True):
        stream = page_stream(text)
        objects[pid] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]" % (
            PAGE_WIDTH,
            PAGE_HEIGHT,
        ) + b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, pid + 1)
        objects[pid + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref_at = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    for number in range(1, count):
        out += b"%010d 00000 n \n" % offsets[number]
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (count, info_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
