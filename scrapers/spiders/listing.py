"""HTML listing pages: article links by the source's CSS selector, following `next_page`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from pipeline.listing import Listing, parse_listing
from scrapers.spiders.base import SourceSpider


class ListingSpider(SourceSpider):
    name = "listing"
    kind = "listing"

    def read_listing(self, response: Response) -> Listing:
        settings = self.source.listing
        assert settings is not None  # the catalogue requires it for this kind
        return parse_listing(response.body, response.url, article_links=settings.article_links, next_page=settings.next_page)

    def follow(self, listing: Listing, response: Response) -> Iterable[Any]:
        yield from self.article_requests(self.select_new(listing.entries))
        settings = self.source.listing
        assert settings is not None
        page = response.meta.get("page", 1)
        if listing.next_page and page < settings.max_pages:
            yield self.listing_request(listing.next_page, page=page + 1)
