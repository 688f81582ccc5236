"""SQLAlchemy models: the monitor's tables (DESIGN.md, Storage).

Natural keys carry unique constraints so that every write can be an idempotent upsert and two
overlapping runs cannot create duplicates: an article's canonical URL, a label's
(article, classifier version), an alert's key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite stores naive text and returns naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    homepage: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    langs: Mapped[list[Any]] = mapped_column(default=list)
    country: Mapped[str] = mapped_column(String(8))
    provenance: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Cycle(Base):
    """One run of the monitoring cycle (CLI `run`/`demo`, or one Airflow DAG run)."""

    __tablename__ = "cycles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CrawlRun(Base):
    """What one crawl of one source saw: the raw material of source health."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[str | None] = mapped_column(String(64), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    requests: Mapped[int] = mapped_column(default=0)
    not_modified: Mapped[int] = mapped_column(default=0)
    items_found: Mapped[int] = mapped_column(default=0)
    articles_new: Mapped[int] = mapped_column(default=0)
    articles_duplicate: Mapped[int] = mapped_column(default=0)
    articles_failed: Mapped[int] = mapped_column(default=0)
    known_skipped: Mapped[int] = mapped_column(default=0)
    http_statuses: Mapped[dict[str, Any]] = mapped_column(default=dict)
    errors: Mapped[list[Any]] = mapped_column(default=list)


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    author: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    date_origin: Mapped[str] = mapped_column(String(16), default="page")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    # Set once the article has been compared with its window for near-duplicates.
    dedupe_checked: Mapped[bool] = mapped_column(default=False, index=True)

    urls: Mapped[list[ArticleUrl]] = relationship(back_populates="article")
    labels: Mapped[list[Label]] = relationship(back_populates="article")


class ArticleUrl(Base):
    """Every canonical URL that led to an article, and which source it came through."""

    __tablename__ = "article_urls"

    canonical_url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="urls")


class RawPage(Base):
    """The fetched HTML (zlib), kept for re-extraction until the retention prunes it."""

    __tablename__ = "raw_pages"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    html_zlib: Mapped[bytes] = mapped_column(LargeBinary)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("article_id", "classifier_version"),
        Index("ix_labels_pending_grouping", "is_ceasefire_development", "grouped"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    classifier_version: Mapped[str] = mapped_column(String(64), index=True)
    lang: Mapped[str] = mapped_column(String(8))
    is_libya: Mapped[bool]
    libya_score: Mapped[float] = mapped_column(Float)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    is_ceasefire_development: Mapped[bool] = mapped_column(index=True)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once grouping has placed the article: work is found by this flag, not by a scan.
    grouped: Mapped[bool] = mapped_column(default=False)

    article: Mapped[Article] = relationship(back_populates="labels")


class Entity(Base):
    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    libya: Mapped[bool] = mapped_column(default=True)


class EntityMention(Base):
    __tablename__ = "entity_mentions"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    classifier_version: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=1)
    salience: Mapped[int] = mapped_column(default=0)


class Development(Base):
    """Coverage of one event on the ceasefire track, across sources and languages."""

    __tablename__ = "developments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Sources whose coverage is their own (not a syndicated copy): corroboration.
    independent_sources: Mapped[int] = mapped_column(default=1)
    independent_source_ids: Mapped[list[Any]] = mapped_column(default=list)
    max_article_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    headline_facility_ids: Mapped[list[Any]] = mapped_column(default=list)
    event_type: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text)
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entity_ids: Mapped[list[Any]] = mapped_column(default=list)
    place_ids: Mapped[list[Any]] = mapped_column(default=list)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    source_ids: Mapped[list[Any]] = mapped_column(default=list)
    provenances: Mapped[list[Any]] = mapped_column(default=list)
    langs: Mapped[list[Any]] = mapped_column(default=list)
    article_count: Mapped[int] = mapped_column(default=0)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DevelopmentArticle(Base):
    __tablename__ = "development_articles"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")


class DevelopmentChange(Base):
    """A recorded escalation: talks became an agreement, a truce was broken."""

    __tablename__ = "development_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    from_type: Mapped[str] = mapped_column(String(40))
    to_type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    channel: Mapped[str] = mapped_column(String(100))
    event_types: Mapped[list[Any]] = mapped_column(default=list)
    topics: Mapped[list[Any]] = mapped_column(default=list)
    entity_ids: Mapped[list[Any]] = mapped_column(default=list)
    langs: Mapped[list[Any]] = mapped_column(default=list)
    min_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    min_sources: Mapped[int] = mapped_column(default=1)
    quiet_hours: Mapped[str | None] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertOutbox(Base):
    """One row per (subscription, development, kind): the unit of exactly-once delivery."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_state", "state", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(255), unique=True)
    subscription_id: Mapped[str] = mapped_column(String(100), index=True)
    development_id: Mapped[int | None] = mapped_column(ForeignKey("developments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(100))
    parent_key: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    transport: Mapped[str | None] = mapped_column(String(16))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    not_before: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]


class HttpValidator(Base):
    """ETag / Last-Modified of feeds and listings, for conditional GET."""

    __tablename__ = "http_validators"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
