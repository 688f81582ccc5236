"""Google News sitemaps (and sitemap indexes): entries with their news title and date."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.http import Response

from pipeline.dates import parse_date
from pipeline.feeds import FeedError
from pipeline.sitemaps import parse_sitemap
from scrapers.spiders.base import SourceSpider

MAX_CHILD_SITEMAPS = 5


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterable[Any]:
        if not self.listing_ok(response):
            return
        try:
            sitemap = parse_sitemap(response.body, response.url, default_tz=self.source.timezone)
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
        if sitemap.children:
            cutoff = self.cutoff()
            recent = [url for url, lastmod in sitemap.children if (d := parse_date(lastmod)) is None or d >= cutoff]
            for url in recent[:MAX_CHILD_SITEMAPS]:
                yield self.listing_request(url, self.parse_sitemap)
            return
        yield from self.article_requests(self.select_new(sitemap.entries))
