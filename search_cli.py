"""ojp-search: the command line. Thin: parse arguments, call ``index/`` or ``flows/``, print.

Heavy imports (Whoosh, the store, Scrapy, Prefect) happen inside the commands, so that
``ojp-search search`` starts fast and never imports Scrapy or Prefect.
"""

from __future__ import annotations

import enum
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, cast

import typer
import typer.main

if TYPE_CHECKING:
    from index.datadir import DataDir
    from index.errors import OjpError
    from index.fulltext.searcher import SearchResults
    from index.store import Store

# No telemetry leaves the machine, whatever the environment says: Prefect's server analytics and
# its client's usage events are both off before Prefect is first imported (in flows/).
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"


class ExitCode(enum.IntEnum):
    """Exit codes of every command (documented in the README)."""

    OK = 0
    FAILED = 1  # the operation ran and failed (a refresh with a failed site, ...)
    USAGE = 2  # bad arguments, bad query, bad date, bad sites file
    NO_DATA = 3  # no store or index yet: run a refresh first
    NOT_FOUND = 4  # show / similar: no such record
    BUSY = 5  # another refresh holds the data dir
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM, as a service manager stops a command


class CliError(Exception):
    """A failure the user can act on: one sentence with a next step, and an exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


app = typer.Typer(
    name="ojp-search",
    help="Crawl, sync and search the public resource pages of the Office of Justice Programs.",
    rich_markup_mode="markdown",  # paragraphs reflow to the terminal's width
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def show_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("ojp-search")
        except PackageNotFoundError:
            number = "unknown"
        sys.stdout.write(f"ojp-search {number}\n")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def top_level(
    context: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="Show the traceback of an unexpected error (before the command)."
        ),
    ] = False,
) -> None:
    """Crawl, sync and search the public resource pages of the Office of Justice Programs.

    Start with `ojp-search demo`, then `ojp-search search "human trafficking"`; staff use
    `ojp-search serve` in a browser.
    """
    if context.invoked_subcommand is None:
        sys.stdout.write(context.get_help() + "\n")
        raise typer.Exit()


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the store and index live (else $OJP_SEARCH_DATA_DIR, else the user data dir).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (one object per line).")]


def exit_code(error: OjpError) -> ExitCode:
    """The one table from a library error's kind to this face's exit code."""
    from index.errors import ErrorKind

    return {
        ErrorKind.USAGE: ExitCode.USAGE,
        ErrorKind.MISSING: ExitCode.NO_DATA,
        ErrorKind.CORRUPT: ExitCode.FAILED,
        ErrorKind.BUSY: ExitCode.BUSY,
        ErrorKind.NOT_FOUND: ExitCode.NOT_FOUND,
        ErrorKind.READ_ONLY: ExitCode.FAILED,
        ErrorKind.TIMEOUT: ExitCode.FAILED,
        ErrorKind.FAILED: ExitCode.FAILED,
    }[error.kind]


def next_step_hint(error: OjpError) -> str:
    """The next step a library error suggests, worded as commands of this face ("" for none)."""
    from index.errors import NextStep

    return {
        NextStep.NONE: "",
        NextStep.REFRESH: f'Run "{command_hint("refresh")}" first.',
        NextStep.REBUILD: f'Run "{command_hint("rebuild")}".',
        NextStep.FIND_ID: 'Find ids with "ojp-search search QUERY --json".',
        NextStep.STATUS: f'See "{command_hint("status")}".',
        NextStep.UPGRADE: "Upgrade ojp-search to open it.",
        NextStep.WAIT: "Wait for it to finish and try again.",
        NextStep.CHECK_PERMISSIONS: "Make the data dir writable, or give another --data-dir.",
        NextStep.FORCE: f'Run "{command_hint("rebuild --force")}" to do it anyway.',
    }[error.next_step]


def error_line(error: OjpError) -> str:
    """A library error as this face says it: its sentence, then the next step."""
    hint = next_step_hint(error)
    return f"{error.message} {hint}" if hint else error.message


#: The ``--data-dir`` the user gave (hints repeat it, so the next command reaches the same data).
GIVEN: dict[str, str] = {}


def resolve_data_dir(flag: Path | None) -> DataDir:
    from index.datadir import DataDir

    if flag:
        GIVEN["data_dir"] = str(flag)
    return DataDir.resolve(flag)


def command_hint(command: str) -> str:
    """``ojp-search COMMAND``, with the ``--data-dir`` the user gave, quoted for a shell."""
    flag = GIVEN.get("data_dir")
    return (
        f"ojp-search {command} --data-dir {shell_quote(flag)}" if flag else f"ojp-search {command}"
    )


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    raise CliError(message, code)


def printable(text: str) -> str:
    """Text from pages or users, safe to print (its line breaks kept)."""
    from index.safe_text import printable as safe

    return safe(text)


def strip_control(text: str) -> str:
    """Text from pages or users, safe to print on one line."""
    from index.safe_text import one_line

    return one_line(text)


def json_line(data: object) -> str:
    """``data`` as one line of UTF-8 JSON that is also safe to print on a terminal."""
    from index.safe_text import json_text

    return json_text(data)


def print_error(message: str) -> None:
    sys.stderr.write(f"Error: {strip_control(message)}\n")


# ---------------------------------------------------------------------------------------------
# Commands are added below, one section each. Keep each command thin: parse, call, print.
# ---------------------------------------------------------------------------------------------

# === search, similar, rebuild (index/searcher.py, index/writer.py) ===========================
#
# `search --json` prints one JSON object per hit (id, url, title, agency, content_type, published,
# score, snippet), then one last line {"total", "page", "facets", "suggestion", "corrected",
# "parsed"}. In snippets, matched words are wrapped in [[ ]]; the table shows them in colour.


def print_hits_json(results: SearchResults, *, page: int, limit: int) -> None:
    """One JSON object per line, each saying what it is: ``{"type": "hit", ...}`` per hit, then
    one ``{"type": "summary", ...}`` (total, pages, facets, suggestion)."""
    for hit in results.hits:
        sys.stdout.write(json_line(hit.to_dict()) + "\n")
    sys.stdout.write(json_line(results.summary(page=page, limit=limit)) + "\n")


def marked_snippet(snippet: str) -> str:
    """Rich markup for a snippet: the [[ ]] marks become bold colour, the rest is escaped."""
    from rich.markup import escape

    parts = strip_control(snippet).replace("]]", "[[").split("[[")
    return "".join(
        f"[bold yellow]{escape(part)}[/]" if n % 2 else escape(part) for n, part in enumerate(parts)
    )


def result_messages(
    results: SearchResults, *, query: str, page: int, limit: int, explain: bool
) -> tuple[list[str], list[str]]:
    """What a person reads around the hits: lines before them, lines after them (plain text)."""
    before, after = [], []
    if explain:
        before.append(f"Parsed query: {strip_control(results.parsed)}")
    if results.corrected:
        shown = strip_control(results.suggestion or "")
        before.append(f"No results for {strip_control(query)!r}; showing results for {shown!r}.")
    notice = getattr(results, "notice", None)
    if notice:
        before.append(strip_control(notice))
    total = results.total
    pages = max(1, -(-total // limit))
    counted = f"{total} result{'s' if total != 1 else ''} (page {page} of {pages})"
    if page > pages and total:
        counted += f"; the last page is {pages}."
    before.append(counted)
    facets = " | ".join(
        f"{name}: " + ", ".join(f"{strip_control(k)} {v}" for k, v in list(counts.items())[:8])
        for name, counts in results.facets.items()
        if counts
    )
    if facets:
        after.append(facets)
    if results.suggestion and not results.corrected:
        after.append(f"Did you mean: {strip_control(results.suggestion)}?")
    return before, after


def print_hits_plain(results: SearchResults, **options: Any) -> None:
    """For pipes and files: one tab-separated line per hit (title, agency, kind, date, URL),
    every URL whole; the counts, facets and suggestions go to stderr."""
    before, after = result_messages(results, **options)
    for line in before:
        sys.stderr.write(line + "\n")
    for hit in results.hits:
        cells = (hit.title, hit.agency, hit.content_type, hit.published or "", hit.url)
        sys.stdout.write("\t".join(strip_control(cell) for cell in cells) + "\n")
    for line in after:
        sys.stderr.write(line + "\n")


def when(hit: Any) -> list[str]:
    """A funding opportunity's closing date and an event's days, as a hit shows them."""
    out = [f"closes {hit.closing}"] if getattr(hit, "closing", None) else []
    if getattr(hit, "event_dates", None):
        out.append("on " + hit.event_dates.replace("/", " to "))
    return out


def print_hits_terminal(results: SearchResults, **options: Any) -> None:
    """For people: each hit as a title (a link where the terminal supports them), its facts,
    its URL on a line of its own (never folded) and the snippet with the matches marked."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    before, after = result_messages(results, **options)
    for line in before:
        console.print(escape(line))
    first = (options["page"] - 1) * options["limit"] + 1
    for n, hit in enumerate(results.hits, start=first):
        url = strip_control(hit.url)
        title = escape(strip_control(hit.title) or url)
        link = (
            f"[link={escape(url)}]{title}[/link]"
            if url.startswith(("http://", "https://"))
            else title
        )
        facts = " · ".join(filter(None, [hit.agency, hit.content_type, hit.published, *when(hit)]))
        console.print(f"\n[bold]{n}. {link}[/]  [dim]{escape(strip_control(facts))}[/]")
        console.print(f"   [blue]{escape(url)}[/]", soft_wrap=True)
        if hit.snippet:
            console.print(f"   {marked_snippet(hit.snippet)}")
    if after:
        console.print()
    for line in after:
        console.print(escape(line))


