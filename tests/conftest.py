"""Shared fixtures. Each plugin module owns one kind of fixture:
sample_site (the bundled OJP-like site served on 127.0.0.1), prefect (one test harness per
session) and postgres (the store on SQLite and on PostgreSQL)."""

import os

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

pytest_plugins = [
    "tests.plugins.sample_site",
    "tests.plugins.prefect",
    "tests.plugins.postgres",
]
