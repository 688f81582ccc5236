"""Delivering the outbox: pending -> sending -> sent | failed, exactly once.

Every state change is committed before the next step, so a crash can only leave a row in
`sending`. Such a row, or any row already attempted, is first looked up in the channel (message
metadata carries the alert key) and only re-posted when Slack has no trace of it. Threaded
replies wait until their parent is sent. Transient errors leave the row pending for the next
attempt; permanent ones fail it with a message meant for a person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, or_, select

from pipeline.alerts.transports import Transport
from pipeline.db import session_scope
from pipeline.errors import DeliveryError
from pipeline.models import AlertOutbox, utcnow

MAX_ATTEMPTS = 5


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    retry_later: list[tuple[str, str]] = field(default_factory=list)
    held: int = 0


def deliver_pending(
    engine: Engine,
    transport: Transport,
    *,
    now: datetime | None = None,
    on_failure: Callable[[AlertOutbox, str], None] | None = None,
) -> DeliveryReport:
    now = now or utcnow()
    report = DeliveryReport()
    with session_scope(engine) as session:
        ids = list(
            session.scalars(
                select(AlertOutbox.id)
                .where(
                    AlertOutbox.state.in_(("pending", "sending")),
                    AlertOutbox.transport.is_(None) | (AlertOutbox.transport == transport.name),
                    AlertOutbox.kind != "digest",  # a message and its chart: `send_digest` delivers both
                )
                .order_by(AlertOutbox.id)
            )
        )
        report.held = session.scalar(
            select(AlertOutbox.id).where(AlertOutbox.state == "pending", AlertOutbox.not_before > now).limit(1)
        ) is not None
    for row_id in ids:
        _deliver_one(engine, transport, row_id, now, report, on_failure)
    return report


def deliver_key(
    engine: Engine,
    transport: Transport,
    alert_key: str,
    *,
    on_failure: Callable[[AlertOutbox, str], None] | None = None,
) -> DeliveryReport:
    """Deliver one outbox row now, by the same exactly-once path as `deliver_pending`."""
    report = DeliveryReport()
    with session_scope(engine) as session:
        row_id = session.scalar(select(AlertOutbox.id).where(AlertOutbox.alert_key == alert_key))
    if row_id is not None:
        _deliver_one(engine, transport, row_id, utcnow(), report, on_failure)
    return report


def _deliver_one(
    engine: Engine,
    transport: Transport,
    row_id: int,
    now: datetime,
    report: DeliveryReport,
    on_failure: Callable[[AlertOutbox, str], None] | None,
) -> None:
    with session_scope(engine) as session:
        row = session.get(AlertOutbox, row_id)
        if row is None or row.state not in ("pending", "sending"):
            return
        if row.not_before and row.not_before > now:
            return  # quiet hours: released by a later run
        thread_ts = None
        if row.parent_key:
            parent = session.scalar(select(AlertOutbox).where(AlertOutbox.alert_key == row.parent_key))
            if parent is None or parent.state != "sent":
                return  # a reply waits for its parent
            thread_ts = parent.slack_ts
        attempted = row.state == "sending" or row.attempts > 0
        key, channel, payload = row.alert_key, row.channel, dict(row.payload)
    try:
        if attempted:
            found = transport.find_posted(channel, key, thread_ts=thread_ts)
            if found:
                _finish(engine, row_id, "sent", ts=found, thread_ts=thread_ts, transport=transport.name)
                report.recovered.append(key)
                return
        _mark_sending(engine, row_id, transport.name)
        posted = transport.post(
            channel, payload["text"], payload["blocks"], alert_key=key,
            thread_ts=thread_ts, broadcast=bool(payload.get("broadcast")),
        )
    except DeliveryError as exc:
        _failed_attempt(engine, row_id, exc, report, on_failure)
        return
    _finish(engine, row_id, "sent", ts=posted.ts, thread_ts=thread_ts, transport=transport.name)
    report.sent.append(key)


def _mark_sending(engine: Engine, row_id: int, transport: str) -> None:
    with session_scope(engine) as session:
        row = session.get(AlertOutbox, row_id)
        assert row is not None
        row.state = "sending"
        row.attempts += 1
        row.transport = transport
        row.updated_at = utcnow()


def _finish(engine: Engine, row_id: int, state: str, *, ts: str, thread_ts: str | None, transport: str) -> None:
    with session_scope(engine) as session:
        row = session.get(AlertOutbox, row_id)
        assert row is not None
        row.state = state
        row.slack_ts = ts
        row.thread_ts = thread_ts
        row.transport = transport
        row.sent_at = utcnow()
        row.last_error = None
        row.updated_at = utcnow()


def _failed_attempt(
    engine: Engine,
    row_id: int,
    error: DeliveryError,
    report: DeliveryReport,
    on_failure: Callable[[AlertOutbox, str], None] | None,
) -> None:
    with session_scope(engine) as session:
        row = session.get(AlertOutbox, row_id)
        assert row is not None
        row.last_error = str(error)
        row.updated_at = utcnow()
        if error.permanent or row.attempts >= MAX_ATTEMPTS:
            row.state = "failed"
            report.failed.append((row.alert_key, str(error)))
            if on_failure:
                on_failure(row, str(error))
        else:
            # The post may or may not have reached Slack: stay in `sending` so that the next
            # attempt looks in the channel before posting again.
            row.state = "sending" if row.state == "sending" else "pending"
            report.retry_later.append((row.alert_key, str(error)))


def outbox_rows(engine: Engine, *, states: tuple[str, ...] | None = None, limit: int = 50) -> list[AlertOutbox]:
    with session_scope(engine) as session:
        query = select(AlertOutbox).order_by(AlertOutbox.id.desc()).limit(limit)
        if states:
            query = query.where(or_(*(AlertOutbox.state == s for s in states)))
        return list(session.scalars(query))
