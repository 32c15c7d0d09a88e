"""The Scrapy project: site definitions, the generic spider and the page normalizer."""
