"""Export records from the store as JSON Lines, CSV, a JSON array, a workbook (xlsx), or citations
(RIS, BibTeX, CSL-JSON: ``index.citations``).

Columns are ``record_field_names()`` in that order, for every format. In CSV, list fields
(topics, authors, aliases) are joined with ``"; "``; ``details``, ``attachments`` and
``related`` are compact JSON; empty values are empty cells; and a cell that a spreadsheet would
run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
prefixed with a single quote. Output is UTF-8. A file is written beside its target and renamed
into place at the end, so a failed export never leaves a truncated file.

Date filters take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (checked by ``index.filters``). A
record's ``published`` date stands for the whole period its precision gives: ``"2019-06"`` is
June 2019, so it matches ``--since 2019-06-15`` and ``--until 2019-06-01`` (the ranges overlap
June). Records without a published date never match a published range.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from index.citations import CITATION_FORMATS, write_citations
from index.errors import UsageError
from index.filters import DateError, Filters, date_bounds
from index.lock import process_alive
from index.records import LIST_FIELDS, Record, record_field_names

if TYPE_CHECKING:
    from index.datadir import DataDir
    from index.fulltext.query import SearchRequest
    from index.store import Store

__all__ = [
    "FORMATS",
    "DateError",
    "RecordFilter",
    "date_bounds",
    "export_records",
    "select_records",
]

FORMATS = ("jsonl", "csv", "json", "xlsx", *CITATION_FORMATS)
BINARY_FORMATS = ("xlsx",)
#: File name extensions and the format they imply.
EXTENSIONS = {
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "csv": "csv",
    "json": "json",
    "xlsx": "xlsx",
    "ris": "ris",
    "bib": "bibtex",
}
#: Formats an extension also takes when named: a CSL-JSON file is a .json file too.
ALSO_FOR_EXTENSION = {"json": ("csljson",)}
#: The extension to suggest for a format whose name is not its extension.
FORMAT_EXTENSIONS = {"bibtex": "bib", "csljson": "json"}
JSON_FIELDS = ("details", "attachments", "related")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JOIN_BATCH = 500  # ids looked up in the store at a time when exporting a search's matches


@dataclass(frozen=True)
class RecordFilter:
    """Which records to export; every condition must hold. Dates are YYYY[-MM[-DD]]."""

    agencies: Sequence[str] = ()
    types: Sequence[str] = ()
    since: str | None = None  # published on or after (overlap rule, see the module doc)
    until: str | None = None  # published on or before
    changed_since: str | None = None  # added, changed or removed on or after this day
    ids: Sequence[str] | None = None

    def __post_init__(self) -> None:
        for value, where in (
            (self.since, "--since"),
            (self.until, "--until"),
            (self.changed_since, "--changed-since"),
        ):
            if value is not None:
                date_bounds(value, where)

    @classmethod
    def from_filters(cls, filters: Filters) -> RecordFilter:
        return cls(
            agencies=filters.agencies,
            types=filters.types,
            since=filters.since,
            until=filters.until,
            changed_since=filters.changed_since,
        )

    def sql(self) -> tuple[list[str], dict[str, Any]]:
        """WHERE clauses (joined with AND) and their parameters, over the records table.

        A record of precision ``p`` (4, 7 or 10 characters) overlaps ``[start, end]`` when its
        text is >= the first ``p`` characters of ``start`` and <= those of ``end``.
        """
        clauses: list[str] = []
        params: dict[str, Any] = {}
        for column, values, prefix in (
            ("agency", self.agencies, "ag"),
            ("content_type", self.types, "ty"),
            ("id", self.ids, "id"),
        ):
            if values is None or (not values and column != "id"):
                continue
            names = [f"{prefix}{n}" for n in range(len(values))]
            params.update(zip(names, values, strict=True))
            marks = ", ".join(f":{name}" for name in names) or "NULL"
            clauses.append(f"{column} IN ({marks})")
        if self.since:
            params["since"] = date_bounds(self.since, "--since")[0]
            clauses.append("published >= substr(:since, 1, length(published))")
        if self.until:
            params["until"] = date_bounds(self.until, "--until")[1]
            clauses.append("published <= substr(:until, 1, length(published))")
        if self.changed_since:
            params["changed"] = date_bounds(self.changed_since, "--changed-since")[0]
            clauses.append("last_changed >= :changed")
        return clauses, params


#: Search filters only the index answers (dates and fields the store keeps inside the record).
INDEX_FILTERS = (
    "language",
    "added_since",
    "open",
    "closing_before",
    "upcoming",
    "event_from",
    "event_until",
    "full_text",
)


def export_search(query: str | None, **index_filters: Any) -> SearchRequest | None:
    """The search an export goes through: its query and the filters only the index answers
    (``INDEX_FILTERS``); None when there is neither (the store alone selects)."""
    from index.fulltext.query import SearchRequest

    chosen = {name: value for name, value in index_filters.items() if value}
    unknown = set(chosen) - set(INDEX_FILTERS)
    if unknown:
        raise ValueError(f"not index filters: {', '.join(sorted(unknown))}")
    if not query and not chosen:
        return None
    return SearchRequest(query=query or "", **chosen)


def select_records(
    store: Store,
    where: RecordFilter,
    data_dir: DataDir | None = None,
    query: str | SearchRequest | None = None,
) -> Iterator[Record]:
    """The live records to export, read in batches (constant memory): by id, or with a search
    (a query, or a ``SearchRequest`` from ``export_search``) the records it matches in the
    search's order (the index says which, the store gives the records)."""
    if query is None:
        yield from store.iter_records(where=where)
        return
    from index.fulltext.searcher import SearchRequest, search_ids

    if data_dir is None:
        raise ValueError("a query needs the data dir of its index")
    request = query if isinstance(query, SearchRequest) else SearchRequest(query=query)
    ids = search_ids(data_dir, request)
    while chunk := list(islice(ids, JOIN_BATCH)):
        by_id = {r.id: r for r in store.iter_records(where=replace(where, ids=chunk))}
        yield from (by_id[i] for i in chunk if i in by_id)


