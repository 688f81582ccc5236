"""The monitoring cycle, step by step: what the CLI runs and what each Airflow task calls.

crawl -> near-duplicates -> classify -> group into developments -> plan alerts -> deliver.
Each step selects its work by state in the database, so any step can be re-run on its own,
and a cycle that collected nothing new does nothing else.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine

from pipeline.alerts.delivery import DeliveryReport, deliver_pending
from pipeline.alerts.outbox import PlanReport, plan_alerts
from pipeline.alerts.subscriptions import sync_subscriptions
from pipeline.alerts.transports import ConsoleTransport, SlackTransport, Transport
from pipeline.catalogue import Catalogue, Source, load_catalogue
from pipeline.classify.engine import Classifier, default_classifier
from pipeline.config import Settings
from pipeline.crawlruns import SUCCESS_STATUSES, record_missing_run, runs_for_cycle, sync_sources
from pipeline.db import ensure_schema, session_scope
from pipeline.developments import GroupingReport, group_developments
from pipeline.errors import AllSourcesFailed, CrawlError
from pipeline.labelling import LabellingReport, label_pending
from pipeline.models import AlertOutbox, CrawlRun, Cycle, utcnow
from pipeline.neardup import mark_near_duplicates

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class SourceOutcome:
    source_id: str
    status: str
    items_found: int = 0
    new: int = 0
    duplicate: int = 0
    failed: int = 0
    not_modified: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in SUCCESS_STATUSES


@dataclass
class CrawlReport:
    cycle_id: str
    sources: list[SourceOutcome]
    log_path: Path | None = None

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and not any(s.ok for s in self.sources)


@dataclass
class CycleReport:
    cycle_id: str
    crawl: CrawlReport
    near_duplicates: int
    labelling: LabellingReport
    grouping: GroupingReport
    plan: PlanReport
    delivery: DeliveryReport
    transport: str

    def summary(self) -> dict[str, Any]:
        return {
            "sources": len(self.crawl.sources),
            "sources_failed": sum(not s.ok for s in self.crawl.sources),
            "articles_new": self.crawl.new,
            "articles_duplicate": sum(s.duplicate for s in self.crawl.sources),
            "articles_failed": sum(s.failed for s in self.crawl.sources),
            "near_duplicates": self.near_duplicates,
            "classified": self.labelling.classified,
            "developments_new": len(self.grouping.created),
            "developments_updated": len(self.grouping.updated),
            "alerts_planned": self.plan.total,
            "alerts_sent": len(self.delivery.sent) + len(self.delivery.recovered),
            "alerts_failed": len(self.delivery.failed),
            "transport": self.transport,
        }


def new_cycle_id(now: datetime | None = None) -> str:
    now = now or utcnow()
    return f"{now:%Y%m%dT%H%M%S}-{uuid4().hex[:6]}"


# -- crawl ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProcessFailure:
    status: str  # the crawl-run status it leaves: "timeout" or "crashed"
    message: str


def _run_crawl_process(settings: Settings, command: list[str], log_path: Path) -> ProcessFailure | None:
    """Run a crawl command with the monitor's settings and the crawl timeout, output to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **settings.as_env(), "SCRAPY_SETTINGS_MODULE": "scrapers.settings"}
    with log_path.open("w", encoding="utf-8") as log:
        try:
            done = subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=settings.crawl_timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            return ProcessFailure("timeout", f"crawl timed out after {settings.crawl_timeout_s:.0f}s")
        except OSError as exc:
            raise CrawlError(f"cannot start the crawl process: {exc}") from exc
    if done.returncode != 0:
        return ProcessFailure("crashed", f"crawl process exited with {done.returncode}")
    return None


