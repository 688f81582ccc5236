"""Public APIs: GDELT DOC 2.0 (article lists; each article page is then fetched) and ReliefWeb
(reports carry their text, so no page is fetched)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from scrapy.http import Response

from pipeline.apis import ReliefWebReport, parse_gdelt, parse_reliefweb
from pipeline.extract import MIN_TEXT_CHARS
from pipeline.feeds import FeedEntry
from pipeline.ingest import ArticleRecord
from pipeline.text.lang import detect_language
from scrapers.spiders.base import SourceSpider


class GdeltSpider(SourceSpider):
    name = "gdelt"
    kind = "gdelt"
    # GDELT asks for one request per 5 s: keep the slot's delay (scrapers.settings) fixed.
    listing_meta: ClassVar[dict[str, Any]] = {"autothrottle_dont_adjust_delay": True}

    def read_listing(self, response: Response) -> list[FeedEntry]:
        return parse_gdelt(response.body, response.url)


class ReliefWebSpider(SourceSpider):
    name = "reliefweb"
    kind = "reliefweb"

    def read_listing(self, response: Response) -> list[ReliefWebReport]:
        return parse_reliefweb(response.body, response.url)

    def follow(self, reports: list[ReliefWebReport], response: Response) -> Iterable[Any]:
        by_url = {r.url: r for r in reports}
        entries = [FeedEntry(r.url, r.title, "", r.published_at, r.source) for r in by_url.values()]
        for entry in self.select_new(entries):
            report = by_url[entry.url]
            if len(report.text) < MIN_TEXT_CHARS:  # a summary only: fetch the report's page
                yield from self.article_requests([entry])
                continue
            yield ArticleRecord(
                url=report.url, source_id=self.source_id, title=report.title, text=report.text,
                lang=detect_language(f"{report.title}\n{report.text[:2000]}", hint=report.lang),
                author=report.source, published_at=report.published_at, date_origin="feed",
            )
