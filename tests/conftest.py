"""Shared fixtures. Each plugin module owns one kind of fixture:
sample_site (the bundled OJP-like site served on 127.0.0.1) and prefect (one test harness per
session)."""

import os

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"

pytest_plugins = ["tests.plugins.sample_site", "tests.plugins.prefect"]
