"""The run report of a refresh, as a text table (terminal, logs) and as markdown (the Prefect
artifact). Both read the dict form of ``index.store.RunReport``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: (count key, column heading), in display order.
COLUMNS = (
    ("fetched", "fetched"),
    ("not_modified", "not modified"),
    ("skipped", "skipped"),
    ("added", "added"),
    ("changed", "changed"),
    ("unchanged", "unchanged"),
    ("removed", "removed"),
    ("failed", "failed"),
)
#: URL-level errors listed before "... and N more".
MAX_LISTED_ERRORS = 10


def count_rows(report: Mapping[str, Any]) -> list[list[str]]:
    """One row per site, then the totals: the site name and its counts."""
    counts: Mapping[str, Mapping[str, int]] = report["counts"]
    rows = [
        [site, *(str(counts.get(site, {}).get(key, 0)) for key, _ in COLUMNS)]
        for site in report["sites"]
    ]
    totals = report["totals"]
    if len(rows) > 1:
        rows.append(["total", *(str(totals.get(key, 0)) for key, _ in COLUMNS)])
    return rows


def headline(report: Mapping[str, Any]) -> str:
    took = f" in {report['duration_s']:.1f} s" if report.get("duration_s") is not None else ""
    full = ", full crawl" if report.get("full") else ""
    return f"Refresh run {report['run_id']}: {report['status']}{took}{full}"


def withheld_lines(report: Mapping[str, Any]) -> list[str]:
    return [
        f"{site}: {n} removal(s) withheld (more than the allowed share of the site; "
        "they are removed once a run confirms them)"
        for site, n in sorted(report.get("withheld", {}).items())
        if n
    ]


def error_lines(report: Mapping[str, Any]) -> list[str]:
    """Site failures first, then failed URLs (at most ``MAX_LISTED_ERRORS``)."""
    errors = report.get("errors", [])
    site_errors = [f"{e['site']}: {e['error']}" for e in errors if not e.get("url")]
    url_errors = [f"{e['site']}: {e['url']}: {e['error']}" for e in errors if e.get("url")]
    lines = site_errors + url_errors[:MAX_LISTED_ERRORS]
    if len(url_errors) > MAX_LISTED_ERRORS:
        lines.append(f"... and {len(url_errors) - MAX_LISTED_ERRORS} more failed URL(s)")
    if not site_errors and report.get("error"):
        lines.insert(0, str(report["error"]))
    return lines


def watch_lines(report: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """Per saved search with news in this run: a heading and one line per record."""
    out = []
    for name, kinds in sorted(report.get("watches", {}).items()):
        counts = ", ".join(
            f"{kinds[kind]['count']} {kind}"
            for kind in ("new", "changed", "stopped")
            if kind in kinds
        )
        lines = []
        for kind in ("new", "changed", "stopped"):
            entry = kinds.get(kind)
            if not entry:
                continue
            lines += [
                f"{kind}: {r['title'] or r['id']} {r['url']}".rstrip() for r in entry["records"]
            ]
            if entry["count"] > len(entry["records"]):
                lines.append(f"... and {entry['count'] - len(entry['records'])} more {kind}")
        out.append((f"{name} ({counts})", lines))
    return out


def render_text(report: Mapping[str, Any]) -> str:
    """A plain text table with the counts per site, then withheld removals and failures."""
    header = ["site", *(title for _, title in COLUMNS)]
    rows = [header, *count_rows(report)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [headline(report), ""]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    for title, items in (
        ("Withheld removals", withheld_lines(report)),
        ("Failures", error_lines(report)),
    ):
        if items:
            lines += ["", f"{title}:", *(f"  {item}" for item in items)]
    watched = watch_lines(report)
    if watched:
        lines += ["", "Saved searches:"]
        for heading, items in watched:
            lines += [f"  {heading}", *(f"    {item}" for item in items)]
    return "\n".join(lines)


def render_markdown(report: Mapping[str, Any]) -> str:
    """The same report as markdown, for the Prefect artifact."""
    header = ["site", *(title for _, title in COLUMNS)]
    lines = [f"# {headline(report)}", ""]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join([":---", *["---:"] * len(COLUMNS)]) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in count_rows(report)]
    for title, items in (
        ("Withheld removals", withheld_lines(report)),
        ("Failures", error_lines(report)),
    ):
        if items:
            lines += ["", f"## {title}", "", *(f"- {escape_markdown(item)}" for item in items)]
    watched = watch_lines(report)
    if watched:
        lines += ["", "## Saved searches"]
        for heading, items in watched:
            lines += ["", f"### {escape_markdown(heading)}", ""]
            lines += [f"- {escape_markdown(item)}" for item in items]
    return "\n".join(lines) + "\n"


def escape_markdown(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")
