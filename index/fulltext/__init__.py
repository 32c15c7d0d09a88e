"""The Whoosh wing: a full-text index derived from the store (schema, analysis, builder,
facets, writer, query, searcher). Rebuildable from the store at any time."""
