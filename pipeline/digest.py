"""The daily digest, one per subscription: the last 24 hours of developments by event type,
sources gone silent or failing, and a chart of ceasefire-related articles per day over 30 days.

Slack gets a Block Kit message and the chart as a file (files_upload_v2); without Slack the
digest is written as Markdown with the PNG beside it, and printed. A digest is an outbox row
keyed by subscription and day, so a retried run posts nothing twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.alerts.delivery import deliver_key
from pipeline.alerts.messages import EVENT_LABELS, fit, libya_time
from pipeline.alerts.subscriptions import matches, sync_subscriptions
from pipeline.catalogue import load_catalogue
from pipeline.classify.engine import default_classifier
from pipeline.classify.rules import DEVELOPMENT_TYPES
from pipeline.config import Settings
from pipeline.dates import LIBYA_TZ, zone
from pipeline.db import ensure_schema, insert_ignore, session_scope
from pipeline.errors import ConfigError, DeliveryError
from pipeline.health import SourceHealth, source_health
from pipeline.models import AlertOutbox, Article, Development, Label, Subscription, utcnow

CHART_DAYS = 30


@dataclass
class Digest:
    subscription_id: str
    channel: str
    day: date
    developments: dict[str, list[Development]] = field(default_factory=dict)
    flagged_sources: list[SourceHealth] = field(default_factory=list)
    daily_counts: dict[date, Counter[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.developments.values())


def digest_day(until: datetime) -> date:
    return until.astimezone(zone(LIBYA_TZ)).date()


def digest_key(subscription_id: str, until: datetime) -> str:
    """One digest per subscription and Libya-time day."""
    return f"{subscription_id}:digest:{digest_day(until).isoformat()}"


def subscription_ids(settings: Settings) -> list[str]:
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        return [s.id for s in sync_subscriptions(session, settings, default_classifier().gazetteer)]


def build_digest(session: Session, settings: Settings, subscription: Subscription, until: datetime) -> Digest:
    digest = Digest(subscription.id, subscription.channel, digest_day(until))
    recent = session.scalars(
        select(Development)
        .where(Development.last_seen_at > until - timedelta(days=1), Development.first_seen_at <= until)
        .order_by(Development.first_seen_at)
    )
    grouped: dict[str, list[Development]] = defaultdict(list)
    for development in recent:
        if matches(subscription, development):
            grouped[development.event_type].append(development)
    digest.developments = {e: grouped[e] for e in DEVELOPMENT_TYPES if grouped.get(e)}
    catalogue = load_catalogue(settings.sources_path)
    digest.flagged_sources = [h for h in source_health(session, catalogue, now=until) if set(h.flags) & {"failing", "silent"}]
    digest.daily_counts = _daily_counts(session, default_classifier().version, until)
    return digest


def _daily_counts(session: Session, version: str, until: datetime) -> dict[date, Counter[str]]:
    since = until - timedelta(days=CHART_DAYS)
    rows = session.execute(
        select(Article.published_at, Label.event_type)
        .join(Label, Label.article_id == Article.id)
        .where(
            Label.classifier_version == version,
            Label.is_libya.is_(True),
            Label.event_type != "none",
            Article.published_at > since,
            Article.published_at <= until,
            Article.duplicate_of_id.is_(None),
        )
    )
    counts: dict[date, Counter[str]] = defaultdict(Counter)
    tz = zone(LIBYA_TZ)
    for published, event in rows:
        if published is not None:
            counts[published.astimezone(tz).date()][event] += 1
    return dict(counts)


def render_chart(digest: Digest, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    last = digest.day
    days = [last - timedelta(days=i) for i in range(CHART_DAYS - 1, -1, -1)]
    events = [e for e in (*DEVELOPMENT_TYPES, "statement_only") if any(digest.daily_counts.get(d, Counter())[e] for d in days)]
    figure, axis = plt.subplots(figsize=(10, 4), dpi=100)
    bottom = [0] * len(days)
    for event in events:
        values = [digest.daily_counts.get(d, Counter()).get(event, 0) for d in days]
        axis.bar(range(len(days)), values, bottom=bottom, label=EVENT_LABELS.get(event, event))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axis.set_title(f"Ceasefire-track articles per day, last {CHART_DAYS} days (to {last.isoformat()})")
    axis.set_xticks(range(0, len(days), 5), [days[i].strftime("%d %b") for i in range(0, len(days), 5)])
    axis.set_ylabel("articles")
    if events:
        axis.legend(fontsize=7, loc="upper left")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    plt.close(figure)
    return path


def render_markdown(digest: Digest) -> str:
    lines = [f"# Libya ceasefire track — daily digest, {digest.day.isoformat()}", ""]
    lines.append(f"Subscription `{digest.subscription_id}`: {digest.total} development(s) in the last 24 hours.")
    for event, developments in digest.developments.items():
        lines += ["", f"## {EVENT_LABELS.get(event, event)} ({len(developments)})", ""]
        for d in developments:
            lines.append(
                f"- {d.title} — {d.independent_sources} source(s), {', '.join(d.langs)}; first seen "
                f"{libya_time(d.first_seen_at)}; confidence {d.confidence:.0%}"
            )
    lines += ["", "## Sources needing attention", ""]
    if digest.flagged_sources:
        for h in digest.flagged_sources:
            detail = f" ({h.last_error})" if h.last_error else ""
            lines.append(f"- {h.name} (`{h.source_id}`): {h.status}{detail}")
    else:
        lines.append("- none: every source is healthy")
    return "\n".join(lines) + "\n"


def render_blocks(digest: Digest) -> tuple[str, list[dict[str, Any]]]:
    text = f"Libya ceasefire track — daily digest {digest.day.isoformat()}: {digest.total} development(s)"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit(f"Daily digest — {digest.day.isoformat()}", 150)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{digest.total} development(s) in the last 24 hours"}]},
    ]
    for event, developments in digest.developments.items():
        items = "\n".join(
            f"• {fit(d.title, 300)} — {d.independent_sources} source(s), {', '.join(d.langs)}" for d in developments[:15]
        )
        more = f"\n…and {len(developments) - 15} more" if len(developments) > 15 else ""
        body = f"*{EVENT_LABELS.get(event, event)}* ({len(developments)})\n{items}{more}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
    if digest.flagged_sources:
        items = "\n".join(f"• {fit(h.name, 100)}: {h.status}" for h in digest.flagged_sources[:20])
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Sources needing attention*\n{items}"[:3000]}})
    return text, blocks[:49]


def send_digest(settings: Settings, subscription_id: str, *, until: datetime | None = None) -> dict[str, str]:
    """Build and deliver one subscription's digest for the Libya-time day of `until` (default
    now): the message through the outbox's exactly-once path, then the chart in its thread.
    Raises DeliveryError when Slack did not take it (the row stays for a retry, or is failed)."""
    from pipeline.jobs import _ops_notice, make_transport

    until = until or utcnow()
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        sync_subscriptions(session, settings, default_classifier().gazetteer)
        subscription = session.get(Subscription, subscription_id)
        if subscription is None:
            raise ConfigError(f"unknown subscription {subscription_id!r} (see `libya-monitor subscriptions list`)")
        key = digest_key(subscription.id, until)
        row = session.scalar(select(AlertOutbox).where(AlertOutbox.alert_key == key))
        if row is not None and row.state == "sent" and row.payload.get("chart_sent"):
            return {"key": key, "state": "already sent"}
        digest = build_digest(session, settings, subscription, until)
        if row is None:
            text, blocks = render_blocks(digest)
            now = utcnow()
            insert_ignore(
                session,
                AlertOutbox,
                [{"alert_key": key, "subscription_id": subscription.id, "kind": "digest", "channel": subscription.channel,
                  "state": "pending", "payload": {"text": text, "blocks": blocks}, "created_at": now, "updated_at": now}],
                keys=("alert_key",),
            )
    folder = settings.data_dir / "digests"
    stem = f"{digest.day.isoformat()}-{subscription_id}"
    chart = render_chart(digest, folder / f"{stem}.png")
    transport = make_transport(settings)
    if transport.name == "console":
        (folder / f"{stem}.md").write_text(render_markdown(digest) + f"\n![chart]({chart.name})\n", encoding="utf-8")
    deliver_key(engine, transport, key, on_failure=_ops_notice(settings, lambda _: None))
    with session_scope(engine) as session:
        row = session.scalar(select(AlertOutbox).where(AlertOutbox.alert_key == key))
        assert row is not None
        if row.state != "sent":
            raise DeliveryError(f"digest not delivered ({row.state}): {row.last_error}", alert_key=key, permanent=row.state == "failed")
        ts = row.slack_ts
    transport.upload(digest.channel, chart, title=f"Ceasefire-track articles per day to {digest.day.isoformat()}", thread_ts=ts)
    with session_scope(engine) as session:
        row = session.scalar(select(AlertOutbox).where(AlertOutbox.alert_key == key))
        assert row is not None
        row.payload = {**row.payload, "chart_sent": True}
    return {"key": key, "state": "sent", "developments": str(digest.total), "chart": str(chart)}
