"""Idempotent storage, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from pipeline.catalogue import Source as CatalogueSource
from pipeline.crawlruns import sync_sources
from pipeline.db import current_revision, ensure_schema, get_engine, session_scope, upgrade
from pipeline.ingest import ArticleRecord, known_urls, store_article
from pipeline.models import Article, ArticleUrl, RawPage

TEXT = "Rival Libyan forces exchanged twelve detainees in Zawiya on Sunday, elders said. " * 3


def _source(source_id: str) -> CatalogueSource:
    return CatalogueSource.model_validate(
        {"id": source_id, "name": source_id, "homepage": "https://example.ly/", "kind": "feed",
         "urls": ["https://example.ly/feed"], "langs": ["en"], "country": "LY", "provenance": "libyan_west"}
    )


def _record(url: str, source: str = "src_a", title: str = "Prisoner swap in Zawiya", text: str = TEXT) -> ArticleRecord:
    return ArticleRecord(
        url=url, source_id=source, title=title, text=text, lang="en",
        published_at=datetime(2026, 11, 28, 10, 0, tzinfo=UTC), html=b"<html>page</html>",
    )


def _setup(url: str):  # type: ignore[no-untyped-def]
    engine = ensure_schema(url)
    with session_scope(engine) as session:
        sync_sources(session, [_source("src_a"), _source("src_b")])
    return engine


def test_migration_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(get_engine(database_url)) is not None


def test_migrations_from_the_first_release_match_the_models(database_url: str) -> None:
    """A database created by revision 0001 upgrades to exactly the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from pipeline.models import Base

    upgrade(database_url, "0001")
    engine = _setup(database_url)
    assert current_revision(engine) == "0002"
    with engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert drift == []


def test_same_url_from_two_feeds_is_stored_once(database_url: str) -> None:
    engine = _setup(database_url)
    with session_scope(engine) as session:
        first = store_article(session, _record("https://Example.ly/a?utm_source=rss"))
        second = store_article(session, _record("https://example.ly/a#comments", source="src_b"))
    assert (first.status, second.status, second.reason) == ("new", "duplicate", "url")
    assert first.article_id == second.article_id
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        assert session.scalar(select(func.count()).select_from(RawPage)) == 1


def test_same_article_at_two_urls_is_stored_once(database_url: str) -> None:
    engine = _setup(database_url)
    with session_scope(engine) as session:
        first = store_article(session, _record("https://example.ly/story?id=7"))
        second = store_article(session, _record("https://example.ly/2026/11/prisoner-swap", source="src_b"))
        third = store_article(session, _record("https://example.ly/other", title="Another story entirely"))
    assert (second.status, second.reason, second.article_id) == ("duplicate", "content", first.article_id)
    assert third.status == "new"
    with session_scope(engine) as session:
        urls = set(session.scalars(select(ArticleUrl.canonical_url).where(ArticleUrl.article_id == first.article_id)))
        assert urls == {"https://example.ly/story?id=7", "https://example.ly/2026/11/prisoner-swap"}
        assert known_urls(session, ["https://EXAMPLE.ly/story?id=7&fbclid=x", "https://example.ly/new"]) == {
            "https://EXAMPLE.ly/story?id=7&fbclid=x"
        }


def test_redirected_article_remembers_the_linked_url(database_url: str) -> None:
    engine = _setup(database_url)
    record = _record("https://example.ly/final")
    record = ArticleRecord(**{**record.__dict__, "linked_url": "https://example.ly/short/7"})
    with session_scope(engine) as session:
        store_article(session, record)
        assert known_urls(session, ["https://example.ly/short/7"]) == {"https://example.ly/short/7"}


def test_rerunning_storage_adds_nothing(database_url: str) -> None:
    engine = _setup(database_url)
    for _ in range(3):
        with session_scope(engine) as session:
            store_article(session, _record("https://example.ly/a"))
            store_article(session, _record("https://example.ly/b", title="Second story"))
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 2
        assert session.scalar(select(func.count()).select_from(ArticleUrl)) == 2


def test_times_come_back_aware_utc(database_url: str) -> None:
    engine = _setup(database_url)
    with session_scope(engine) as session:
        result = store_article(session, _record("https://example.ly/a"))
    with session_scope(engine) as session:
        article = session.get(Article, result.article_id)
        assert article is not None and article.published_at == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
        assert article.published_at.tzinfo is not None
