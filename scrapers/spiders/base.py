"""What every source spider shares: its catalogue entry, counting, error notes, and article pages.

A spider crawls one source (`-a source=<id>`). Listing requests (feeds, sitemaps, listing pages,
API queries) decide whether the source is reachable; article pages are extracted with
`pipeline.extract` and handed to the item pipeline as `ArticleRecord`s. Nothing here stops the
crawl: a bad page is logged with source and URL, counted, and skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.catalogue import Source
from pipeline.crawlruns import last_successful_start
from pipeline.db import session_scope
from pipeline.errors import ConfigError, ExtractionError
from pipeline.extract import Selectors, extract_article
from pipeline.feeds import FeedEntry, FeedError
from pipeline.ingest import ArticleRecord, known_urls
from pipeline.models import utcnow
from scrapers.context import CrawlContext, crawl_context

MAX_ERRORS_KEPT = 50
FIRST_RUN_MARGIN = timedelta(days=1)


class SourceSpider(scrapy.Spider):
    kind: ClassVar[str] = ""
    listing_meta: ClassVar[dict[str, Any]] = {}  # request meta a kind adds to its listing requests
    context: CrawlContext
    source: Source

    def __init__(self, source: str | None = None, *args: Any, **kwargs: Any) -> None:
        if not source:
            raise ConfigError("a source spider needs -a source=<id> (see `libya-monitor sources`)")
        super().__init__(*args, **kwargs)
        self.source_id = source
        self.errors: list[dict[str, str]] = []
        self.start_ok = 0
        self.start_failed = 0
        self.pending_validators: dict[str, tuple[str | None, str | None]] = {}
        self.selected = 0  # article pages requested so far this run

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.context = crawl_context()
        source = spider.context.catalogue.by_id.get(spider.source_id)
        if source is None:
            raise ConfigError(f"unknown source {spider.source_id!r} in {spider.context.settings.sources_path}")
        if source.kind != cls.kind:
            raise ConfigError(f"source {source.id!r} is kind {source.kind!r}, not {cls.kind!r}")
        spider.source = source
        return spider

    # -- bookkeeping ----------------------------------------------------------------------------
    def count(self, key: str, value: int = 1) -> None:
        self.crawler.stats.inc_value(f"monitor/{key}", value)

    def note_error(self, url: str, message: str, *, key: str) -> None:
        self.logger.warning("[%s] %s: %s", self.source_id, url, message)
        self.count(key)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"url": url, "error": message[:500], "kind": key})

    # -- listing requests (feeds, sitemaps, listing pages, APIs) --------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.url_strings:
            yield self.listing_request(url)

    def parse_listing(self, response: Response) -> Iterable[Any]:
        """Every kind's listing callback: read the listing (`read_listing`), then follow it.
        Only a listing read and followed to the end has its validators (ETag, Last-Modified)
        kept for the next run: remembering those of a listing we failed on would turn the next
        run into a 304 that hides its entries."""
        if not self.listing_ok(response):
            return
        try:
            listing = self.read_listing(response)
        except FeedError as exc:
            self.listing_unusable(response, str(exc))
            return
        yield from self.follow(listing, response)
        if validators := response.meta.get("validators"):
            self.pending_validators[response.url] = validators

    def read_listing(self, response: Response) -> Any:
        """Parse a listing response; raises FeedError when it cannot be read."""
        raise NotImplementedError

    def follow(self, entries: Any, response: Response) -> Iterable[Any]:
        """What to fetch from a parsed listing: by default its new entries' article pages."""
        yield from self.article_requests(self.select_new(entries))

    def listing_request(self, url: str, **meta: Any) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            dont_filter=True,
            meta={"conditional": True, "handle_httpstatus_list": [304], "listing": True, **self.listing_meta, **meta},
        )

    def listing_ok(self, response: Response) -> bool:
        """Count a listing response; False when there is nothing new to read (304)."""
        self.start_ok += 1
        if response.status == 304:
            self.count("not_modified")
            return False
        return True

    def listing_unusable(self, response: Response, message: str) -> None:
        self.start_ok -= 1
        self.start_failed += 1
        self.note_error(response.url, message, key="listing_failed")

    def listing_failed(self, failure: Failure) -> None:
        self.start_failed += 1
        self.note_error(failure.request.url, describe_failure(failure), key="listing_failed")

    # -- choosing what to fetch -----------------------------------------------------------------
    @cached_property
    def cutoff(self) -> datetime:
        """Entries older than this are not fetched: the backfill window on a source's first
        run, else since its last successful run (with a day's margin for late dates)."""
        with session_scope(self.context.engine) as session:
            last = last_successful_start(session, self.source_id)
        if last is None:
            return utcnow() - timedelta(days=self.source.backfill_days)
        return min(last - FIRST_RUN_MARGIN, utcnow() - timedelta(days=1))

    def select_new(self, entries: list[FeedEntry]) -> list[FeedEntry]:
        """Entries worth requesting: not stored yet, inside the window, within the per-run cap."""
        self.count("items_found", len(entries))
        if not entries:
            return []
        with session_scope(self.context.engine) as session:
            known = known_urls(session, [e.url for e in entries])
        self.count("known_skipped", sum(1 for e in entries if e.url in known))
        cutoff = self.cutoff
        fresh = [e for e in entries if e.url not in known]
        in_window = [e for e in fresh if e.published_at is None or e.published_at >= cutoff]
        self.count("outside_window", len(fresh) - len(in_window))
        seen: set[str] = set()
        unique = [e for e in in_window if not (e.url in seen or seen.add(e.url))]
        # The cap is per run, across all of the source's listings and pages.
        room = max(self.source.max_articles_per_run - self.selected, 0)
        if len(unique) > room:
            self.count("over_limit", len(unique) - room)
        chosen = unique[:room]
        self.selected += len(chosen)
        return chosen

    # -- article pages --------------------------------------------------------------------------
    def article_requests(self, entries: Iterable[FeedEntry]) -> Iterable[scrapy.Request]:
        for entry in entries:
            yield scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"entry": entry},
                meta={"linked_url": entry.url},
            )

    def parse_article(self, response: Response, entry: FeedEntry) -> Iterable[ArticleRecord]:
        if not isinstance(response, TextResponse):
            self.note_error(response.url, "not a text page", key="articles_failed")
            return
        settings = self.source.extract
        selectors = Selectors(**settings.model_dump()) if settings else None
        try:
            page = extract_article(
                response.body,
                response.url,
                selectors=selectors,
                default_tz=self.source.timezone,
                lang_hint=self.source.langs[0] if len(self.source.langs) == 1 else None,
            )
        except ExtractionError as exc:
            self.note_error(response.url, str(exc), key="articles_failed")
            return
        published, origin = page.published_at, "page"
        if published is None and entry.published_at is not None:
            published, origin = entry.published_at, "feed"
        yield ArticleRecord(
            url=response.url,
            linked_url=entry.url if entry.url != response.url else None,
            source_id=self.source_id,
            title=page.title or entry.title,
            text=page.text,
            lang=page.lang,
            author=page.author or entry.author,
            published_at=published,
            date_origin=origin if published else "first_seen",
            summary=entry.summary or None,
            html=response.body,
        )

    def article_failed(self, failure: Failure) -> None:
        self.note_error(failure.request.url, describe_failure(failure), key="articles_failed")


def describe_failure(failure: Failure) -> str:
    error = failure.value
    if isinstance(error, HttpError):
        return f"HTTP {error.response.status}"
    name = type(error).__name__
    if name == "IgnoreRequest" and "robots" in str(error).lower():
        return "forbidden by robots.txt"
    return f"{name}: {error}" if str(error) else name


