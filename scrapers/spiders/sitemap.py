"""Google News sitemaps (and sitemap indexes): entries with their news title and date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from pipeline.dates import parse_date
from pipeline.sitemaps import Sitemap, parse_sitemap
from scrapers.spiders.base import SourceSpider

MAX_CHILD_SITEMAPS = 5


class SitemapSpider(SourceSpider):
    name = "sitemap"
    kind = "sitemap"

    def read_listing(self, response: Response) -> Sitemap:
        return parse_sitemap(response.body, response.url, default_tz=self.source.timezone)

    def follow(self, sitemap: Sitemap, response: Response) -> Iterable[Any]:
        if sitemap.children:
            cutoff = self.cutoff()
            recent = [url for url, lastmod in sitemap.children if (d := parse_date(lastmod)) is None or d >= cutoff]
            for url in recent[:MAX_CHILD_SITEMAPS]:
                yield self.listing_request(url, self.parse_listing)
            return
        yield from self.article_requests(self.select_new(sitemap.entries))
