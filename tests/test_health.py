"""Source health flags and the ops notices they raise, once per episode."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from pipeline.catalogue import load_catalogue
from pipeline.config import Settings
from pipeline.crawlruns import sync_sources
from pipeline.db import ensure_schema, session_scope
from pipeline.health import plan_health_notices, source_health
from pipeline.models import AlertOutbox, CrawlRun, utcnow
from tests.helpers import write_catalogue


def _runs(session, source: str, statuses: list[tuple[str, int]], start_hours_ago: int) -> None:  # type: ignore[no-untyped-def]
    now = utcnow()
    for i, (status, new) in enumerate(statuses):
        at = now - timedelta(hours=start_hours_ago - i)
        errors = [{"url": "https://x/feed", "error": "HTTP 503", "kind": "listing_failed"}] if status == "error" else []
        session.add(CrawlRun(source_id=source, cycle_id=f"c{i}", started_at=at, finished_at=at, status=status, articles_new=new, errors=errors))


def test_flags_and_notices(settings: Settings) -> None:
    settings = write_catalogue(settings, [
        {"id": "healthy", "urls": ["https://a.example/feed"]},
        {"id": "broken", "urls": ["https://b.example/feed"], "failures_flag": 3},
        {"id": "quiet", "urls": ["https://c.example/feed"], "silent_after_hours": 24},
        {"id": "fresh", "urls": ["https://d.example/feed"]},
    ])
    catalogue = load_catalogue(settings.sources_path)
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        sync_sources(session, catalogue.sources)
        _runs(session, "healthy", [("ok", 3), ("not_modified", 0), ("ok", 1)], 10)
        _runs(session, "broken", [("ok", 2), ("error", 0), ("error", 0), ("error", 0)], 10)
        _runs(session, "quiet", [("ok", 5)] + [("ok", 0)] * 5, 60)
    with session_scope(engine) as session:
        health = {h.source_id: h for h in source_health(session, catalogue)}
    assert health["healthy"].flags == [] and health["healthy"].new_7d == 4
    assert health["broken"].flags == ["failing"] and health["broken"].last_error == "HTTP 503"
    assert health["quiet"].flags == ["silent"]
    assert health["fresh"].flags == ["never_ran"]
    for _ in range(2):
        with session_scope(engine) as session:
            plan_health_notices(session, catalogue, "C-OPS")
    with session_scope(engine) as session:
        keys = sorted(session.scalars(select(AlertOutbox.alert_key).where(AlertOutbox.kind == "ops")))
    assert [k.split(":")[2:4] for k in keys] == [["broken", "failing"], ["quiet", "silent"]], "one notice per episode"


def _ops_keys(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return sorted(session.scalars(select(AlertOutbox.alert_key).where(AlertOutbox.kind == "ops")))


def test_long_episodes_keep_their_start_and_notify_once(settings: Settings, database_url: str) -> None:
    """A failure streak or a silent spell longer than any window of recent runs is still one
    episode; a new streak after a recovery is a new one."""
    settings = write_catalogue(settings.with_changes(database_url=database_url), [
        {"id": "dead", "urls": ["https://a.example/feed"], "failures_flag": 3},
        {"id": "weekly", "urls": ["https://b.example/feed"], "silent_after_hours": 120},
    ])
    catalogue = load_catalogue(settings.sources_path)
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        sync_sources(session, catalogue.sources)
        _runs(session, "dead", [("ok", 1)] + [("error", 0)] * 700, 702)
        _runs(session, "weekly", [("ok", 0)] * 240, 241)  # ten days without a new article
    with session_scope(engine) as session:
        health = {h.source_id: h for h in source_health(session, catalogue)}
        plan_health_notices(session, catalogue, "C-OPS")
    assert health["dead"].consecutive_failures == 700 and health["dead"].runs_7d == 166  # hours 2 to 167 ago
    assert health["weekly"].flags == ["silent"]
    first = _ops_keys(engine)
    assert [k.split(":")[2:4] for k in first] == [["dead", "failing"], ["dead", "silent"], ["weekly", "silent"]]
    with session_scope(engine) as session:  # one more run of each: the same episodes
        _runs(session, "dead", [("error", 0)], 0)
        _runs(session, "weekly", [("ok", 0)], 0)
    with session_scope(engine) as session:
        plan_health_notices(session, catalogue, "C-OPS")
    assert _ops_keys(engine) == first
    with session_scope(engine) as session:  # recovers, then fails again: a second episode
        _runs(session, "dead", [("ok", 1), ("error", 0), ("error", 0), ("error", 0)], 0)
    with session_scope(engine) as session:
        plan_health_notices(session, catalogue, "C-OPS")
    assert len([k for k in _ops_keys(engine) if ":dead:failing:" in k]) == 2


def test_notices_need_somewhere_to_go(settings: Settings) -> None:
    """With Slack but no ops channel, no notice is queued for a channel that does not exist;
    without Slack they go to the console."""
    from pipeline.jobs import plan_health

    settings = write_catalogue(settings, [{"id": "never", "urls": ["https://a.example/feed"], "failures_flag": 1}])
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        sync_sources(session, load_catalogue(settings.sources_path).sources)
        _runs(session, "never", [("error", 0)], 1)
    assert plan_health(settings.with_changes(slack_bot_token="xoxb-test")) == []
    assert plan_health(settings) and {r.channel for r in _ops_rows(engine)} == {"console"}
    assert plan_health(settings.with_changes(slack_bot_token="xoxb-test", ops_channel="C-OPS")) == []  # same episode


def _ops_rows(engine) -> list[AlertOutbox]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return list(session.scalars(select(AlertOutbox).where(AlertOutbox.kind == "ops")))
