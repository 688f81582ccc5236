"""Scrapy settings for the monitor's crawls: polite, bounded, and quiet offline.

Per-run overrides come from `scrapy crawl -s NAME=VALUE` or `python -m scrapers.crawl -s ...`.
"""

from __future__ import annotations

import os

from pipeline import __version__

BOT_NAME = "libya_monitor"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

CONTACT = os.environ.get("LIBYA_MONITOR_CONTACT", "https://github.com/libya-monitor/libya-monitor")
USER_AGENT = f"LibyaMonitor/{__version__} (news monitoring; +{CONTACT})"

ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
# Cookies are not needed, and the cookie middleware's public-suffix download fails offline.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("LIBYA_MONITOR_CRAWL_LOG_LEVEL", "INFO")

ITEM_PIPELINES = {"scrapers.pipelines.StoreArticlePipeline": 300}
EXTENSIONS = {"scrapers.extensions.CrawlRunRecorder": 500}
DOWNLOADER_MIDDLEWARES = {
    "scrapers.middlewares.RetryAfterMiddleware": 560,
    "scrapers.middlewares.ConditionalGetMiddleware": 580,
    "scrapers.middlewares.LegacyEncodingMiddleware": 590,
}

# GDELT asks for one request every five seconds: one at a time, a fixed delay (the GDELT
# spider's listing requests tell AutoThrottle not to adjust it), one source for all queries.
DOWNLOAD_SLOTS = {"api.gdeltproject.org": {"concurrency": 1, "delay": 5, "randomize_delay": False}}

# The monitor's own settings.
MONITOR_CYCLE_ID = None
