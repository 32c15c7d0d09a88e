"""Scrapy settings: polite defaults fit for federal web servers.

The defaults follow what the federal site-search crawler does on .gov hosts: about one request
per second per host, a 15 s timeout and a 15 MB page cap. Values a sites file can change live in
``CrawlSettings`` (its ``[crawl]`` table); ``crawl_settings()`` maps them onto Scrapy's names, and
the crawl applies them once, before the spider opens.
"""

from __future__ import annotations

from typing import Any

from crawlers.sites import CrawlSettings

BOT_NAME = "ojp-search"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

defaults = CrawlSettings()  # lower-case: not a Scrapy setting itself

# Identify ourselves with a contact URL, so a webmaster can reach us instead of blocking us.
USER_AGENT = defaults.user_agent

# The site owners' robots.txt is the first rule of politeness; its groups name our product token.
ROBOTSTXT_OBEY = defaults.obey_robots
ROBOTSTXT_USER_AGENT = BOT_NAME

# One connection per host, about a second apart: federal servers are shared public resources.
CONCURRENT_REQUESTS = 8  # across hosts; a crawl usually visits one host
CONCURRENT_REQUESTS_PER_DOMAIN = defaults.concurrency_per_host
DOWNLOAD_DELAY = defaults.download_delay

# Slow down further when the server slows down (never faster than DOWNLOAD_DELAY).
AUTOTHROTTLE_ENABLED = defaults.autothrottle
AUTOTHROTTLE_START_DELAY = defaults.download_delay
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Bounds: a hung server or a huge file cannot stall or swamp a crawl.
DOWNLOAD_TIMEOUT = defaults.timeout
DOWNLOAD_MAXSIZE = defaults.max_page_bytes
DOWNLOAD_WARNSIZE = defaults.max_page_bytes // 3
DEPTH_LIMIT = defaults.depth_limit

# Time and memory: a site crawl stops (incomplete, keeping what it found) at its time limit, or
# when the process grows past its memory cap (checked every few seconds).
CLOSESPIDER_TIMEOUT = defaults.max_site_seconds
MEMUSAGE_ENABLED = True
MEMUSAGE_LIMIT_MB = defaults.max_crawl_memory_mb
MEMUSAGE_CHECK_INTERVAL_SECONDS = 2.0

# Retry only what a retry can fix: server errors, request timeouts and rate limiting; each
# retry waits twice as long as the one before (RETRY_BACKOFF_BASE seconds first).
RETRY_ENABLED = True
RETRY_BACKOFF_BASE = defaults.download_delay
RETRY_BACKOFF_MAX = 60.0
RETRY_TIMES = defaults.retries
RETRY_HTTP_CODES = [500, 502, 503, 504, 408, 429]

# Follow redirects and meta refreshes, but not in circles (the host guard drops loops early).
REDIRECT_MAX_TIMES = 10
METAREFRESH_ENABLED = True
METAREFRESH_MAXDELAY = 10

# Public pages need no session; cookies would only make responses vary.
COOKIES_ENABLED = False

# Nothing to control remotely, and the store (not an HTTP cache) remembers what we fetched.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False

# The host guard replaces Scrapy's offsite filter: it also checks schemes, redirects and
# private addresses, and it cannot be bypassed by dont_filter.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawlers.middlewares.HostGuardMiddleware": 40,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    "crawlers.middlewares.ConditionalRequestMiddleware": 560,
}

# FetchResults go to the store in batches.
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}

# Breadth-first: listing pages before the deep pages they lead to, so a capped crawl is broad.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# One line per page would drown what matters: progress, skips with their reasons, problems.
LOG_LEVEL = "INFO"


def crawl_settings(crawl: CrawlSettings) -> dict[str, Any]:
    """The Scrapy settings that a run's ``CrawlSettings`` decide."""
    return {
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "ROBOTSTXT_USER_AGENT": product_token(crawl.user_agent),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_host,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.1),
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": max(crawl.max_page_bytes // 3, 1),
        "DEPTH_LIMIT": crawl.depth_limit,
        "RETRY_TIMES": crawl.retries,
        "RETRY_BACKOFF_BASE": crawl.download_delay,
        "CLOSESPIDER_TIMEOUT": crawl.max_site_seconds,
        "MEMUSAGE_LIMIT_MB": crawl.max_crawl_memory_mb,
    }


def product_token(user_agent: str) -> str:
    """The name robots.txt groups match: ``ojp-search`` in ``ojp-search/0.1 (+https://...)``."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else BOT_NAME
