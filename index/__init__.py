"""Everything persisted: records, the SQLite store (the truth) and the Whoosh index (a view)."""
