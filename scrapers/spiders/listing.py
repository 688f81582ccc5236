"""HTML listing pages: article links by the source's CSS selector, following `next_page`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy.http import Response

from pipeline.feeds import FeedError
from pipeline.listing import parse_listing
from scrapers.spiders.base import SourceSpider


class ListingSpider(SourceSpider):
    name = "listing"
    kind = "listing"

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url, self.parse_listing, page=1)

    def parse_listing(self, response: Response) -> Iterable[Any]:
        if not self.listing_ok(response):
            return
        settings = self.source.listing
        assert settings is not None  # the catalogue requires it for this kind
        try:
            listing = parse_listing(
                response.body, response.url, article_links=settings.article_links, next_page=settings.next_page
            )
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
        yield from self.article_requests(self.select_new(listing.entries))
        page = response.meta.get("page", 1)
        if listing.next_page and page < settings.max_pages:
            yield self.listing_request(listing.next_page, self.parse_listing, page=page + 1)