def show_hits(results: SearchResults, *, json_out: bool, **options: Any) -> None:
    """Hits as JSON lines, as a readable list on a terminal, or as plain lines for a pipe."""
    if json_out:
        print_hits_json(results, page=options["page"], limit=options["limit"])
    elif sys.stdout.isatty():
        print_hits_terminal(results, **options)
    else:
        print_hits_plain(results, **options)


#: The search filters every command that runs a search takes (search, watch add).
AgencyOption = Annotated[
    list[str] | None, typer.Option("--agency", help="Only this agency (repeatable).")
]
KindOption = Annotated[
    list[str] | None, typer.Option("--type", help="Only this content type (repeatable).")
]
SinceOption = Annotated[str | None, typer.Option(help="Published on or after (YYYY[-MM[-DD]]).")]
UntilOption = Annotated[str | None, typer.Option(help="Published on or before (YYYY[-MM[-DD]]).")]
LanguageOption = Annotated[
    list[str] | None,
    typer.Option("--language", help="Only this language, e.g. en or es (repeatable)."),
]
AddedSinceOption = Annotated[
    str | None,
    typer.Option(help="First seen by ojp-search on or after (YYYY[-MM[-DD]]): new to the library."),
]
OpenOption = Annotated[
    bool, typer.Option("--open", help="Only funding whose closing date has not passed.")
]
ClosingBeforeOption = Annotated[
    str | None, typer.Option(help="Only funding closing on or before (YYYY[-MM[-DD]]).")
]
UpcomingOption = Annotated[
    bool, typer.Option("--upcoming", help="Only events whose last day has not passed.")
]
EventFromOption = Annotated[
    str | None, typer.Option(help="Only events on or after (YYYY[-MM[-DD]]).")
]
EventUntilOption = Annotated[
    str | None, typer.Option(help="Only events on or before (YYYY[-MM[-DD]]).")
]
FullTextOption = Annotated[
    bool, typer.Option("--full-text", help="Only records with a readable document (full text).")
]
SortOption = Annotated[
    str,
    typer.Option(help="relevance; date or added (newest first); closing or event (soonest first)."),
]


