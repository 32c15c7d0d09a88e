"""Normalization: a fetched OJP page (URL + HTML + headers) becomes one clean Record.

Pure functions, no I/O: the spider fetches, ``normalize_page`` decides what the page means.
"""

from crawlers.normalize.page import Skip, normalize_page
from crawlers.normalize.textfile import normalize_text_document

__all__ = ["Skip", "normalize_page", "normalize_text_document"]
