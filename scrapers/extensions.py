"""Records each source's crawl run in the monitor's database: counts, HTTP statuses, errors."""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.http import Response

from pipeline.crawlruns import finish_run, save_validators, start_run, sync_sources
from pipeline.db import session_scope
from scrapers.context import crawl_context


class CrawlRunRecorder:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.statuses: Counter[str] = Counter()
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlRunRecorder:
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.response_received, signal=signals.response_received)
        return recorder

    def spider_opened(self, spider: Any) -> None:
        if not hasattr(spider, "source"):
            return
        with session_scope(crawl_context().engine) as session:
            sync_sources(session, [spider.source])
            self.run_id = start_run(session, spider.source_id, self.crawler.settings.get("MONITOR_CYCLE_ID"))

    def response_received(self, response: Response, request: Any, spider: Any) -> None:
        self.statuses[str(response.status)] += 1

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.run_id is None:
            return
        stats = self.crawler.stats
        value = lambda key: stats.get_value(f"monitor/{key}", 0)  # noqa: E731
        if reason != "finished" or spider.start_ok == 0:
            status = "error"
        elif value("not_modified") == spider.start_ok and spider.start_failed == 0:
            status = "not_modified"
        else:
            status = "ok"
        counts = {
            "requests": stats.get_value("downloader/request_count", 0),
            "not_modified": value("not_modified"),
            "items_found": value("items_found"),
            "articles_new": value("articles_new"),
            "articles_duplicate": value("articles_duplicate"),
            "articles_failed": value("articles_failed"),
            "known_skipped": value("known_skipped"),
            "finish_reason": reason,
            "http_statuses": dict(self.statuses),
            "errors": spider.errors,
        }
        with session_scope(crawl_context().engine) as session:
            finish_run(session, self.run_id, status=status, counts=counts)
            if reason == "finished" and spider.pending_validators:
                save_validators(session, spider.pending_validators)