def search_filters(options: dict[str, Any]) -> dict[str, Any]:
    """The ``SearchRequest`` fields of the filter flags, from a command's parameters (the CLI's
    names → the library's)."""
    return {
        "agency": tuple(options["agency"] or ()),
        "type": tuple(options["kind"] or ()),
        "since": options["since"],
        "until": options["until"],
        "language": tuple(options["language"] or ()),
        "added_since": options["added_since"],
        "open": options["open_only"],
        "closing_before": options["closing_before"],
        "upcoming": options["upcoming"],
        "event_from": options["event_from"],
        "event_until": options["event_until"],
        "full_text": options["full_text"],
    }


@app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help='The query, e.g. "human trafficking".')] = "",
    agency: AgencyOption = None,
    kind: KindOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    language: LanguageOption = None,
    added_since: AddedSinceOption = None,
    open_only: OpenOption = False,
    closing_before: ClosingBeforeOption = None,
    upcoming: UpcomingOption = False,
    event_from: EventFromOption = None,
    event_until: EventUntilOption = None,
    full_text: FullTextOption = False,
    sort: SortOption = "relevance",
    limit: Annotated[int, typer.Option(help="Hits per page.")] = 10,
    page: Annotated[int, typer.Option(help="Page number, from 1.")] = 1,
    json_out: JsonOption = False,
    explain: Annotated[bool, typer.Option("--explain", help="Print the parsed query.")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Search the index (Whoosh query language: title:, agency:, type:, journal:,
    published:2019..2024). With filters, the query may be left out: every record they allow.

    With --json: one object per hit (id, url, title, agency, content_type, published, score,
    snippet with matches in [[ ]]), then one line with total, page, facets and suggestion.
    """
    from index.fulltext.searcher import SearchRequest, search

    filters = search_filters(locals())
    request = SearchRequest(query=query, sort=sort, limit=limit, page=page, **filters)
    results = search(resolve_data_dir(data_dir), request)
    show_hits(results, query=query, page=page, limit=limit, explain=explain, json_out=json_out)


@app.command("similar")
def similar_command(
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="RECORD", help="A record id, its URL, an NCJ number or an opportunity ID."
        ),
    ],
    limit: Annotated[int, typer.Option(help="How many similar records.")] = 10,
    json_out: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Records similar to one record (more like this), found as `show` finds it.

    Example: `ojp-search similar https://www.ojp.gov/library/publications/... --limit 5`.
    """
    from index.fulltext.searcher import similar
    from index.lookup import find_record
    from index.store import Store, StoreError

    where = resolve_data_dir(data_dir)
    try:
        with Store.open_reader(where) as store:
            record = find_record(store, where, record_id)
    except StoreError:  # no store: the index alone knows ids
        record = None
    results = similar(where, record.id if record else record_id, limit=limit)
    show_hits(results, query=record_id, page=1, limit=limit, explain=False, json_out=json_out)


@app.command("rebuild")
def rebuild_command(
    force: Annotated[
        bool,
        typer.Option("--force", help="Rebuild even when the store has no live records."),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Rebuild the search index from the store, then swap it in (one writer at a time)."""
    from index.fulltext.writer import rebuild_from_store

    update = rebuild_from_store(resolve_data_dir(data_dir), force=force)
    sys.stdout.write(
        f"Rebuilt the index: {update.documents} records, generation {update.generation}.\n"
    )


# === show, status, changes, export (index/store.py, index/export.py) =========================
#
# `show`, `status`, `changes` and `export` read the store (the source of truth), never the index,
# except `export --query`, which asks the index which records match.

if TYPE_CHECKING:
    from rich.table import Table

    from index.records import Record
    from index.store import RunReport, Store


def open_existing_store(data_dir: DataDir) -> Store:
    """The store in ``data_dir`` for reading: never waits on a refresh that is writing."""
    from index.store import Store

    return Store.open_reader(data_dir)


def print_json_line(data: object) -> None:
    sys.stdout.write(json_line(data) + "\n")


def record_lines(record: Record, status: str | None) -> list[str]:
    """A readable layout of a record: its fields and details labelled for people (the
    bookkeeping fields stay in --json), then its text and links."""
    import textwrap

    from index.labels import detail_rows, field_rows

    data = record.to_dict()
    lines = [printable(data["title"]), printable(data["url"])]
    if status and status != "live":
        lines.append(f"(status: {status}: no longer on the site; kept in the store)")
    lines.append("")
    for label, value in [*field_rows(data), *detail_rows(data["details"])]:
        lines.append(f"{label + ':':<21} {printable(value)}")
    for alias in data["aliases"]:
        lines.append(f"{'Other URL:':<21} {printable(alias)}")
    for name in ("summary", "body"):
        if data[name]:
            lines += ["", name.capitalize()]
            for paragraph in printable(data[name]).split("\n"):
                lines += textwrap.wrap(paragraph, 96, initial_indent="  ", subsequent_indent="  ")
    for name, heading in (("attachments", "Linked documents"), ("related", "Related")):
        if data[name]:
            lines += ["", heading]
            for item in data[name]:
                lines += link_lines(item)
    return lines


def link_lines(item: dict[str, Any]) -> list[str]:
    """An attachment or related link: its title and facts, then its URL (and why it is unread)."""
    facts = [str(item[key]) for key in ("agency", "date", "media_type") if item.get(key)]
    if item.get("pages"):
        facts.append(f"{item['pages']} pages")
    if item.get("size"):
        facts.append(f"{int(item['size']) / 1024:,.0f} KB")
    title = item.get("title") or item["url"]
    lines = [f"  - {printable(title)}" + (f" ({', '.join(facts)})" if facts else "")]
    lines.append(f"    {printable(item['url'])}")
    if item.get("error"):
        lines.append(f"    not readable: {printable(item['error'])}")
    return lines


@app.command("show")
def show_command(
    id_or_url: Annotated[
        str,
        typer.Argument(
            metavar="RECORD",
            help="A record id, its URL or an old URL of it, an NCJ number or an opportunity ID.",
        ),
    ],
    json_output: JsonOption = False,
    cite: Annotated[
        str | None,
        typer.Option(
            "--cite",
            help="Print the record's citation instead: ris, bibtex or csljson.",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Show one whole record from the store, its fields labelled for people.

    Examples: `ojp-search show 252984` (an NCJ number), `ojp-search show O-BJA-2023-171861`,
    `ojp-search show https://www.ojp.gov/library/publications/...`, `ojp-search show ID --json`,
    `ojp-search show 252984 --cite bibtex >> refs.bib`.
    """
    from index.citations import citation_format, write_citations
    from index.lookup import find_record

    if cite is not None and json_output:
        fail("use --cite or --json, not both.")
    fmt = citation_format(cite) if cite is not None else None
    where = resolve_data_dir(data_dir)
    with open_existing_store(where) as store:
        record = find_record(store, where, id_or_url)
        if record is None:
            fail(
                "no record with id, URL, NCJ number or opportunity ID "
                f'{strip_control(id_or_url)!r}. Find one with "ojp-search search <words>".',
                ExitCode.NOT_FOUND,
            )
        status = store.record_status(record.id)
    if fmt is not None:
        write_citations(
            [record], fmt, TerminalSafe(sys.stdout) if sys.stdout.isatty() else sys.stdout
        )
        return
    if json_output:
        print_json_line(record.to_dict())
        return
    sys.stdout.write("\n".join(record_lines(record, status)) + "\n")


def run_rows(runs: list[RunReport]) -> object:
    table = plain_table(gap=1)
    for column in ("Run", "Status", "Started (UTC)", "Took"):
        table.add_column(column, no_wrap=True)
    for column in ("Added", "Changed", "Removed", "Failed", "Withheld"):
        table.add_column(column, justify="right", no_wrap=True)
    for run in runs:
        duration = f"{run.duration_s:.1f}s" if run.duration_s is not None else "-"
        table.add_row(
            str(run.run_id),
            run.status,
            run.started[:16].replace("T", " "),
            duration,
            *(str(run.totals.get(key, 0)) for key in ("added", "changed", "removed", "failed")),
            str(sum(run.withheld.values())),
        )
    return table


def plain_table(gap: int = 2) -> Table:
    """A borderless table with a bold header, ``gap`` spaces between columns."""
    from rich.table import Table

    return Table(box=None, pad_edge=False, padding=(0, gap, 0, 0), header_style="bold")


def count_table(column: str, counts: dict[str, int]) -> object:
    table = plain_table()
    table.add_column(column)
    table.add_column("Records", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    return table


@app.command("status")
def status_command(json_output: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """Show what the store holds: records by agency and kind, the last runs, failing URLs."""
    from rich.console import Console

    resolved = resolve_data_dir(data_dir)
    with open_existing_store(resolved) as store:
        status = store.status()
        location = store.path
    if json_output:
        print_json_line(status.to_dict())
        return
    console = Console(highlight=False, markup=False)
    console.print(f"Store: {location}")
    console.print(f"{status.live} live records, {status.gone} gone.")
    if status.by_agency:
        console.print("\nLive records by agency")
        console.print(count_table("Agency", status.by_agency))
        console.print("\nLive records by kind")
        console.print(count_table("Kind", status.by_type))
    if status.runs:
        console.print("\nLast runs")
        console.print(run_rows(status.runs))
    else:
        console.print("No runs yet.")
    if status.failing:
        console.print(f"\nFailing URLs ({status.failing_total})")
        table = plain_table()
        table.add_column("URL", overflow="fold", ratio=3)
        table.add_column("Site")
        table.add_column("Status")
        table.add_column("Last error", ratio=2)
        table.add_column("Last fetched", no_wrap=True)
        for url in status.failing:
            fetched = (url.last_fetched or "-")[:16].replace("T", " ")
            table.add_row(
                strip_control(url.url),
                strip_control(url.site),
                url.status,
                strip_control(url.last_error or ""),
                fetched,
            )
        console.print(table)
    if status.withheld:
        console.print(
            f"\nRemovals withheld ({len(status.withheld)}): "
            'check them, then run "ojp-search refresh --confirm-removals"'
        )
        table = plain_table()
        table.add_column("URL", overflow="fold", ratio=3)
        table.add_column("Site")
        table.add_column("Reason", ratio=2)
        for url in status.withheld:
            reason = (url.last_error or "").removeprefix("removal withheld: ")
            table.add_row(strip_control(url.url), strip_control(url.site), strip_control(reason))
        console.print(table)


@app.command("changes")
def changes_command(
    since: Annotated[
        str | None, typer.Option("--since", help="Changes on or after this date (YYYY[-MM[-DD]]).")
    ] = None,
    run: Annotated[int | None, typer.Option("--run", help="Changes of this run.")] = None,
    json_output: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """List what was added, changed and removed, newest first (default: the last completed run)."""
    from index.filters import date_bounds

    if since is not None and run is not None:
        fail("use --since or --run, not both.")
    start = date_bounds(since, "--since")[0] if since else None
    with open_existing_store(resolve_data_dir(data_dir)) as store:
        if run is not None:
            store.run_report(run)  # no such run: a NOT_FOUND error
        changes = store.changes(since=start, run_id=run)
    if json_output:
        for change in changes:
            print_json_line(change.to_dict())
        return
    if not changes:
        sys.stdout.write("No changes.\n")
        return
    from rich.console import Console

    console = Console(highlight=False, markup=False)
    console.print(f"{len(changes)} change(s)")
    table = plain_table()
    for column in ("Change", "Run", "When (UTC)", "Agency", "Kind"):
        table.add_column(column, no_wrap=True)
    table.add_column("Title / URL", overflow="fold")
    for change in changes:
        table.add_row(
            change.change,
            str(change.run_id),
            change.at[:16].replace("T", " "),
            change.agency,
            change.content_type,
            f"{strip_control(change.title)}\n{strip_control(change.url)}",
        )
    console.print(table)


@app.command("export")
def export_command(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="jsonl, csv, json, xlsx, or citations: ris, bibtex, csljson (default: from "
            "the file's extension, else jsonl).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File to write ('-' or none: stdout).")
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Only records matching this search.")
    ] = None,
    agency: Annotated[list[str] | None, typer.Option("--agency", help="Only this agency.")] = None,
    kind: Annotated[list[str] | None, typer.Option("--type", help="Only this kind.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Published on or after (YYYY[-MM[-DD]]).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Published on or before (YYYY[-MM[-DD]]).")
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option("--changed-since", help="Added or changed on or after (YYYY[-MM[-DD]])."),
    ] = None,
    language: LanguageOption = None,
    added_since: AddedSinceOption = None,
    open_only: OpenOption = False,
    closing_before: ClosingBeforeOption = None,
    upcoming: UpcomingOption = False,
    event_from: EventFromOption = None,
    event_until: EventUntilOption = None,
    full_text: FullTextOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Export live records from the store as JSON Lines, CSV, a JSON array (UTF-8), an Excel
    workbook for people (xlsx), or citations for reference managers (RIS, BibTeX, CSL-JSON)."""
    from index.export import (
        INDEX_FILTERS,
        RecordFilter,
        check_target,
        export_records,
        export_search,
        format_for,
        select_records,
    )
    from index.filters import Filters
    from index.fulltext.query import check_request

    target = Path(output) if output and output != "-" else None
    fmt = format_for(target, fmt)
    if target is not None:
        check_target(target)
    filters = Filters.checked(
        agencies=agency or (),
        types=kind or (),
        since=since,
        until=until,
        changed_since=changed_since,
    )
    chosen = search_filters(locals())
    wanted = export_search(query, **{name: chosen[name] for name in INDEX_FILTERS})
    if wanted is not None:
        check_request(wanted)  # a bad date or language is told before anything is written
    resolved = resolve_data_dir(data_dir)
    with open_existing_store(resolved) as store:
        records = select_records(store, RecordFilter.from_filters(filters), resolved, wanted)
        try:
            terminal = sys.stdout.isatty()
            stdout = TerminalSafe(sys.stdout) if terminal else sys.stdout
            binary = None if terminal else sys.stdout.buffer
            count = export_records(records, fmt, target, stdout, binary)
        except BrokenPipeError:  # the reader stopped early (`| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return
        except OSError as exc:
            fail(f"cannot write {target or 'stdout'}: {exc.strerror or exc}.", ExitCode.FAILED)
    if target is not None:
        sys.stderr.write(f"Exported {count} record(s) to {target}.\n")


class TerminalSafe:
    """A text stream to a terminal that shows crawled text inert (controls become spaces)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return int(self.stream.write(printable(text)))

    def flush(self) -> None:
        self.stream.flush()


# === refresh, schedule, demo (flows/) ========================================================
#
# These commands reach Prefect through flows/. Prefect's own console logs stay off the terminal
# unless --verbose (they still reach a Prefect server when PREFECT_API_URL is set): the commands
# show their own progress on stderr and print the run report on stdout.

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

SiteNamesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--site",
        help="Only this site (repeatable). Default: the sites file's sites, else every site.",
        show_default=False,
    ),
]
SitesFileOption = Annotated[
    Path | None,
    typer.Option("--sites-file", help="A TOML file of site definitions.", show_default=False),
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show Prefect's own logs as well.")
]


def select_site_names(sites: list[str] | None, sites_file: Path | None) -> tuple[str, ...]:
    """Validate the sites file and the names before anything runs; the names a refresh crawls."""
    from flows.sites import select_site_names as select

    return select(sites, sites_file)


def ensure_refresh_free(where: DataDir) -> None:
    from index.lock import check_refresh_free

    check_refresh_free(where)


def run_with_progress(names: tuple[str, ...], verbose: bool, run: Callable[[], T]) -> T:
    """Run a refresh (``run``) showing progress per site on stderr: bars on a terminal, lines
    otherwise. A refresh refused by the lock becomes the BUSY error."""
    from rich.console import Console

    from flows.progress import LineProgress, TerminalProgress, mute_prefect_console, notify

    display: TerminalProgress | LineProgress = (
        TerminalProgress(names, Console(stderr=True))
        if sys.stderr.isatty()
        else LineProgress(sys.stderr)
    )
    if not verbose:
        mute_prefect_console()
    with display, notify.listening(display):
        return run()


@app.command("refresh")
def refresh_command(
    site: SiteNamesOption = None,
    sites_file: SitesFileOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="Refetch every page, ignoring what is known.")
    ] = False,
    max_run_seconds: Annotated[
        float | None,
        typer.Option(
            "--max-run-seconds",
            help="Stop crawling after this many seconds (default: the sites file's).",
            show_default=False,
        ),
    ] = None,
    confirm_removals: Annotated[
        bool,
        typer.Option(
            "--confirm-removals",
            help="Apply the removals the safety valve withheld (listed by status).",
        ),
    ] = False,
    data_dir: DataDirOption = None,
    verbose: VerboseOption = False,
) -> int:
    """Crawl the sites, sync the store and update the index (one run, reported at the end).

    The data dir remembers the sites file it was refreshed with: later refreshes of it without
    --sites-file crawl the same sites. Ctrl-C or SIGTERM stops the crawls at once, marks the run
    cancelled and leaves the store and the index as the last completed run left them.
    """
    import math
    import time

    from flows.leftovers import end_orphans, own_descendants
    from flows.sites import remember_selection, select_sites
    from index.lock import hold_refresh_lock

    started = time.monotonic()
    if max_run_seconds is not None and not (math.isfinite(max_run_seconds) and max_run_seconds > 0):
        fail("--max-run-seconds must be a positive number of seconds.")
    where = resolve_data_dir(data_dir)
    selection = select_sites(where, site, sites_file)
    stop = StopSignals()
    # The lock before Prefect starts: a second refresh beside this one is refused at once.
    with hold_refresh_lock(where.ensure()):
        if ended := end_orphans():
            say(f"Ended {ended} process(es) an earlier, killed refresh left running.")
        own_descendants()
        remember_selection(where, selection)
        say(f"Refreshing {where.root}: {selection.describe()}.")
        say("Starting Prefect (the first run of a process takes a few seconds)...")
        from flows.refresh import (
            STOP_SIGNALS,
            RefreshFailedError,
            cancel_refresh,
            refresh,
            stopped_by_sigterm,
        )
        from flows.report import render_text

        try:
            report = run_with_progress(
                selection.names,
                verbose,
                lambda: refresh(
                    sites=list(site) if site else None,
                    full=full,
                    sites_file=str(selection.sites_file) if selection.sites_file else None,
                    data_dir=str(where.root),
                    max_run_seconds=max_run_seconds,
                    confirm_removals=confirm_removals,
                ),
            )
        except STOP_SIGNALS as exc:
            code = ExitCode.TERMINATED if stopped_by_sigterm(exc) else stop.exit_code()
            how = "SIGTERM" if code == ExitCode.TERMINATED else "Ctrl-C"
            runs = cancel_refresh(where, f"cancelled: stopped by {how}")
            which = f"run {runs[0]}" if len(runs) == 1 else "the run"
            print_error(
                f"refresh stopped by {how}: {which} is marked cancelled; the store and the "
                "index are as the last completed run left them."
            )
            return int(code)
        except RefreshFailedError as exc:
            sys.stdout.write(printable(render_text(exc.report)) + "\n")
            say(f"Took {time.monotonic() - started:.1f} s in all, Prefect's start included.")
            print_error(error_line(exc))
            return int(exit_code(exc))
    sys.stdout.write(printable(render_text(report)) + "\n")
    say(f"Took {time.monotonic() - started:.1f} s in all, Prefect's start included.")
    return int(ExitCode.OK)


@app.command("schedule")
def schedule_command(
    cron: Annotated[
        str | None,
        typer.Option(help='When to refresh, as a cron expression (default: "0 5 * * *", daily).'),
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Refresh every this many seconds instead of on a cron.")
    ] = None,
    site: SiteNamesOption = None,
    sites_file: SitesFileOption = None,
    data_dir: DataDirOption = None,
) -> int:
    """Serve the refresh on a schedule until stopped (Ctrl-C), one run at a time.

    Reports to the Prefect server at PREFECT_API_URL; without one, starts a local server.
    """
    from datetime import UTC, datetime
    from functools import partial

    from flows.sites import remember_selection, select_sites

    where = resolve_data_dir(data_dir).ensure()
    selection = select_sites(where, site, sites_file)
    remember_selection(where, selection)
    from flows.schedule import (
        RunWatcher,
        build_deployment,
        next_run_time,
        prefect_api,
        serve_refresh,
    )

    deployment = build_deployment(
        data_dir=where,
        cron=cron,
        interval=interval,
        sites=site,
        sites_file=selection.sites_file,
    )
    when = f"every {interval:g} s" if interval else f'on "{cron or "0 5 * * *"}"'
    due = partial(next_run_time, cron, interval)
    # SIGTERM stops it like Ctrl-C does, at any point: the local server is stopped on the way out.
    stop = StopSignals()
    watcher = RunWatcher(where, tell, due)
    try:
        with prefect_api(where, say) as api_url:
            say(f"Refreshing {where.root} {when}: {selection.describe()}; one run at a time.")
            tell(f"Next refresh: {due(datetime.now(UTC)):%Y-%m-%d %H:%M} UTC. Ctrl-C stops.")
            watcher.start()
            serve_refresh(deployment, api_url)
    except KeyboardInterrupt:
        say("Stopped.")
        return int(stop.exit_code())
    finally:
        watcher.stopped.set()
    # Prefect's runner takes SIGTERM itself and returns: nothing else ends serving.
    say("Stopped.")
    return int(ExitCode.TERMINATED)


class StopSignals:
    """SIGTERM raises ``KeyboardInterrupt`` as Ctrl-C does, so that ``finally`` blocks stop
    what a command started; ``exit_code`` then tells the two apart (143 or 130)."""

    def __init__(self) -> None:
        import signal

        self.terminated = False
        signal.signal(signal.SIGTERM, self.on_term)

    def on_term(self, signum: int, frame: object) -> None:
        self.terminated = True
        raise KeyboardInterrupt

    def exit_code(self) -> ExitCode:
        return ExitCode.TERMINATED if self.terminated else ExitCode.INTERRUPTED


def tell(line: str) -> None:
    """A result line for whoever reads stdout (a log file, a terminal)."""
    sys.stdout.write(f"{strip_control(line)}\n")
    sys.stdout.flush()


def say(line: str) -> None:
    """A message for the person at the terminal (stderr; results go to stdout)."""
    sys.stderr.write(f"{strip_control(line)}\n")


@app.command("demo")
def demo_command(
    data_dir: DataDirOption = None,
    keep_serving: Annotated[
        bool,
        typer.Option("--keep-serving", help="Keep the sample site up afterwards, for more runs."),
    ] = False,
    verbose: VerboseOption = False,
) -> int:
    """Crawl the bundled sample site into a fresh demo data dir and show a few searches.

    The demo data dir (default: <data dir>/demo) is wiped first; the demo refuses a folder it did
    not make.
    """
    from flows.demo import (
        check_demo_dir,
        demo_data_dir,
        demo_site_names,
        run_demo,
        serve_sample_site,
    )
    from flows.refresh import RefreshFailedError
    from flows.report import render_text

    where = resolve_data_dir(data_dir) if data_dir else demo_data_dir(resolve_data_dir(None))
    check_demo_dir(where)
    with serve_sample_site() as site:
        sys.stderr.write(f"Serving the sample site at {site.base_url}\n")
        try:
            demo = run_with_progress(demo_site_names(), verbose, lambda: run_demo(where, site))
        except RefreshFailedError as exc:
            sys.stdout.write(printable(render_text(exc.report)) + "\n")
            fail(f"the demo refresh failed: {exc}", ExitCode.FAILED)
        print_demo(demo, serving=keep_serving)
        if keep_serving:
            sys.stderr.write(f"Serving {site.base_url} until Ctrl-C.\n")
            wait_for_interrupt()
    return int(ExitCode.OK)


def print_demo(demo: Any, *, serving: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    from flows.report import render_text

    console = Console(highlight=False, soft_wrap=True)  # long paths stay copyable
    console.print(escape(printable(render_text(demo.report))))
    for query, results in demo.searches:
        console.print(f"\n[bold]$ ojp-search search {escape(shell_quote(query))}[/]")
        console.print(f"{results.total} result{'s' if results.total != 1 else ''}")
        for hit in results.hits:
            facts = ", ".join(filter(None, [hit.agency, hit.content_type, hit.published]))
            console.print(f"  • {escape(strip_control(hit.title))} [dim]({escape(facts)})[/]")
            console.print(f"    [dim]{escape(strip_control(hit.url))}[/]")
    flag = shell_quote(str(demo.data_dir.root))
    first = demo.searches[0][1].hits[0].id if demo.searches and demo.searches[0][1].hits else "ID"
    commands = [
        f'ojp-search search "victim services" --agency OVC --data-dir {flag}',
        f"ojp-search show {first} --data-dir {flag}",
        f"ojp-search export --data-dir {flag} > demo.jsonl",
        f"ojp-search status --data-dir {flag}",
    ]
    if serving:
        commands.append(f"ojp-search refresh --data-dir {flag}")
    commands.append(f"ojp-search serve --data-dir {flag}    # then open http://127.0.0.1:8080/")
    console.print("\n[bold]Try next:[/]")
    for line in commands:
        console.print(f"  {escape(line)}")


def shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def wait_for_interrupt() -> None:
    import contextlib
    import threading

    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


# === serve (web/) ============================================================================
#
# The web face: the search page and the JSON API over the data dir, and with --cron/--interval
# the scheduled refresh as `schedule` serves it. Only GET: nothing on the page writes.


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option(help="Address to listen on (not 127.0.0.1: others can reach it).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    cron: Annotated[
        str | None, typer.Option(help="Also refresh on this cron schedule (as schedule --cron).")
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Also refresh every this many seconds instead.")
    ] = None,
    site: SiteNamesOption = None,
    sites_file: SitesFileOption = None,
    data_dir: DataDirOption = None,
) -> int:
    """Serve the search page and the JSON API until stopped (Ctrl-C); with --cron or
    --interval, also run the scheduled refresh (one run at a time)."""
    from web.schedule import ScheduleInfo
    from web.server import run_service

    where = resolve_data_dir(data_dir)
    deployment = schedule = None
    if cron or interval:
        where.ensure()
        select_site_names(site, sites_file)
        from flows.schedule import build_deployment

        deployment = build_deployment(
            data_dir=where, cron=cron, interval=interval, sites=site, sites_file=sites_file
        )
        schedule = ScheduleInfo(cron=None if interval else cron or "0 5 * * *", interval=interval)
    elif site or sites_file:
        fail("--site and --sites-file go with --cron or --interval (the scheduled refresh).")
    run_service(
        where,
        host=host,
        port=port,
        say=say,
        schedule=schedule,
        deployment=deployment,
    )
    return int(ExitCode.OK)


# === import, store copy (index/transfer.py) ==================================================
#
# Move a store between backends and machines without crawling again.

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="The store's URL: sqlite:///PATH or postgresql://HOST/DB (else "
        "$OJP_SEARCH_STORE_URL, else the data dir's config, else the data dir's own SQLite file).",
        show_default=False,
    ),
]


