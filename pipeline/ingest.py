"""Storing collected articles: once per article, however many URLs or sources carry it.

An article is the same article when its canonical URL is already known, or when its normalised
title and text hash to a stored article's (the same story reached by a second URL). Writes are
INSERT … ON CONFLICT DO NOTHING on those unique keys, so two crawls racing on one article leave
one row and neither fails.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.db import insert_ignore
from pipeline.dedupe import signature
from pipeline.models import Article, ArticleUrl, RawPage, utcnow
from pipeline.text.normalize import normalize_phrase
from pipeline.urls import canonicalize_url

DateOrigin = Literal["page", "feed", "first_seen"]
MAX_TITLE = 1_000
MAX_TEXT = 200_000


@dataclass(frozen=True)
class ArticleRecord:
    """What a spider hands to storage: one extracted article page."""

    url: str
    source_id: str
    title: str
    text: str
    lang: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    date_origin: DateOrigin = "page"
    summary: str | None = None
    html: bytes | None = field(default=None, repr=False)
    # The URL the feed or listing linked to, when a redirect led elsewhere.
    linked_url: str | None = None


@dataclass(frozen=True)
class StoreResult:
    status: Literal["new", "duplicate"]
    article_id: int
    reason: str  # "stored", "url" or "content"


def content_hash(title: str, text: str) -> str:
    key = normalize_phrase(title) + "\n" + normalize_phrase(text)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The subset of `urls` (any form) whose canonical URL is already stored."""
    by_canonical: dict[str, list[str]] = {}
    for url in urls:
        try:
            by_canonical.setdefault(canonicalize_url(url), []).append(url)
        except ValueError:
            continue
    known: set[str] = set()
    keys = list(by_canonical)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.scalars(select(ArticleUrl.canonical_url).where(ArticleUrl.canonical_url.in_(chunk)))
        for canonical in rows:
            known.update(by_canonical[canonical])
    return known


def store_article(session: Session, record: ArticleRecord, *, now: datetime | None = None) -> StoreResult:
    """Store `record` unless it is already stored; always records the URL that led to it."""
    now = now or utcnow()
    canonical = canonicalize_url(record.url)
    aliases = {canonical}
    if record.linked_url:
        aliases.add(canonicalize_url(record.linked_url))
    existing = _article_for_urls(session, aliases)
    if existing is not None:
        _remember_urls(session, aliases, existing, record.source_id, now)
        return StoreResult("duplicate", existing, "url")
    title, text = record.title.strip()[:MAX_TITLE], record.text.strip()[:MAX_TEXT]
    digest = content_hash(title, text)
    inserted = insert_ignore(
        session,
        Article,
        [
            {
                "canonical_url": canonical,
                "url": record.url,
                "source_id": record.source_id,
                "title": title,
                "text": text,
                "summary": record.summary,
                "lang": record.lang,
                "author": record.author,
                "published_at": record.published_at or now,
                "date_origin": record.date_origin if record.published_at else "first_seen",
                "first_seen_at": now,
                "content_hash": digest,
                "minhash": signature(f"{title}\n{text}"),
            }
        ],
        keys=(),
    )
    article_id = session.scalar(select(Article.id).where(Article.content_hash == digest))
    if article_id is None:  # lost a race on the canonical URL to an article with other content
        article_id = session.scalar(select(Article.id).where(Article.canonical_url == canonical))
    assert article_id is not None
    _remember_urls(session, aliases, article_id, record.source_id, now)
    if not inserted:
        return StoreResult("duplicate", article_id, "content")
    if record.html:
        insert_ignore(
            session,
            RawPage,
            [{"article_id": article_id, "html_zlib": zlib.compress(record.html, 6), "fetched_at": now}],
            keys=("article_id",),
        )
    return StoreResult("new", article_id, "stored")


def _article_for_urls(session: Session, canonical_urls: set[str]) -> int | None:
    return session.scalar(
        select(ArticleUrl.article_id).where(ArticleUrl.canonical_url.in_(canonical_urls)).limit(1)
    )


def _remember_urls(
    session: Session, canonical_urls: set[str], article_id: int, source_id: str, now: datetime
) -> None:
    rows = [
        {"canonical_url": url, "article_id": article_id, "source_id": source_id, "first_seen_at": now}
        for url in sorted(canonical_urls)
    ]
    insert_ignore(session, ArticleUrl, rows, keys=("canonical_url",))