def _close_unfinished(
    engine: Engine, source_ids: Sequence[str], cycle_id: str, failure: ProcessFailure | None
) -> list[SourceOutcome]:
    """Record as failed every source whose run the process left open or never opened; return
    what each run of the cycle recorded."""
    status, message = (failure.status, failure.message) if failure else ("crashed", "no crawl run recorded")
    with session_scope(engine) as session:
        finished = {run.source_id for run in runs_for_cycle(session, cycle_id) if run.status != "running"}
        for source_id in source_ids:
            if source_id not in finished:
                record_missing_run(session, source_id, cycle_id, status, message)
    with session_scope(engine) as session:
        return [_outcome(run) for run in runs_for_cycle(session, cycle_id)]


def crawl_sources(
    settings: Settings,
    sources: Sequence[Source],
    cycle_id: str,
    *,
    scrapy_settings: Sequence[str] = (),
    progress: Progress = _quiet,
) -> CrawlReport:
    """Crawl `sources` in one Scrapy subprocess (a Twisted reactor cannot be restarted in this
    process) and read back what each recorded. A source that recorded nothing (the process
    crashed or timed out) is recorded as failed here."""
    engine = ensure_schema(settings.database_url)
    if not sources:
        return CrawlReport(cycle_id, [])
    log_path = settings.data_dir / "logs" / f"crawl-{cycle_id}.log"
    command = [sys.executable, "-m", "scrapers.crawl", "--cycle", cycle_id]
    for item in scrapy_settings:
        command += ["-s", item]
    command += [s.id for s in sources]
    progress(f"crawling {len(sources)} source(s); log: {log_path}")
    failure = _run_crawl_process(settings, command, log_path)
    return CrawlReport(cycle_id, _close_unfinished(engine, [s.id for s in sources], cycle_id, failure), log_path)


def _outcome(run: CrawlRun) -> SourceOutcome:
    return SourceOutcome(
        run.source_id, run.status, run.items_found, run.articles_new, run.articles_duplicate,
        run.articles_failed, run.not_modified, list(run.errors or []),
    )


def enabled_sources(settings: Settings) -> list[dict[str, str]]:
    """The catalogue's enabled sources, as plain data (what an orchestrator maps over)."""
    engine = ensure_schema(settings.database_url)
    catalogue = load_catalogue(settings.sources_path)
    with session_scope(engine) as session:
        sync_sources(session, catalogue.sources)
    return [{"id": s.id, "kind": s.kind} for s in catalogue.enabled()]


def crawl_one_source(settings: Settings, source_id: str, *, cycle_id: str) -> dict[str, Any]:
    """`scrapy crawl <kind> -a source=<id>` in a subprocess with a timeout; raises CrawlError
    when the spider crashed, timed out or could not reach its source (zero new articles is not
    an error). Returns what the crawl recorded."""
    engine = ensure_schema(settings.database_url)
    source = load_catalogue(settings.sources_path).select([source_id])[0]
    log_path = settings.data_dir / "logs" / f"crawl-{_safe(cycle_id)}-{source.id}.log"
    command = [
        sys.executable, "-m", "scrapy", "crawl", source.kind, "-a", f"source={source.id}",
        "-s", f"MONITOR_CYCLE_ID={cycle_id}",
    ]
    failure = _run_crawl_process(settings, command, log_path)
    outcome = [o for o in _close_unfinished(engine, [source.id], cycle_id, failure) if o.source_id == source.id][-1]
    if not outcome.ok:
        reasons = "; ".join(f"{e.get('url', '')} {e.get('error', '')}".strip() for e in outcome.errors[:3])
        raise CrawlError(f"{source.id}: crawl {outcome.status}: {reasons} (log: {log_path})")
    return {"source": source.id, "status": outcome.status, "found": outcome.items_found, "new": outcome.new,
            "duplicate": outcome.duplicate, "failed": outcome.failed}


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)[:80]


# -- the steps after the crawl ----------------------------------------------------------------
def classify_new(settings: Settings, classifier: Classifier | None = None) -> tuple[int, LabellingReport]:
    """Mark near-duplicates, then label every article the current classifier has not seen."""
    classifier = classifier or default_classifier()
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        duplicates = mark_near_duplicates(session)
    with session_scope(engine) as session:
        report = label_pending(session, classifier)
    return duplicates, report


