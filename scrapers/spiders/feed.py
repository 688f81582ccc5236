"""RSS 2.0 and Atom feeds: each entry's link is fetched and extracted."""

from __future__ import annotations

from scrapy.http import Response

from pipeline.feeds import FeedEntry, parse_feed
from scrapers.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"

    def read_listing(self, response: Response) -> list[FeedEntry]:
        return parse_feed(response.body, response.url)