def csv_cell(value: Any) -> str:
    """One CSV cell: lists joined, structures as JSON, formulas neutralized."""
    if value is None:
        text = ""
    elif isinstance(value, list | tuple):
        text = "; ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def csv_row(record: Record) -> list[str]:
    data = record.to_dict()
    row = []
    for name in record_field_names():
        value = data[name]
        if name in JSON_FIELDS and value:
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif name in LIST_FIELDS:
            value = list(value)
        row.append(csv_cell(value))
    return row


def write_records(records: Iterable[Record], fmt: str, out: TextSink) -> int:
    """Stream records to a text stream in a format; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    count = 0
    if fmt in CITATION_FORMATS:
        count = write_citations(records, fmt, out)
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(record_field_names())
        for record in records:
            writer.writerow(csv_row(record))
            count += 1
    elif fmt == "jsonl":
        for record in records:
            out.write(record.to_json() + "\n")
            count += 1
    else:
        out.write("[")
        for record in records:
            out.write(("\n" if count == 0 else ",\n") + record.to_json())
            count += 1
        out.write("\n]\n" if count else "]\n")
    return count


class TextSink(Protocol):
    """Where an export writes text: a file, stdout, or a response body."""

    def write(self, text: str, /) -> int: ...


class ExportTargetError(UsageError):
    """A target that an export will not replace: a link, a device, a pipe, a folder."""


def check_target(target: Path) -> os.stat_result | None:
    """The target's status when it is an existing regular file, None when it does not exist;
    ``ExportTargetError`` for anything an export must not replace."""
    if not target.parent.is_dir():
        raise ExportTargetError(f"cannot write {target}: its folder does not exist.")
    try:
        status = target.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(status.st_mode):
        raise ExportTargetError(
            f"cannot write {target}: it is a symbolic link; give the file it points to."
        )
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise ExportTargetError(f"cannot write {target}: it is {kind}; write to stdout with -o -.")
    return status


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files an earlier export of ``target`` left behind when it was killed."""
    for temp in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = temp.name.removeprefix(f".{target.name}.").split(".", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            temp.unlink(missing_ok=True)


@contextmanager
def replacing_file(target: Path, *, binary: bool = False) -> Iterator[IO[Any]]:
    """A text file that replaces the regular file ``target`` only when the block completes,
    keeping its mode (and, where allowed, its owner); a new file gets the umask's mode. Links,
    devices, pipes and folders are refused (``ExportTargetError``)."""
    target = Path(target)
    existing = check_target(target)
    remove_stale_temporaries(target)
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    temp = Path(temp_name)
    try:
        if existing is None:
            os.chmod(temp, 0o666 & ~current_umask())
        else:
            os.chmod(temp, stat.S_IMODE(existing.st_mode))
            with suppress(PermissionError):
                os.chown(temp, existing.st_uid, existing.st_gid)
        mode: dict[str, Any] = (
            {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": ""}
        )
        with os.fdopen(fd, **mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask, read from /proc where it can be (setting it to read it is not
    thread-safe)."""
    with suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def format_for(target: Path | None, fmt: str | None) -> str:
    """The export format: ``fmt`` as given (any case), else the target's extension, else JSON
    Lines. A format that contradicts the extension is refused."""
    named = fmt.strip().lower() if fmt else None
    if named is not None and named not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}.")
    suffix = target.suffix.lower().lstrip(".") if target is not None else ""
    implied = EXTENSIONS.get(suffix)
    allowed = (implied, *ALSO_FOR_EXTENSION.get(suffix, ()))
    if named and implied and named not in allowed and target is not None:
        raise UsageError(
            f"the format {named} does not match the file name {target.name}; "
            f"name it *.{FORMAT_EXTENSIONS.get(named, named)} or give --format {implied}."
        )
    return named or implied or "jsonl"


def export_records(
    records: Iterable[Record],
    fmt: str,
    target: Path | None,
    stdout: TextSink,
    binary_stdout: IO[bytes] | None = None,
) -> int:
    """Write records to ``target`` atomically, or to ``stdout`` when target is None (a binary
    format to ``binary_stdout``)."""
    if fmt in BINARY_FORMATS:
        from index.spreadsheet import write_spreadsheet

        if target is None:
            if binary_stdout is None:
                raise UsageError(f"{fmt} is a binary format: write it to a file.")
            return write_spreadsheet(records, binary_stdout)
        with replacing_file(target, binary=True) as handle:
            return write_spreadsheet(records, handle)
    if target is None:
        return write_records(records, fmt, stdout)
    with replacing_file(target) as handle:
        return write_records(records, fmt, handle)
