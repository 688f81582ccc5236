"""Searching the archive by words, matched the way the classifier matches them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from pipeline.classify.engine import default_classifier
from pipeline.config import Settings
from pipeline.db import ensure_schema, session_scope
from pipeline.models import Article, Label, utcnow
from pipeline.text.normalize import normalize, normalize_phrase

BATCH = 1000


@dataclass(frozen=True)
class SearchHit:
    published: datetime
    source: str
    event: str
    title: str
    url: str


def search_archive(settings: Settings, query: str, *, days: int = 30, event: str | None = None, limit: int = 20) -> list[SearchHit]:
    """Articles of the last `days` whose normalised title or text contains every word of
    `query`, newest first."""
    words = normalize_phrase(query).split()
    if not words:
        return []
    version = default_classifier().version
    engine = ensure_schema(settings.database_url)
    hits: list[SearchHit] = []
    with session_scope(engine) as session:
        statement = (
            select(Article.published_at, Article.source_id, Article.title, Article.text, Article.url, Label.event_type)
            .join(Label, (Label.article_id == Article.id) & (Label.classifier_version == version), isouter=True)
            .where(Article.published_at >= utcnow() - timedelta(days=days), Article.duplicate_of_id.is_(None))
            .order_by(Article.published_at.desc())
        )
        if event:
            statement = statement.where(Label.event_type == event)
        for row in session.execute(statement.execution_options(yield_per=BATCH)):
            haystack = f" {normalize(row.title + ' ' + row.text).text} "
            if all(f" {word} " in haystack for word in words):
                hits.append(SearchHit(row.published_at, row.source_id, row.event_type or "unlabelled", row.title, row.url))
                if len(hits) >= limit:
                    break
    return hits
