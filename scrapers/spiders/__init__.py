"""Spiders by source kind; a source's `kind` in the catalogue names its spider."""

from __future__ import annotations

from scrapers.spiders.apis import GdeltSpider, ReliefWebSpider
from scrapers.spiders.base import SourceSpider
from scrapers.spiders.feed import FeedSpider
from scrapers.spiders.listing import ListingSpider
from scrapers.spiders.sitemap import SitemapSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    spider.kind: spider for spider in (FeedSpider, SitemapSpider, ListingSpider, GdeltSpider, ReliefWebSpider)
}
