"""Public APIs: GDELT DOC 2.0 (article lists; each article page is then fetched) and ReliefWeb
(reports carry their text, so no page is fetched)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.http import Response

from pipeline.apis import parse_gdelt, parse_reliefweb
from pipeline.feeds import FeedEntry, FeedError
from pipeline.ingest import ArticleRecord
from pipeline.text.lang import detect_language
from scrapers.spiders.base import SourceSpider


class GdeltSpider(SourceSpider):
    name = "gdelt"
    kind = "gdelt"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url, self.parse_api)

    def parse_api(self, response: Response) -> Iterable[Any]:
        if not self.listing_ok(response):
            return
        try:
            entries = parse_gdelt(response.body, response.url)
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
        yield from self.article_requests(self.select_new(entries))


class ReliefWebSpider(SourceSpider):
    name = "reliefweb"
    kind = "reliefweb"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url, self.parse_api)

    def parse_api(self, response: Response) -> Iterable[Any]:
        if not self.listing_ok(response):
            return
        try:
            reports = parse_reliefweb(response.body, response.url)
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
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
