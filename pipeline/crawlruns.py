"""Crawl runs: what each crawl of each source saw (the record behind source health)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.catalogue import Source as CatalogueSource
from pipeline.db import upsert
from pipeline.models import CrawlRun, HttpValidator, Source, utcnow

RUN_STATUSES = ("running", "ok", "not_modified", "error", "timeout", "crashed")
SUCCESS_STATUSES = ("ok", "not_modified")


def sync_sources(session: Session, sources: list[CatalogueSource]) -> None:
    """Upsert catalogue entries into the sources table (rows are never deleted: runs refer to them)."""
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "homepage": str(s.homepage),
            "kind": s.kind,
            "langs": list(s.langs),
            "country": s.country,
            "provenance": s.provenance,
            "enabled": s.enabled,
            "config": s.model_dump(mode="json", exclude={"id", "name", "homepage", "kind", "langs", "country", "provenance", "enabled"}),
            "updated_at": utcnow(),
        }
        for s in sources
    ]
    upsert(
        session,
        Source,
        rows,
        keys=("id",),
        update=("name", "homepage", "kind", "langs", "country", "provenance", "enabled", "config", "updated_at"),
    )


def start_run(session: Session, source_id: str, cycle_id: str | None) -> int:
    run = CrawlRun(source_id=source_id, cycle_id=cycle_id, started_at=utcnow(), status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, *, status: str, counts: Mapping[str, Any]) -> None:
    run = session.get(CrawlRun, run_id)
    if run is None:
        return
    run.finished_at = utcnow()
    run.status = status
    for field in (
        "requests", "not_modified", "items_found", "articles_new", "articles_duplicate",
        "articles_failed", "known_skipped",
    ):
        setattr(run, field, int(counts.get(field, 0)))
    run.finish_reason = counts.get("finish_reason")
    run.http_statuses = dict(counts.get("http_statuses", {}))
    run.errors = list(counts.get("errors", []))


def record_missing_run(session: Session, source_id: str, cycle_id: str, status: str, message: str) -> None:
    """A source whose crawl process died or timed out before finishing its run: the run it
    opened is closed with that status, or one is recorded if it never got that far."""
    now = utcnow()
    error = {"url": "", "error": message, "kind": status}
    dangling = session.scalar(
        select(CrawlRun)
        .where(CrawlRun.source_id == source_id, CrawlRun.cycle_id == cycle_id, CrawlRun.status == "running")
        .order_by(CrawlRun.id.desc())
        .limit(1)
    )
    if dangling is not None:
        dangling.status, dangling.finish_reason, dangling.finished_at = status, status, now
        dangling.errors = [*(dangling.errors or []), error]
        return
    session.add(
        CrawlRun(
            source_id=source_id, cycle_id=cycle_id, started_at=now, finished_at=now, status=status,
            finish_reason=status, errors=[error],
        )
    )


def last_successful_start(session: Session, source_id: str) -> datetime | None:
    return session.scalar(
        select(CrawlRun.started_at)
        .where(CrawlRun.source_id == source_id, CrawlRun.status.in_(SUCCESS_STATUSES))
        .order_by(CrawlRun.started_at.desc())
        .limit(1)
    )


def runs_for_cycle(session: Session, cycle_id: str) -> list[CrawlRun]:
    return list(session.scalars(select(CrawlRun).where(CrawlRun.cycle_id == cycle_id).order_by(CrawlRun.id)))


def validators_for(session: Session, url: str) -> tuple[str | None, str | None]:
    row = session.get(HttpValidator, url)
    return (row.etag, row.last_modified) if row else (None, None)


def save_validators(session: Session, validators: Mapping[str, tuple[str | None, str | None]]) -> None:
    rows = [
        {"url": url, "etag": etag, "last_modified": modified, "updated_at": utcnow()}
        for url, (etag, modified) in validators.items()
    ]
    upsert(session, HttpValidator, rows, keys=("url",), update=("etag", "last_modified", "updated_at"))