def group_new(settings: Settings, classifier: Classifier | None = None) -> GroupingReport:
    classifier = classifier or default_classifier()
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        return group_developments(session, classifier.version)


def plan_new_alerts(settings: Settings, classifier: Classifier | None = None) -> PlanReport:
    classifier = classifier or default_classifier()
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        subscriptions = sync_subscriptions(session, settings, classifier.gazetteer)
    with session_scope(engine) as session:
        return plan_alerts(session, subscriptions, classifier.version)


def make_transport(settings: Settings, progress: Progress = _quiet) -> Transport:
    if settings.slack_configured:
        assert settings.slack_bot_token
        return SlackTransport(settings.slack_bot_token, settings.slack_base_url)
    progress(
        f"Slack is not configured (no SLACK_BOT_TOKEN): alerts go to the console and {settings.alerts_log}"
    )
    return ConsoleTransport(settings.alerts_log)


def deliver_alerts(settings: Settings, transport: Transport | None = None, progress: Progress = _quiet) -> DeliveryReport:
    engine = ensure_schema(settings.database_url)
    transport = transport or make_transport(settings, progress)
    return deliver_pending(engine, transport, on_failure=_ops_notice(settings, progress))


def plan_health(settings: Settings) -> list[str]:
    """Queue notices for sources that started failing or went silent: to the ops channel, or
    the console without Slack. With Slack but no ops channel there is nowhere to send them
    (flags still show in `libya-monitor sources` and the digest)."""
    from pipeline.alerts.subscriptions import CONSOLE_CHANNEL
    from pipeline.health import plan_health_notices

    channel = settings.ops_channel if settings.slack_configured else CONSOLE_CHANNEL
    if not channel:
        return []
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        return plan_health_notices(session, load_catalogue(settings.sources_path), channel)


@dataclass
class AlertStep:
    plan: PlanReport
    notices: list[str]
    delivery: DeliveryReport
    transport: str

    def summary(self) -> dict[str, int]:
        return {
            "planned_new": len(self.plan.new), "planned_updates": len(self.plan.updates), "health_notices": len(self.notices),
            "sent": len(self.delivery.sent), "recovered": len(self.delivery.recovered),
            "failed": len(self.delivery.failed), "retry_later": len(self.delivery.retry_later),
        }


def alert_step(
    settings: Settings,
    classifier: Classifier | None = None,
    transport: Transport | None = None,
    progress: Progress = _quiet,
) -> AlertStep:
    """Plan the alerts new developments call for and the source-health notices, then deliver
    the outbox."""
    plan = plan_new_alerts(settings, classifier)
    notices = plan_health(settings)
    if notices:
        progress(f"source health: {len(notices)} new notice(s) for the ops channel")
    transport = transport or make_transport(settings, progress)
    delivery = deliver_alerts(settings, transport, progress)
    progress(
        f"alerts: {len(delivery.sent)} sent, {len(delivery.recovered)} recovered, {len(delivery.failed)} failed, "
        f"{len(delivery.retry_later)} to retry (planned {len(plan.new)} new, {len(plan.updates)} follow-up) via {transport.name}"
    )
    return AlertStep(plan, notices, delivery, transport.name)


def post_ops_notice(settings: Settings, text: str, *, key: str) -> None:
    """A best-effort message to the ops channel (nothing when Slack or the channel is not set).
    Raises DeliveryError; callers decide whether that matters."""
    if settings.slack_bot_token and settings.ops_channel:
        SlackTransport(settings.slack_bot_token, settings.slack_base_url).post(settings.ops_channel, text, [], alert_key=key)


