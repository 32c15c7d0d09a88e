"""Prefect flows: one refresh (crawl → sync → index → report) and its schedule."""
