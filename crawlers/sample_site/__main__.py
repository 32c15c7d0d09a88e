"""Serve the sample site: ``python -m crawlers.sample_site [--port N] [--root DIR]``."""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from crawlers.sample_site import SampleSite, sites_toml


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crawlers.sample_site", description="Serve the OJP sample site."
    )
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--root", type=Path, default=None, help="site folder (default: bundled)")
    parser.add_argument("--sites-file", type=Path, default=None, help="where to write the TOML")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.root is not None and not args.root.is_dir():
        print(
            f"Error: site folder {args.root} does not exist. Pass an existing --root.",
            file=sys.stderr,
        )
        return 2
    try:
        site = SampleSite(args.root, host=args.host, port=args.port).start()
    except OSError as exc:
        print(
            f"Error: cannot listen on {args.host}:{args.port} ({exc.strerror}). "
            "Pass another --port.",
            file=sys.stderr,
        )
        return 2
    sites_file = args.sites_file or Path(tempfile.gettempdir()) / "ojp-sample-sites.toml"
    sites_file.write_text(sites_toml(site.base_url), encoding="utf-8")
    print(f"Serving the sample site at {site.base_url}/", flush=True)
    print(f"Sites file: {sites_file}", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
