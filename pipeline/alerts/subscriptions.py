"""Subscriptions: who gets which developments, in which Slack channel.

Defined in a YAML file (`LIBYA_MONITOR_SUBSCRIPTIONS`) and/or from the CLI, stored in the
database. Without a file, one default subscription sends every ceasefire development to
`LIBYA_MONITOR_SLACK_CHANNEL`.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.classify.gazetteer import Gazetteer
from pipeline.classify.rules import DEVELOPMENT_TYPES
from pipeline.config import Settings
from pipeline.datafiles import load_model
from pipeline.dates import LIBYA_TZ, zone
from pipeline.db import upsert
from pipeline.errors import ConfigError
from pipeline.models import Development, Subscription, utcnow
from pipeline.text.normalize import normalize_phrase

DEFAULT_ID = "default"
CONSOLE_CHANNEL = "console"
_QUIET = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$")


class SubscriptionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,99}$")
    channel: str = Field(min_length=1, max_length=100)
    event_types: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    langs: list[str] = Field(default_factory=list)
    min_confidence: float = Field(default=0.0, ge=0, le=1)
    min_sources: int = Field(default=1, ge=1, le=50)
    quiet_hours: str | None = None
    enabled: bool = True

    @field_validator("event_types")
    @classmethod
    def _known_events(cls, values: list[str]) -> list[str]:
        unknown = sorted(set(values) - set(DEVELOPMENT_TYPES))
        if unknown:
            raise ValueError(f"unknown event types {unknown}; choose from {list(DEVELOPMENT_TYPES)}")
        return values

    @field_validator("langs")
    @classmethod
    def _known_langs(cls, values: list[str]) -> list[str]:
        unknown = sorted(set(values) - {"ar", "en", "fr"})
        if unknown:
            raise ValueError(f"unknown languages {unknown}; choose from ar, en, fr")
        return values

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_format(cls, value: str | None) -> str | None:
        if value is not None and not _QUIET.match(value.strip()):
            raise ValueError("quiet_hours must look like 22:00-07:00 (Libya time)")
        return value.strip() if value else None


class SubscriptionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    subscriptions: list[SubscriptionSpec]


def load_subscriptions(path: Path) -> list[SubscriptionSpec]:
    specs = load_model(SubscriptionsFile, path).subscriptions
    ids = [s.id for s in specs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"duplicate subscription ids {duplicates}", path=str(path))
    return specs


def default_subscription(settings: Settings) -> SubscriptionSpec:
    return SubscriptionSpec(id=DEFAULT_ID, channel=settings.slack_channel or CONSOLE_CHANNEL)


def resolve_entities(names: list[str], gazetteer: Gazetteer) -> list[str]:
    """Entity ids for names in any language or ids; unknown names are an error."""
    index: dict[str, str] = {}
    for entity in gazetteer.entities:
        index[entity.entity_id.lower()] = entity.entity_id
        for _, name in entity.surface_forms():
            index.setdefault(normalize_phrase(name), entity.entity_id)
    resolved, unknown = [], []
    for name in names:
        entity_id = index.get(name.lower()) or index.get(normalize_phrase(name))
        (resolved.append(entity_id) if entity_id else unknown.append(name))
    if unknown:
        raise ConfigError(f"unknown entities {unknown}: use a name from the gazetteer or a Wikidata id")
    return resolved


def to_row(spec: SubscriptionSpec, gazetteer: Gazetteer, origin: str) -> dict[str, object]:
    return {
        "id": spec.id,
        "channel": spec.channel,
        "event_types": list(spec.event_types),
        "topics": list(spec.topics),
        "entity_ids": resolve_entities(spec.entities, gazetteer),
        "langs": list(spec.langs),
        "min_confidence": spec.min_confidence,
        "min_sources": spec.min_sources,
        "quiet_hours": spec.quiet_hours,
        "origin": origin,
        "enabled": spec.enabled,
        "created_at": utcnow(),
    }


def sync_subscriptions(session: Session, settings: Settings, gazetteer: Gazetteer) -> list[Subscription]:
    """Make the database match the configuration; returns the enabled subscriptions.

    File subscriptions are upserted and those removed from the file are disabled. Without a
    file, the default subscription is kept in step with the channel setting. Subscriptions
    added from the CLI are left alone.
    """
    if settings.subscriptions_path:
        specs, origin = load_subscriptions(settings.subscriptions_path), "yaml"
    else:
        specs, origin = [default_subscription(settings)], "default"
    rows = [to_row(spec, gazetteer, origin) for spec in specs]
    upsert(
        session, Subscription, rows, keys=("id",),
        update=("channel", "event_types", "topics", "entity_ids", "langs", "min_confidence",
                "min_sources", "quiet_hours", "origin", "enabled"),
    )
    keep = {spec.id for spec in specs}
    for stale in session.scalars(select(Subscription).where(Subscription.origin.in_(("yaml", "default")))):
        if stale.id not in keep:
            stale.enabled = False
    session.flush()
    return list(session.scalars(select(Subscription).where(Subscription.enabled.is_(True)).order_by(Subscription.id)))


def matches(subscription: Subscription, development: Development) -> bool:
    """Whether a development passes the subscription's filters (an empty filter passes all)."""
    return (
        development.event_type in (subscription.event_types or DEVELOPMENT_TYPES)
        and _overlaps(subscription.topics, development.topics)
        and _overlaps(subscription.entity_ids, development.entity_ids)
        and _overlaps(subscription.langs, development.langs)
    )


def _overlaps(wanted: list[str], present: list[str]) -> bool:
    return not wanted or bool(set(wanted) & set(present))


def held_back(subscription: Subscription, development: Development) -> str | None:
    """Why a matching development is not alerted yet (too few sources, too little confidence)."""
    if development.independent_sources < subscription.min_sources:
        return f"{development.independent_sources} source(s) < {subscription.min_sources}"
    if development.confidence < subscription.min_confidence:
        return f"confidence {development.confidence:.2f} < {subscription.min_confidence}"
    return None


def qualifies(subscription: Subscription, development: Development) -> bool:
    """Matches, and is corroborated and confident enough for this subscription."""
    return matches(subscription, development) and held_back(subscription, development) is None


def quiet_until(quiet_hours: str | None, now: datetime) -> datetime | None:
    """When `now` (aware) falls in the quiet hours (Libya time), the moment they end."""
    if not quiet_hours:
        return None
    match = _QUIET.match(quiet_hours)
    if not match:
        return None
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    local = now.astimezone(zone(LIBYA_TZ))
    today_end = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    clock = local.time()
    if start <= end:
        inside = start <= clock < end
        release = today_end
    else:  # spans midnight, e.g. 22:00-07:00
        inside = clock >= start or clock < end
        release = today_end if clock < end else today_end + timedelta(days=1)
    return release if inside else None
