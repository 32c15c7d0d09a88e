"""ojp-search: the command line. Thin: parse arguments, call ``index/`` or ``flows/``, print.

Heavy imports (Whoosh, the store, Scrapy, Prefect) happen inside the commands, so that
``ojp-search search`` starts fast and never imports Scrapy or Prefect.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from index.datadir import DataDir

# No telemetry leaves the machine, whatever the environment says.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"


class ExitCode(enum.IntEnum):
    """Exit codes of every command (documented in the README)."""

    OK = 0
    FAILED = 1  # the operation ran and failed (a refresh with a failed site, ...)
    USAGE = 2  # bad arguments, bad query, bad date, bad sites file
    NO_DATA = 3  # no store or index yet: run a refresh first
    NOT_FOUND = 4  # show / similar: no such record
    BUSY = 5  # another refresh holds the data dir
    INTERRUPTED = 130


class CliError(Exception):
    """A failure the user can act on: one sentence with a next step, and an exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


app = typer.Typer(
    name="ojp-search",
    help="Crawl, sync and search the public resource pages of the Office of Justice Programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the store and index live [env: OJP_SEARCH_DATA_DIR].",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (one object per line).")]


def resolve_data_dir(flag: Path | None) -> DataDir:
    from index.datadir import DataDir

    return DataDir.resolve(flag)


def fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    raise CliError(message, code)


def print_error(message: str) -> None:
    sys.stderr.write(f"Error: {message}\n")


# ---------------------------------------------------------------------------------------------
# Commands are added below, one section each. Keep each command thin: parse, call, print.
# ---------------------------------------------------------------------------------------------

# === search, similar, rebuild (index/searcher.py, index/writer.py) ===========================

# === show, status, changes, export (index/store.py, index/export.py) =========================

# === refresh, schedule, demo (flows/) ========================================================


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point: runs the app and turns known failures into one-line errors."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    args = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--debug"]
    try:
        rv = app(args=args, prog_name="ojp-search", standalone_mode=False)
    except CliError as exc:
        print_error(exc.message)
        return int(exc.code)
    except KeyboardInterrupt:
        print_error("interrupted.")
        return int(ExitCode.INTERRUPTED)
    except SystemExit as exc:  # typer.Exit inside commands
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except Exception as exc:  # the last line of defence against tracebacks
        import click

        if isinstance(exc, click.exceptions.Exit):
            return int(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            return int(ExitCode.USAGE)
        if isinstance(exc, click.exceptions.Abort):
            print_error("aborted.")
            return int(ExitCode.INTERRUPTED)
        if debug:
            raise
        print_error(f"{type(exc).__name__}: {exc}. Run again with --debug for the details.")
        return int(ExitCode.FAILED)
    return rv if isinstance(rv, int) else int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
