"""Planning alerts into the outbox: one row per (subscription, development, kind).

Keys make planning idempotent:
- `sub:dev<ID>:new` — the first alert of a development for a subscription;
- `sub:dev<ID>:update:<last article id>` — one batched threaded reply per cycle at most, listing
  the coverage added since the previous alert ("also reported by"), broadcast to the channel
  when the development escalated or gained a source of a new provenance.
Work is chosen by state: developments whose articles are not all covered by a row yet. Old news
never alerts: a development first seen before `max_age` is stored but not announced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.alerts.messages import (
    ArticleView,
    DevelopmentView,
    followup_message,
    new_development_message,
)
from pipeline.alerts.subscriptions import qualifies, quiet_until
from pipeline.db import insert_ignore
from pipeline.models import (
    AlertOutbox,
    Article,
    Development,
    DevelopmentArticle,
    DevelopmentChange,
    Entity,
    EntityMention,
    Label,
    Source,
    Subscription,
    utcnow,
)

DEFAULT_MAX_AGE = timedelta(hours=72)


@dataclass
class PlanReport:
    new: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.new) + len(self.updates)


def new_key(subscription_id: str, development_id: int) -> str:
    return f"{subscription_id}:dev{development_id}:new"


def plan_alerts(
    session: Session,
    subscriptions: Sequence[Subscription],
    classifier_version: str,
    *,
    now: datetime | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> PlanReport:
    now = now or utcnow()
    report = PlanReport()
    developments = list(
        session.scalars(select(Development).where(Development.last_seen_at >= now - max_age).order_by(Development.id))
    )
    for development in developments:
        articles = _articles(session, development.id)
        for subscription in subscriptions:
            rows = list(
                session.scalars(
                    select(AlertOutbox).where(
                        AlertOutbox.subscription_id == subscription.id,
                        AlertOutbox.development_id == development.id,
                    )
                )
            )
            if not rows:
                if development.first_seen_at < now - max_age or not qualifies(subscription, development):
                    continue
                key = _plan_new(session, subscription, development, articles, classifier_version, now)
                if key:
                    report.new.append(key)
            else:
                key = _plan_update(session, subscription, development, articles, rows, now)
                if key:
                    report.updates.append(key)
    return report


def _articles(session: Session, development_id: int) -> list[tuple[Article, Source]]:
    return list(
        session.execute(
            select(Article, Source)
            .join(DevelopmentArticle, DevelopmentArticle.article_id == Article.id)
            .join(Source, Source.id == Article.source_id)
            .where(DevelopmentArticle.development_id == development_id)
            .order_by(Article.published_at, Article.id)
        )
    )


def _view(article: Article, source: Source, lang: str | None = None) -> ArticleView:
    return ArticleView(
        title=article.title, url=article.url, source_name=source.name, provenance=source.provenance,
        published_at=article.published_at, lang=lang or article.lang or "",
    )


def _plan_new(
    session: Session,
    subscription: Subscription,
    development: Development,
    articles: list[tuple[Article, Source]],
    version: str,
    now: datetime,
) -> str | None:
    if not articles:
        return None
    lead_article, lead_source = _lead(session, articles, development.event_type, version)
    label = session.scalar(
        select(Label).where(Label.article_id == lead_article.id, Label.classifier_version == version)
    )
    sentence, terms = _evidence_sentence(lead_article, label)
    view = DevelopmentView(
        id=development.id,
        event_type=development.event_type,
        lead=_view(lead_article, lead_source, label.lang if label else None),
        evidence_sentence=sentence,
        evidence_terms=terms,
        entities=_entity_names(session, lead_article.id, version),
        confidence=development.confidence,
        source_count=development.independent_sources,
    )
    text, blocks = new_development_message(view)
    key = new_key(subscription.id, development.id)
    _insert(session, key, subscription, development, "new", text, blocks, None, False,
            [a.id for a, _ in articles], development.event_type, now)
    return key


def _plan_update(
    session: Session,
    subscription: Subscription,
    development: Development,
    articles: list[tuple[Article, Source]],
    rows: list[AlertOutbox],
    now: datetime,
) -> str | None:
    parent = next((r for r in rows if r.kind == "new"), None)
    if parent is None:
        return None
    covered = {aid for r in rows for aid in r.payload.get("article_ids", [])}
    fresh = [(a, s) for a, s in articles if a.id not in covered]
    announced_type = rows[-1].payload.get("event_type", parent.payload.get("event_type"))
    if not fresh and announced_type == development.event_type:
        return None
    known_provenance = {
        s.provenance for a, s in articles if a.id in covered
    }
    new_provenance = any(s.provenance not in known_provenance for _, s in fresh)
    escalated_from = None
    if announced_type != development.event_type:
        change = session.scalar(
            select(DevelopmentChange)
            .where(DevelopmentChange.development_id == development.id)
            .order_by(DevelopmentChange.id.desc())
            .limit(1)
        )
        escalated_from = change.from_type if change else announced_type
    views = [_view(a, s) for a, s in fresh] or [_view(*articles[-1])]
    text, blocks = followup_message(development.event_type, views, escalated_from=escalated_from)
    last_id = max((a.id for a, _ in fresh), default=max(a.id for a, _ in articles))
    key = f"{subscription.id}:dev{development.id}:update:{last_id}:{development.event_type}"
    broadcast = bool(escalated_from) or new_provenance
    _insert(session, key, subscription, development, "update", text, blocks, parent.alert_key, broadcast,
            [a.id for a, _ in fresh], development.event_type, now)
    return key


def _insert(
    session: Session,
    key: str,
    subscription: Subscription,
    development: Development,
    kind: str,
    text: str,
    blocks: list[dict[str, Any]],
    parent_key: str | None,
    broadcast: bool,
    article_ids: list[int],
    event_type: str,
    now: datetime,
) -> None:
    insert_ignore(
        session,
        AlertOutbox,
        [
            {
                "alert_key": key,
                "subscription_id": subscription.id,
                "development_id": development.id,
                "kind": kind,
                "channel": subscription.channel,
                "parent_key": parent_key,
                "state": "pending",
                "payload": {
                    "text": text, "blocks": blocks, "broadcast": broadcast,
                    "article_ids": article_ids, "event_type": event_type,
                },
                "not_before": quiet_until(subscription.quiet_hours, now),
                "created_at": now,
                "updated_at": now,
            }
        ],
        keys=("alert_key",),
    )


def _lead(
    session: Session, articles: list[tuple[Article, Source]], event_type: str, version: str
) -> tuple[Article, Source]:
    """The article an alert leads with: the earliest original (not a syndicated copy) that
    reports the development's current event type."""
    originals = [(a, s) for a, s in articles if a.duplicate_of_id is None] or articles
    types = {
        article_id: event
        for article_id, event in session.execute(
            select(Label.article_id, Label.event_type).where(
                Label.article_id.in_([a.id for a, _ in originals]), Label.classifier_version == version
            )
        )
    }
    current = [(a, s) for a, s in originals if types.get(a.id) == event_type]
    return (current or originals)[0]


