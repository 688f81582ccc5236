"""Downloader middlewares: conditional GET for listings, and legacy Arabic encodings."""

from __future__ import annotations

import asyncio
import codecs
from typing import Any

from scrapy.http import Request, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

from pipeline.crawlruns import validators_for
from pipeline.db import session_scope
from scrapers.context import crawl_context


class ConditionalGetMiddleware:
    """If-None-Match / If-Modified-Since on listing requests. The validators a response brings
    ride on its meta; the spider keeps them once it has read the listing, and they are saved
    only when its run finishes cleanly (see the extension), so a crash or a listing we could
    not read never hides entries that were not fetched yet."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGetMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if not request.meta.get("conditional"):
            return
        with session_scope(crawl_context().engine) as session:
            etag, modified = validators_for(session, request.url)
        if etag:
            request.headers.setdefault(b"If-None-Match", etag.encode("latin-1", "replace"))
        if modified:
            request.headers.setdefault(b"If-Modified-Since", modified.encode("latin-1", "replace"))

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("conditional") and response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:  # kept by the spider once it has read the listing
                request.meta["validators"] = (
                    etag.decode("latin-1") if etag else None,
                    modified.decode("latin-1") if modified else None,
                )
        return response


class RetryAfterMiddleware:
    """429 or 503 with a short Retry-After: wait as asked, then try again (twice at most), and
    space the host's other requests at least as far apart (its download slot's delay). Longer
    waits are left to the next cycle; Scrapy's RetryMiddleware handles the rest."""

    MAX_WAIT = 60.0
    MAX_TIMES = 2

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in (429, 503):
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        times = request.meta.get("retry_after_times", 0)
        if delay is None or delay > self.MAX_WAIT or times >= self.MAX_TIMES:
            return response
        self.crawler.stats.inc_value("monitor/retry_after")
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot"))
        if slot is not None:
            slot.delay = max(slot.delay, delay)
        await asyncio.sleep(delay)
        retry = request.replace(dont_filter=True)
        retry.meta["retry_after_times"] = times + 1
        return retry


def retry_after_seconds(value: bytes | None) -> float | None:
    if not value:
        return None
    try:
        return max(float(value.decode("latin-1").strip()), 0.0)
    except ValueError:
        return None


class LegacyEncodingMiddleware:
    """Re-decode pages whose HTTP charset is wrong: a source's configured encoding wins; else a
    `<meta charset>` that disagrees with a header under which the bytes do not decode; else,
    for bytes that are not UTF-8, windows-1256 (the legacy Arabic code page)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> LegacyEncodingMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or request.meta.get("listing"):
            return response
        forced = getattr(getattr(self.crawler.spider, "source", None), "encoding", None)
        if forced:
            return response.replace(encoding=forced)
        encoding = choose_encoding(response.body, response.headers.get(b"Content-Type"))
        return response.replace(encoding=encoding) if encoding else response


def choose_encoding(body: bytes, content_type: bytes | None) -> str | None:
    """The encoding to decode `body` with, when the HTTP header's would be wrong; else None."""
    header = http_content_type_encoding(content_type.decode("latin-1")) if content_type else None
    declared = html_body_declared_encoding(body)
    if header and _decodes(body, header):
        if not declared or _same(header, declared) or not _decodes(body, declared):
            return None
        # Both decode: a single-byte header "decodes" anything, so trust the page's own meta.
        return declared if _is_single_byte(header) else None
    if declared and _decodes(body, declared):
        return declared
    if not _decodes(body, "utf-8") and _decodes(body, "cp1256"):
        return "cp1256"
    return None


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _same(a: str, b: str) -> bool:
    try:
        return codecs.lookup(a).name == codecs.lookup(b).name
    except LookupError:
        return False


def _is_single_byte(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("cp", "iso8859", "latin", "windows")) and name not in ("cp65001",)
