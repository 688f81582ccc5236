"""Source health from crawl runs: last success, 7-day counts, and flags.

A source is flagged `failing` after N failed runs in a row (default 3, per source
`failures_flag`), `silent` when it has brought nothing new for a while (default 72 h, per source
`silent_after_hours`), and `never_ran` before its first crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from pipeline.catalogue import Catalogue
from pipeline.crawlruns import SUCCESS_STATUSES
from pipeline.models import CrawlRun, utcnow

WEEK = timedelta(days=7)
_Run = aliased(CrawlRun)  # the outer runs of the streak query, against the correlated last success


@dataclass
class SourceHealth:
    source_id: str
    name: str
    kind: str
    enabled: bool
    last_run_at: datetime | None = None
    last_status: str | None = None
    last_success_at: datetime | None = None
    last_new_at: datetime | None = None
    runs_7d: int = 0
    failed_7d: int = 0
    new_7d: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    flags: list[str] = field(default_factory=list)
    failing_since_run: int | None = None  # first run of the current failure streak
    first_run_at: datetime | None = None

    @property
    def quiet_since(self) -> datetime:
        """Since when nothing new has come: the last run that brought something, else the first run."""
        assert self.first_run_at is not None
        return self.last_new_at or self.first_run_at

    @property
    def status(self) -> str:
        return ", ".join(self.flags) if self.flags else "ok"


def source_health(session: Session, catalogue: Catalogue, *, now: datetime | None = None) -> list[SourceHealth]:
    """Every catalogue source's health, from two aggregate queries over its finished runs (the
    whole history, so a failure streak or a silent spell of any length keeps its start)."""
    now = now or utcnow()
    summaries = _summaries(session, now)
    streaks = _failure_streaks(session)
    last_runs = {run.source_id: run for run in session.scalars(select(CrawlRun).where(CrawlRun.id.in_([s.last_id for s in summaries.values()])))}
    report = []
    for source in catalogue.sources:
        health = SourceHealth(source.id, source.name, source.kind, source.enabled)
        summary = summaries.get(source.id)
        if summary is not None:
            last = last_runs[source.id]
            health.first_run_at, health.last_run_at, health.last_status = summary.first_at, last.started_at, last.status
            health.last_success_at, health.last_new_at = summary.last_ok_at, summary.last_new_at
            health.runs_7d, health.failed_7d, health.new_7d = summary.runs_7d, summary.failed_7d, int(summary.new_7d)
        streak = streaks.get(source.id)
        if streak is not None:
            health.consecutive_failures, health.failing_since_run = streak.failures, streak.since_id
            errors = last_runs[source.id].errors or []
            health.last_error = str(errors[0].get("error", ""))[:300] if errors else None
        health.flags = _flags(health, source.failures_flag, timedelta(hours=source.silent_after_hours), now)
        report.append(health)
    return report


_FINISHED = CrawlRun.status != "running"
_OK = CrawlRun.status.in_(SUCCESS_STATUSES)


def _summaries(session: Session, now: datetime) -> dict[str, Any]:
    """Per source: last run id, first run, last success, last run with new articles, 7-day counts."""
    in_week = CrawlRun.started_at >= now - WEEK
    query = (
        select(
            CrawlRun.source_id,
            func.max(CrawlRun.id).label("last_id"),
            func.min(CrawlRun.started_at).label("first_at"),
            func.max(case((_OK, CrawlRun.started_at))).label("last_ok_at"),
            func.max(case((CrawlRun.articles_new > 0, CrawlRun.started_at))).label("last_new_at"),
            func.count(case((in_week, 1))).label("runs_7d"),
            func.count(case((in_week & ~_OK, 1))).label("failed_7d"),
            func.coalesce(func.sum(case((in_week, CrawlRun.articles_new), else_=0)), 0).label("new_7d"),
        )
        .where(_FINISHED)
        .group_by(CrawlRun.source_id)
    )
    return {row.source_id: row for row in session.execute(query)}


def _failure_streaks(session: Session) -> dict[str, Any]:
    """Per source, the finished runs since its last success: how many, and the first one's id."""
    last_ok = (
        select(func.max(CrawlRun.id)).where(_OK, CrawlRun.source_id == _Run.source_id).scalar_subquery()
    )
    query = (
        select(_Run.source_id, func.count().label("failures"), func.min(_Run.id).label("since_id"))
        .where(_Run.status != "running", _Run.id > func.coalesce(last_ok, 0))
        .group_by(_Run.source_id)
    )
    return {row.source_id: row for row in session.execute(query)}


def _flags(health: SourceHealth, failures_flag: int, silent_after: timedelta, now: datetime) -> list[str]:
    if not health.enabled:
        return ["disabled"]
    if health.first_run_at is None:
        return ["never_ran"]
    flags = []
    if health.consecutive_failures >= failures_flag:
        flags.append("failing")
    if now - health.quiet_since >= silent_after:
        flags.append("silent")
    return flags


def format_health(rows: list[SourceHealth], now: datetime | None = None) -> str:
    now = now or utcnow()

    def ago(moment: datetime | None) -> str:
        if moment is None:
            return "never"
        hours = (now - moment).total_seconds() / 3600
        return f"{hours:.0f}h ago" if hours < 48 else f"{hours / 24:.0f}d ago"

    lines = [f"{'source':26} {'kind':9} {'last success':>13} {'last new':>9} {'runs 7d':>7} {'fail 7d':>7} {'new 7d':>6}  status"]
    for h in rows:
        lines.append(
            f"{h.source_id:26} {h.kind:9} {ago(h.last_success_at):>13} {ago(h.last_new_at):>9} "
            f"{h.runs_7d:>7} {h.failed_7d:>7} {h.new_7d:>6}  {h.status}"
            + (f" — {h.last_error}" if h.last_error and "failing" in h.flags else "")
        )
    return "\n".join(lines)


def plan_health_notices(session: Session, catalogue: Catalogue, channel: str, *, now: datetime | None = None) -> list[str]:
    """One ops notice per source and flag episode (a failure streak, a silent spell), through
    the alert outbox so that it is delivered exactly once like any alert."""
    from pipeline.alerts.messages import fit
    from pipeline.db import insert_ignore
    from pipeline.models import AlertOutbox

    now = now or utcnow()
    keys = []
    for h in source_health(session, catalogue, now=now):
        episodes = []
        if "failing" in h.flags:
            episodes.append(("failing", str(h.failing_since_run), f"failed {h.consecutive_failures} runs in a row: {h.last_error or h.last_status}"))
        if "silent" in h.flags:
            since = h.quiet_since.date().isoformat()
            what = "no new article since" if h.last_new_at else "no article at all since its first run on"
            episodes.append(("silent", since, f"{what} {since}"))
        for flag, episode, detail in episodes:
            key = f"ops:health:{h.source_id}:{flag}:{episode}"
            text = f":warning: Source {fit(h.name, 100)} ({h.source_id}) is {flag}: {fit(detail, 500)}"
            inserted = insert_ignore(
                session, AlertOutbox,
                [{"alert_key": key, "subscription_id": "ops", "kind": "ops", "channel": channel, "state": "pending",
                  "payload": {"text": text, "blocks": []}, "created_at": now, "updated_at": now}],
                keys=("alert_key",),
            )
            if inserted:
                keys.append(key)
    return keys
