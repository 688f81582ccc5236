"""Public APIs: GDELT DOC 2.0 (article lists; each article page is then fetched) and ReliefWeb
(reports carry their text, so no page is fetched)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from pipeline.apis import ReliefWebReport, parse_gdelt, parse_reliefweb
from pipeline.feeds import FeedEntry
from pipeline.ingest import ArticleRecord
from pipeline.text.lang import detect_language
from scrapers.spiders.base import SourceSpider


class GdeltSpider(SourceSpider):
    name = "gdelt"
    kind = "gdelt"

    def read_listing(self, response: Response) -> list[FeedEntry]:
        return parse_gdelt(response.body, response.url)


class ReliefWebSpider(SourceSpider):
    name = "reliefweb"
    kind = "reliefweb"

    def read_listing(self, response: Response) -> list[ReliefWebReport]:
        return parse_reliefweb(response.body, response.url)

    def follow(self, reports: list[ReliefWebReport], response: Response) -> Iterable[Any]:
        entries = [FeedEntry(r.url, r.title, "", r.published_at, r.source) for r in reports]
        wanted = {e.url for e in self.select_new(entries)}
        for report in reports:
            if report.url not in wanted:
                continue
            if len(report.text) < 80:
                yield from self.article_requests([FeedEntry(report.url, report.title, "", report.published_at, None)])
                continue
            yield ArticleRecord(
                url=report.url, source_id=self.source_id, title=report.title, text=report.text,
                lang=detect_language(f"{report.title}\n{report.text[:2000]}", hint=report.lang),
                author=report.source, published_at=report.published_at,
                date_origin="feed" if report.published_at else "first_seen",
            )
