"""Records as a spreadsheet people open in Excel or Sheets (``export --format xlsx``).

CSV stays exact for programs; this file is for people: one row per record with real columns,
every cell stored as text (a spreadsheet never turns ``1998`` into a number, ``2015-08`` into a
month or ``=SUM(...)`` into a formula), dates written as people read them ("1 June 2019",
"June 2019", "1998"), lists joined with "; ", linked documents named rather than pasted, and long
text cut below Excel's 32,767 characters a cell with a note saying so. Written in openpyxl's
streaming mode, so memory does not grow with the number of records.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from typing import IO, Any

from index.records import Record

#: Excel keeps at most this many characters in a cell.
CELL_LIMIT = 32_767
CUT_NOTE = " … [cut: {more:,} more characters; the JSON Lines export has the whole text]"
#: (heading, width) of each column, in order.
COLUMNS = (
    ("Title", 60),
    ("URL", 50),
    ("Agency", 10),
    ("Kind", 14),
    ("Published", 16),
    ("Updated", 16),
    ("NCJ number", 12),
    ("Topics", 30),
    ("Authors", 30),
    ("Summary", 60),
    ("Text", 60),
    ("Linked documents", 40),
    ("Other URLs", 40),
    ("Language", 10),
    ("Fetched", 20),
    ("Id", 18),
)


def readable_date(text: str | None) -> str:
    """``2019-06-01`` → ``1 June 2019``; ``2019-06`` → ``June 2019``; ``1998`` → ``1998``."""
    if not text:
        return ""
    parts = text.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):
        return text
    return text


def capped(text: str) -> str:
    """``text`` within a cell's limit, with a note where it was cut."""
    if len(text) <= CELL_LIMIT:
        return text
    keep = CELL_LIMIT - len(CUT_NOTE.format(more=len(text))) - 1
    return text[:keep] + CUT_NOTE.format(more=len(text) - keep)


def spreadsheet_row(record: Record) -> list[str]:
    documents = [f"{a.title} ({a.url})" if a.title else a.url for a in record.attachments]
    values = [
        record.title,
        record.url,
        record.agency,
        record.content_type,
        readable_date(record.published),
        readable_date(record.updated),
        record.ncj_number or "",
        "; ".join(record.topics),
        "; ".join(record.authors),
        record.summary,
        record.body,
        "; ".join(documents),
        "; ".join(record.aliases),
        record.language or "",
        (record.fetched_at or "").replace("T", " ").removesuffix("Z"),
        record.id,
    ]
    return [capped(value) for value in values]


def write_spreadsheet(records: Iterable[Record], out: IO[bytes]) -> int:
    """Write an .xlsx workbook of ``records`` to a binary stream; returns how many."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("Records")
    sheet.freeze_panes = "A2"
    for n, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    bold = Font(bold=True)
    heading = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    top = Alignment(vertical="top")
    count = 0
    for record in records:
        row = []
        for value in spreadsheet_row(record):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, always: never a number, a date or a formula
            cell.alignment = top
            row.append(cell)
        sheet.append(row)
        count += 1
    book.save(out)
    return count
