"""The item pipeline: every extracted article goes to `pipeline.ingest.store_article`."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem
from sqlalchemy.exc import SQLAlchemyError

from pipeline.db import session_scope
from pipeline.ingest import ArticleRecord, store_article
from scrapers.context import crawl_context


class StoreArticlePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> StoreArticlePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleRecord):
            return item
        stats = self.crawler.stats
        try:
            with session_scope(crawl_context().engine) as session:
                result = store_article(session, item)
        except (SQLAlchemyError, ValueError) as exc:
            spider = self.crawler.spider
            spider.note_error(item.url, f"not stored: {exc}", key="articles_failed")
            raise DropItem(f"not stored: {item.url}", log_level="WARNING") from exc
        stats.inc_value(f"monitor/articles_{result.status}")
        if result.status == "duplicate":
            # Expected and counted: not worth a warning per article.
            raise DropItem(f"already stored ({result.reason}): {item.url}", log_level="DEBUG")
        return item
