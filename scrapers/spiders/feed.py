"""RSS 2.0 and Atom feeds: each entry's link is fetched and extracted."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.http import Response

from pipeline.feeds import FeedError, parse_feed
from scrapers.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url, self.parse_feed)

    def parse_feed(self, response: Response) -> Iterable[Any]:
        if not self.listing_ok(response):
            return
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
        yield from self.article_requests(self.select_new(entries))
