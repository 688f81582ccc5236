"""RSS 2.0 and Atom feeds to entries (feedparser, always on bytes: a str may be fetched as a URL)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from pipeline.errors import MonitorError


class FeedError(MonitorError):
    def __init__(self, message: str, *, url: str) -> None:
        self.url = url
        super().__init__(f"{message} ({url})")


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    summary: str
    published_at: datetime | None
    author: str | None


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """Entries of an RSS or Atom document; FeedError when it is not a feed at all.

    A feed with a recoverable XML error still yields the entries feedparser could read.
    """
    if not isinstance(body, bytes):
        raise TypeError("parse_feed takes the response bytes")
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not parsed.entries:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: None)() or str(
            parsed.get("bozo_exception", "unknown error")
        )
        raise FeedError(f"malformed feed: {reason}", url=url)
    if not parsed.entries and not parsed.get("version"):  # an empty real feed has a version
        raise FeedError("not an RSS or Atom feed", url=url)
    entries = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(url, link),
                title=" ".join((entry.get("title") or "").split()),
                summary=(entry.get("summary") or "").strip(),
                published_at=_entry_date(entry),
                author=(entry.get("author") or None),
            )
        )
    return entries


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link).strip()
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"]).strip()
    guid = entry.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError):
                continue
    return None
