"""Moving a store without crawling again.

- ``import_records``: records in the shape ``export --format jsonl`` writes (one JSON object per
  line), read as a stream, become one run of the store: staged in batches, then applied in one
  transaction by the same sync rules as a crawl (new ids are added, new content hashes changed,
  the rest unchanged; nothing is ever removed). A line that is not a record imports nothing.
- ``copy_store``: every table of one store into a new, empty one (SQLite to PostgreSQL, back, or
  to another machine): one snapshot of the source, one transaction on the target, the ids of
  runs and changes kept, so an index built from the source follows the copy.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import MetaData, Table, insert, text

from index.database import execute
from index.errors import ErrorKind, OjpError
from index.migrations import ROW_IDS, TABLES
from index.records import FetchResult, Record
from index.store import RunReport, Store
from index.sync import RunChanges

log = logging.getLogger(__name__)

#: Records staged per transaction while importing; rows written per statement while copying.
BATCH = 500


class TransferError(OjpError):
    """An import or a copy that cannot go ahead (a bad line, a target that is not empty)."""

    kind = ErrorKind.USAGE


@dataclass(frozen=True)
class ImportResult:
    """What an import did: its run (with per-site counts) and the record ids it changed."""

    records: int
    report: RunReport
    changes: RunChanges


@dataclass(frozen=True)
class CopyResult:
    """Rows copied, by table."""

    rows: dict[str, int] = field(default_factory=dict)


def read_records(lines: Iterable[str], source: str) -> Iterator[Record]:
    """The records of JSONL ``lines`` (blank lines skipped); ``TransferError`` names a bad line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            record = Record.from_dict(data)
        except (ValueError, TypeError, KeyError) as exc:
            raise TransferError(
                f"line {number} of {source} is not an ojp-search record ({reason_of(exc)})."
            ) from exc
        yield record if record.content_hash else record.with_hash()


def reason_of(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120].rstrip(".")


def import_records(store: Store, lines: Iterable[str], *, source: str) -> ImportResult:
    """Import the records of ``lines`` as one run: all of them or, on a bad line, none."""
    run_id = store.start_run([])
    sites: set[str] = set()
    count = 0
    try:
        batch: list[tuple[str, FetchResult]] = []
        for record in read_records(lines, source):
            batch.append(
                (record.site, FetchResult(url=record.url, outcome="fetched", record=record))
            )
            sites.add(record.site)
            count += 1
            if len(batch) >= BATCH:
                stage(store, run_id, batch)
                batch = []
        stage(store, run_id, batch)
        with store.write() as conn:
            execute(
                conn,
                "UPDATE runs SET sites = :sites WHERE id = :r",
                {"sites": json.dumps(sorted(sites)), "r": run_id},
            )
        changes = store.apply_run(run_id, max_removal_share=0.0)
    except BaseException as exc:
        store.finish_run(run_id, status="failed", error=f"import of {source} failed: {exc}")
        raise
    report = store.finish_run(run_id, status="completed")
    log.info("imported %d records from %s as run %d", count, source, run_id)
    return ImportResult(records=count, report=report, changes=changes)


def stage(store: Store, run_id: int, batch: list[tuple[str, FetchResult]]) -> None:
    by_site: dict[str, list[FetchResult]] = {}
    for site, result in batch:
        by_site.setdefault(site, []).append(result)
    for site, results in by_site.items():
        store.stage_results(run_id, site, results)


def copy_store(source: Store, target: Store) -> CopyResult:
    """Copy every row of ``source`` into ``target``, which must hold no runs yet."""
    rows: dict[str, int] = {}
    with source.read() as read, target.write() as write:
        held = execute(write, "SELECT COUNT(*) FROM runs").scalar_one()
        if held:
            raise TransferError(
                f"the store {target.path} already holds {held} run(s); copy into a new, "
                "empty store."
            )
        tables = MetaData()
        for name in TABLES:
            if name == "meta":
                continue  # the target's own schema version (the same: both are current)
            table = Table(name, tables, autoload_with=write)
            rows[name] = 0
            order = ROW_IDS.get(name) or ", ".join(c.name for c in table.primary_key.columns)
            query = text(f"SELECT * FROM {name} ORDER BY {order}")
            result = read.execute(query.execution_options(stream_results=True))
            while chunk := result.fetchmany(BATCH):
                write.execute(insert(table), [dict(row._mapping) for row in chunk])
                rows[name] += len(chunk)
        target.database.reset_sequences(write, ROW_IDS)
    log.info("copied the store %s to %s: %s", source.path, target.path, rows)
    return CopyResult(rows=rows)
