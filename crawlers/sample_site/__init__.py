"""The bundled sample site: an offline mirror of the OJP family for the demo and the tests.

``SampleSite`` serves it on 127.0.0.1, ``copy_site`` copies it for tests that edit pages, and
``sites_toml`` writes the sites file that crawls it. ``crawlers/sample_site/README.md`` lists
what the site contains.
"""

from crawlers.sample_site.server import SITE_ROOT, SampleSite, copy_site
from crawlers.sample_site.site_definitions import sites_toml

__all__ = ["SITE_ROOT", "SampleSite", "copy_site", "sites_toml"]
