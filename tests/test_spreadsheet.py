"""`export --format xlsx`: a workbook that opens right in a spreadsheet, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import search_cli
from index.datadir import DataDir
from index.records import Attachment
from index.spreadsheet import CELL_LIMIT, COLUMNS, readable_date
from index.store import Store
from search_cli import ExitCode
from tests.store_builders import fetched, make_record, run_crawl

LONG = make_record(
    "long",
    title="NIJ’s long report",
    published="2019-06-01",
    body="word " * 20_000,
    topics=("Corrections", "Reentry"),
    attachments=(
        Attachment(url="https://www.ojp.gov/a.pdf", title="Full report", text="x" * 50_000),
    ),
)
FORMULA = make_record("formula", title="=SUM(A1:A9)", published="2015-08", ncj_number="252984")
YEAR = make_record("year", title="1998 annual report", published="1998")


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    data = DataDir(tmp_path / "data").ensure()
    with Store.open(data) as store:
        run_crawl(store, [fetched(r) for r in (LONG, FORMULA, YEAR)])
    return data


def rows_of(path: Path) -> dict[str, dict[str, object]]:
    sheet = load_workbook(path).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return {row[header.index("Id")]: dict(zip(header, row, strict=True)) for row in rows}


def test_a_workbook_that_opens_right(data_dir: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "records.xlsx"
    code = search_cli.main(["export", "-o", str(target), "--data-dir", str(data_dir.root)])
    assert code == ExitCode.OK
    rows = rows_of(target)
    assert list(next(iter(rows.values()))) == [name for name, _ in COLUMNS]
    long, formula, year = rows[LONG.id], rows[FORMULA.id], rows[YEAR.id]
    assert long["Title"] == "NIJ’s long report"
    assert long["Published"] == "1 June 2019"
    assert formula["Published"] == "August 2015" and year["Published"] == "1998"
    assert formula["Title"] == "=SUM(A1:A9)"  # text, not a formula
    assert formula["NCJ number"] == "252984"
    assert long["Topics"] == "Corrections; Reentry"
    assert long["Linked documents"] == "Full report (https://www.ojp.gov/a.pdf)"
    text = str(long["Text"])
    assert len(text) <= CELL_LIMIT and "[cut: " in text and "more characters" in text


def test_every_cell_is_text(data_dir: DataDir, tmp_path: Path) -> None:
    target = tmp_path / "records.xlsx"
    assert search_cli.main(["export", "-o", str(target), "--data-dir", str(data_dir.root)]) == 0
    sheet = load_workbook(target).active
    kinds = {cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row if cell.value}
    assert kinds == {"s"}


def test_xlsx_is_not_written_to_a_terminal_or_contradicting_its_name(
    capsys: pytest.CaptureFixture[str], data_dir: DataDir, tmp_path: Path
) -> None:
    code = search_cli.main(
        ["export", "-o", str(tmp_path / "r.csv"), "-f", "xlsx", "--data-dir", str(data_dir.root)]
    )
    _, err = capsys.readouterr()
    assert code == ExitCode.USAGE
    assert err == (
        "Error: the format xlsx does not match the file name r.csv; "
        "name it *.xlsx or give --format csv.\n"
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [("2019-06-01", "1 June 2019"), ("2019-06", "June 2019"), ("1998", "1998"), (None, "")],
)
def test_dates_read_as_people_write_them(text: str | None, shown: str) -> None:
    assert readable_date(text) == shown
