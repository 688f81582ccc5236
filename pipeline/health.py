"""Source health from crawl runs: last success, 7-day counts, and flags.

A source is flagged `failing` after N failed runs in a row (default 3, per source
`failures_flag`), `silent` when it has brought nothing new for a while (default 72 h, per source
`silent_after_hours`), and `never_ran` before its first crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.catalogue import Catalogue
from pipeline.crawlruns import SUCCESS_STATUSES
from pipeline.models import CrawlRun, utcnow

WEEK = timedelta(days=7)


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

    @property
    def status(self) -> str:
        return ", ".join(self.flags) if self.flags else "ok"


def source_health(session: Session, catalogue: Catalogue, *, now: datetime | None = None) -> list[SourceHealth]:
    now = now or utcnow()
    report = []
    for source in catalogue.sources:
        runs = list(
            session.scalars(
                select(CrawlRun)
                .where(CrawlRun.source_id == source.id, CrawlRun.status != "running")
                .order_by(CrawlRun.started_at.desc())
                .limit(500)
            )
        )
        health = SourceHealth(source.id, source.name, source.kind, source.enabled)
        if runs:
            health.last_run_at, health.last_status = runs[0].started_at, runs[0].status
        for run in runs:
            ok = run.status in SUCCESS_STATUSES
            if ok and health.last_success_at is None:
                health.last_success_at = run.started_at
            if run.articles_new and health.last_new_at is None:
                health.last_new_at = run.started_at
            if run.started_at >= now - WEEK:
                health.runs_7d += 1
                health.failed_7d += not ok
                health.new_7d += run.articles_new
        for run in runs:
            if run.status in SUCCESS_STATUSES:
                break
            health.consecutive_failures += 1
            health.failing_since_run = run.id
            if health.last_error is None and run.errors:
                health.last_error = str(run.errors[0].get("error", ""))[:300]
        health.flags = _flags(health, source.failures_flag, timedelta(hours=source.silent_after_hours), now, runs)
        report.append(health)
    return report


def _flags(health: SourceHealth, failures_flag: int, silent_after: timedelta, now: datetime, runs: list[CrawlRun]) -> list[str]:
    if not health.enabled:
        return ["disabled"]
    if not runs:
        return ["never_ran"]
    flags = []
    if health.consecutive_failures >= failures_flag:
        flags.append("failing")
    first_run = runs[-1].started_at
    quiet_since = health.last_new_at or first_run
    if now - quiet_since >= silent_after and now - first_run >= silent_after:
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
            since = (h.last_new_at or h.last_run_at or now).date().isoformat()
            episodes.append(("silent", since, f"no new article since {since}"))
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