@app.command("import")
def import_command(
    file: Annotated[
        str, typer.Argument(help="Records as `export --format jsonl` writes them; - for stdin.")
    ],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import records into the store as one run (same sync rules as a crawl), then update the
    index."""
    from index.datadir import DataDir
    from index.fulltext.writer import update_index
    from index.lock import hold_refresh_lock
    from index.store import Store
    from index.transfer import import_records

    where = DataDir.resolve(data_dir, store=store)
    source = "stdin" if file == "-" else file
    with hold_refresh_lock(where.ensure()), Store.open(where) as opened:
        if file == "-":
            result = import_records(opened, sys.stdin, source=source)
        else:
            try:
                lines = open(file, encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:
                fail(f"cannot read {file}: {exc.strerror or exc}.")
            with lines:
                result = import_records(opened, lines, source=source)
        update = update_index(opened, where)
    totals = result.report.totals
    sys.stdout.write(
        f"Imported {result.records} records from {strip_control(source)} as run "
        f"{result.report.run_id}: {totals['added']} added, {totals['changed']} changed, "
        f"{totals['unchanged']} unchanged; the index holds {update.documents} records.\n"
    )


store_app = typer.Typer(
    name="store",
    help="Move the store between SQLite and PostgreSQL, or to another machine.",
    no_args_is_help=True,
)
app.add_typer(store_app)


@store_app.command("copy")
def store_copy_command(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The new, empty store: sqlite:///PATH or postgresql://HOST/DB.",
            show_default=False,
        ),
    ],
    store: StoreOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Copy every record, URL state, run and change of the store into a new, empty store."""
    from index.datadir import DataDir
    from index.store import Store
    from index.transfer import copy_store

    where = DataDir.resolve(data_dir, store=store)
    with Store.open_reader(where) as source, Store(to) as target:
        result = copy_store(source, target)
        shown = (str(source.path), str(target.path))
    rows = result.rows
    sys.stdout.write(
        f"Copied {shown[0]} to {shown[1]}: {rows['records']} records, {rows['url_state']} URLs, "
        f"{rows['runs']} runs, {rows['changes']} changes.\n"
    )


watch_app = typer.Typer(
    name="watch",
    help="Saved searches: each refresh records what newly matches them.",
    no_args_is_help=True,
)
app.add_typer(watch_app)


def open_watch_store(data_dir: DataDir) -> Store:
    """The existing store, for writing a saved search (never creates a store)."""
    from index.store import Store

    Store.open_reader(data_dir).close()
    return Store.open(data_dir)


@watch_app.command("add")
def watch_add_command(
    name: Annotated[str, typer.Argument(help="A name for the saved search.")],
    query: Annotated[str, typer.Argument(help="The query, as for search.")] = "",
    agency: AgencyOption = None,
    kind: KindOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    language: LanguageOption = None,
    added_since: AddedSinceOption = None,
    open_only: OpenOption = False,
    closing_before: ClosingBeforeOption = None,
    upcoming: UpcomingOption = False,
    event_from: EventFromOption = None,
    event_until: EventUntilOption = None,
    full_text: FullTextOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Save a search: after each refresh, what newly matches it (and what stopped) is recorded,
    named in the run report, and listed by `watch show NAME --new`."""
    from index.fulltext.query import SearchRequest
    from index.watches import add_watch

    filters = search_filters(locals())
    where = resolve_data_dir(data_dir)
    with open_watch_store(where) as store:
        watch = add_watch(store, where, name, SearchRequest(query=query, **filters))
    matching = (
        f"{watch.matches} record(s) match it now"
        if watch.checked
        else "it is checked after the first refresh"
    )
    sys.stdout.write(
        f"Saved search {watch.name!r}: {matching}. Each refresh records what is new; "
        f'see it with "ojp-search watch show {shell_quote(watch.name)} --new".\n'
    )


@watch_app.command("list")
def watch_list_command(json_output: JsonOption = False, data_dir: DataDirOption = None) -> None:
    """The saved searches: query and filters, matches at the last refresh, unseen news."""
    from index.watches import list_watches

    with open_existing_store(resolve_data_dir(data_dir)) as store:
        watches = list_watches(store)
    if json_output:
        for watch in watches:
            print_json_line(watch.to_dict())
        return
    if not watches:
        sys.stdout.write('No saved searches. Save one with "ojp-search watch add NAME QUERY".\n')
        return
    table = plain_table()
    for column in ("Name", "Search", "Matches", "Unseen", "Checked (UTC)"):
        table.add_column(column, no_wrap=column != "Search")
    for watch in watches:
        data = watch.to_dict()
        shown = " ".join([data["query"], *filter_flags(data)])
        table.add_row(
            strip_control(watch.name),
            strip_control(shown),
            str(watch.matches),
            str(watch.unseen),
            (watch.checked or "not yet")[:16].replace("T", " "),
        )
    from rich.console import Console

    Console(highlight=False, markup=False).print(table)


def filter_flags(watch: dict[str, Any]) -> list[str]:
    """A saved search's filters as the flags that give them (``--type event``, ``--open``):
    each request field is its flag's name."""
    out = []
    for key, value in watch["filters"].items():
        flag = "--" + key.replace("_", "-")
        for item in value if isinstance(value, list) else [value]:
            out.append(flag if item is True else f"{flag} {item}")
    return out


@watch_app.command("rm")
def watch_rm_command(
    name: Annotated[str, typer.Argument(help="The saved search to remove.")],
    data_dir: DataDirOption = None,
) -> None:
    """Remove a saved search and its news."""
    from index.watches import remove_watch

    with open_watch_store(resolve_data_dir(data_dir)) as store:
        remove_watch(store, name)
    sys.stdout.write(f"Removed saved search {strip_control(name)!r}.\n")


@watch_app.command("show")
def watch_show_command(
    name: Annotated[str, typer.Argument(help="The saved search.")],
    new: Annotated[
        bool,
        typer.Option("--new", help="What is new since you last looked (then marked as seen)."),
    ] = False,
    sort: SortOption = "relevance",
    limit: Annotated[int, typer.Option(help="Hits per page (without --new).")] = 10,
    page: Annotated[int, typer.Option(help="Page number, from 1 (without --new).")] = 1,
    json_out: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Run a saved search now; with --new, list the records that newly matched, changed or
    stopped matching at the refreshes since you last looked."""
    from dataclasses import replace

    from index.fulltext.searcher import search
    from index.watches import get_watch, take_unseen

    where = resolve_data_dir(data_dir)
    if not new:
        with open_existing_store(where) as store:
            watch = get_watch(store, name)
        request = replace(watch.request, sort=sort, limit=limit, page=page)
        results = search(where, request)
        show_hits(
            results, query=request.query, page=page, limit=limit, explain=False, json_out=json_out
        )
        return
    with open_watch_store(where) as store:
        events = take_unseen(store, name)
    if json_out:
        for event in events:
            print_json_line(event.to_dict())
        return
    if not events:
        sys.stdout.write(f"Nothing new for {strip_control(name)!r} since you last looked.\n")
        return
    width = max(len(event.event) for event in events)
    for event in events:
        title = strip_control(event.title) or event.record_id
        sys.stdout.write(
            f"{event.event.ljust(width)}  {title}\n{' ' * width}  {strip_control(event.url)}\n"
        )


@functools.cache
def cli_command() -> Any:
    """The app's argument parser, built once per process."""
    return typer.main.get_command(app)


def click_failure(exc: Exception) -> int | None:
    """The exit code for the argument parser's own exceptions, printing their message; None for
    anything else. (Matched by class name: typer may bundle its own copy of click.)"""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "Exit" in names:
        return int(getattr(exc, "exit_code", 0))
    if "Abort" in names:
        print_error("aborted.")
        return int(ExitCode.INTERRUPTED)
    if "ClickException" in names:
        message = str(cast(Any, exc).format_message()).strip()
        if not message.endswith((".", "?")):
            message += "."
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "ojp-search"
        print_error(f"{message} See '{where} -h'.")
        return int(ExitCode.USAGE)
    return None


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and turns known failures into one-line errors."""
    from index.errors import OjpError

    GIVEN.clear()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        rv = cli_command().main(args=args, prog_name="ojp-search", standalone_mode=False)
    except CliError as exc:
        print_error(exc.message)
        return int(exc.code)
    except OjpError as exc:  # a library error: its sentence, this face's next step and code
        print_error(error_line(exc))
        return int(exit_code(exc))
    except KeyboardInterrupt:
        print_error("interrupted.")
        return int(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # typer.Exit inside commands
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except Exception as exc:  # the last line of defence against tracebacks
        code = click_failure(exc)
        if code is not None:
            return code
        if debug:
            raise
        print_error(f"{type(exc).__name__}: {exc}. Run again with --debug for the details.")
        return int(ExitCode.FAILED)
    return rv if isinstance(rv, int) else int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
