"""The crawl's one spider, ``ojp`` (``crawlers.spiders.ojp``), driven by a site definition."""
