"""Prefect flows: one refresh (crawl → sync → index → report) and its schedule."""

import os

# No telemetry leaves the machine, whatever the environment says (set before Prefect loads):
# the server's analytics, and the usage events Prefect's client sends on its own.
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
