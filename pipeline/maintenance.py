"""Weekly upkeep: re-label the archive for a new classifier, prune old raw HTML, and let the
database tidy itself (ANALYZE; VACUUM on SQLite). Each step can be repeated safely."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, text

from pipeline.classify.engine import default_classifier
from pipeline.config import Settings
from pipeline.db import ensure_schema, session_scope
from pipeline.labelling import label_pending
from pipeline.models import RawPage, utcnow


def relabel_archive(settings: Settings) -> dict[str, int]:
    classifier = default_classifier()
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        report = label_pending(session, classifier)
    return {"classified": report.classified, "failed": report.failed}


def prune_raw_pages(settings: Settings, *, older_than_days: int) -> int:
    """Delete stored HTML fetched more than `older_than_days` ago; articles themselves stay."""
    engine = ensure_schema(settings.database_url)
    cutoff = utcnow() - timedelta(days=older_than_days)
    with session_scope(engine) as session:
        result = session.execute(delete(RawPage).where(RawPage.fetched_at < cutoff))
        return max(int(getattr(result, "rowcount", 0) or 0), 0)


def database_maintenance(settings: Settings) -> str:
    engine = ensure_schema(settings.database_url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("ANALYZE"))
            connection.execute(text("VACUUM"))
            return "sqlite: ANALYZE, VACUUM"
        connection.execute(text("VACUUM (ANALYZE)"))
        return f"{engine.dialect.name}: VACUUM (ANALYZE)"
