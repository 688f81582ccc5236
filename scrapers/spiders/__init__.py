"""Spiders by source kind; a source's `kind` in the catalogue names its spider."""

from __future__ import annotations

from scrapers.spiders.base import SourceSpider
from scrapers.spiders.feed import FeedSpider

SPIDERS: dict[str, type[SourceSpider]] = {spider.kind: spider for spider in (FeedSpider,)}
