"""Prefect flows: one refresh (crawl → sync → index → report) and its schedule."""

import os

# No telemetry leaves the machine, whatever the environment says (set before Prefect loads).
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