def _ops_notice(settings: Settings, progress: Progress) -> Callable[[AlertOutbox, str], None]:
    def notify(row: AlertOutbox, error: str) -> None:
        progress(f"alert {row.alert_key} to {row.channel} FAILED: {error}")
        if row.channel == settings.ops_channel:
            return  # the ops channel itself is what failed
        text = f"Libya monitor could not deliver alert {row.alert_key} to {row.channel}: {error}"
        try:
            post_ops_notice(settings, text, key=f"ops:{row.alert_key}")
        except Exception as exc:  # noqa: BLE001 - the ops notice is best effort; the row is failed already
            progress(f"ops notice to {settings.ops_channel} failed too: {exc}")

    return notify


# -- the whole cycle --------------------------------------------------------------------------
def run_cycle(
    settings: Settings,
    *,
    source_ids: Sequence[str] | None = None,
    scrapy_settings: Sequence[str] = (),
    transport: Transport | None = None,
    progress: Progress = _quiet,
) -> CycleReport:
    """One full monitoring cycle. Raises AllSourcesFailed (after finishing the other steps)
    when every source failed."""
    engine = ensure_schema(settings.database_url)
    catalogue = load_catalogue(settings.sources_path)
    sources = catalogue.select(list(source_ids) if source_ids else None)
    cycle_id = new_cycle_id()
    _start_cycle(engine, cycle_id, catalogue)
    # The classifier takes seconds to build: build it while the crawl runs in its own process.
    warm_up = threading.Thread(target=default_classifier, name="classifier-warm-up", daemon=True)
    warm_up.start()
    crawl = crawl_sources(settings, sources, cycle_id, scrapy_settings=scrapy_settings, progress=progress)
    warm_up.join()
    classifier = default_classifier()  # built, or raises here what building raised
    progress(_crawl_line(crawl))
    duplicates, labelling = classify_new(settings, classifier)
    progress(f"classified {labelling.classified} article(s), {labelling.developments} ceasefire development(s); {duplicates} near-duplicate(s)")
    grouping = group_new(settings, classifier)
    progress(f"developments: {len(grouping.created)} new, {len(grouping.updated)} updated, {len(grouping.escalated)} escalated")
    alerts = alert_step(settings, classifier, transport, progress)
    report = CycleReport(cycle_id, crawl, duplicates, labelling, grouping, alerts.plan, alerts.delivery, alerts.transport)
    _finish_cycle(engine, cycle_id, report)
    if crawl.all_failed:
        reasons = "; ".join(f"{s.source_id}: {(s.errors[0]['error'] if s.errors else s.status)}" for s in crawl.sources)
        error = AllSourcesFailed(f"every source failed ({reasons})")
        error.report = report  # type: ignore[attr-defined]
        raise error
    return report


def _crawl_line(crawl: CrawlReport) -> str:
    lines = [f"{'source':28} {'status':13} {'found':>5} {'new':>4} {'dup':>4} {'fail':>4}"]
    for s in crawl.sources:
        lines.append(f"{s.source_id:28} {s.status:13} {s.items_found:>5} {s.new:>4} {s.duplicate:>4} {s.failed:>4}")
        for error in s.errors[:3]:
            lines.append(f"    ! {error.get('url', '')} {error.get('error', '')}")
    total_new = crawl.new
    ok = sum(s.ok for s in crawl.sources)
    lines.append(f"crawled {len(crawl.sources)} source(s), {ok} ok: {total_new} new article(s)")
    return "\n".join(lines)


def _start_cycle(engine: Engine, cycle_id: str, catalogue: Catalogue) -> None:
    with session_scope(engine) as session:
        sync_sources(session, catalogue.sources)
        session.add(Cycle(id=cycle_id, started_at=utcnow(), status="running"))


def _finish_cycle(engine: Engine, cycle_id: str, report: CycleReport) -> None:
    with session_scope(engine) as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is not None:
            cycle.finished_at = utcnow()
            cycle.status = "failed" if report.crawl.all_failed else "ok"
            cycle.summary = report.summary()
