"""Google News sitemaps (and sitemap indexes): entries with their news title and date."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

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
            for url in sitemap.recent_children(self.cutoff)[:MAX_CHILD_SITEMAPS]:
                yield self.listing_request(url)
            return
        yield from self.article_requests(self.select_new(sitemap.entries))