def _evidence_sentence(article: Article, label: Label | None) -> tuple[str, list[str]]:
    """The sentence holding the event evidence, and the matched terms in it."""
    if label is None:
        return "", []
    spans = [e for e in label.evidence if str(e.get("label", "")).startswith("event:")]
    if not spans:
        return "", []
    full = f"{article.title}\n{article.text}"
    start = min(e["start"] for e in spans)
    end = max(e["end"] for e in spans)
    if start < len(article.title):
        # The title carries the event: quote the lead sentence, which usually restates it.
        body_end = _sentence_end(full, len(article.title) + 1)
        return full[len(article.title) + 1 : body_end], [e["text"] for e in spans]
    begin = max(full.rfind(mark, 0, start) for mark in (". ", "\n", "؟ ", "! ")) + 1
    finish = _sentence_end(full, end)
    return full[begin:finish].strip(), [e["text"] for e in spans]


def _sentence_end(text: str, start: int) -> int:
    ends = [i for i in (text.find(m, start) for m in (". ", ".\n", "\n", "؟")) if i != -1]
    return (min(ends) + 1) if ends else min(len(text), start + 600)


def _entity_names(session: Session, article_id: int, version: str) -> list[str]:
    rows = session.execute(
        select(Entity.name, EntityMention.count)
        .join(EntityMention, EntityMention.entity_id == Entity.id)
        .where(EntityMention.article_id == article_id, EntityMention.classifier_version == version)
        .order_by(EntityMention.count.desc(), Entity.name)
    )
    return [name for name, _ in rows][:8]
