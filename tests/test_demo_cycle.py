"""End to end: what `make demo` does, with alerts going to a fake Slack Web API server."""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.db import get_engine, session_scope
from pipeline.demo.run import DEMO_SCRAPY_SETTINGS
from pipeline.demo.site import load_site
from pipeline.jobs import run_cycle
from pipeline.models import AlertOutbox, Article, Development, DevelopmentArticle, DevelopmentChange
from pipeline.urls import canonicalize_url
from tests.fakes.slack import FakeSlack

pytestmark = pytest.mark.slow
# Articles whose development the demo data labels separately but that the monitor records as an
# escalation of another (a truce agreed to end the clashes it follows).
ESCALATION_OF = {"tripoli-truce": "tripoli-clashes"}


def _slack_settings(settings: Settings, slack: FakeSlack) -> Settings:
    return settings.with_changes(
        slack_bot_token="xoxb-test", slack_base_url=slack.base_url, slack_channel="C-ALERTS"
    )


def _expected_groups(base_url: str) -> dict[str, str]:
    """canonical article URL -> expected development key (after escalations)."""
    expected = {}
    for article in load_site().articles:
        key = article.expect.development
        if key:
            url = canonicalize_url(f"{base_url}/{article.source}/{article.slug}.html")
            expected[url] = ESCALATION_OF.get(key, key)
    return expected


def _run_twice_and_check(settings: Settings, slack: FakeSlack, base_url: str) -> None:
    first = run_cycle(settings, scrapy_settings=DEMO_SCRAPY_SETTINGS)
    site = load_site()
    assert first.crawl.new == len(site.articles)
    assert not first.delivery.failed

    engine = get_engine(settings.database_url)
    expected = _expected_groups(base_url)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Article.canonical_url, DevelopmentArticle.development_id).join(
                DevelopmentArticle, DevelopmentArticle.article_id == Article.id
            )
        ).all()
        developments = session.scalar(select(func.count()).select_from(Development))
        changes = session.scalars(select(DevelopmentChange)).all()
    grouped = {url: dev for url, dev in rows}
    assert set(grouped) == set(expected), "exactly the development articles are grouped"
    by_key: dict[str, set[int]] = defaultdict(set)
    for url, key in expected.items():
        by_key[key].add(grouped[url])
    assert all(len(ids) == 1 for ids in by_key.values()), f"one development per story: {dict(by_key)}"
    assert len({next(iter(ids)) for ids in by_key.values()}) == len(by_key) == developments
    assert [(c.from_type, c.to_type) for c in changes] == [("violation_or_clashes", "agreement")]

    posts = slack.posts("C-ALERTS")
    assert len(posts) == developments, "exactly one chat.postMessage per new development"
    assert all(p["metadata"]["event_payload"]["alert_key"].endswith(":new") for p in posts)
    everything = json.dumps(posts, ensure_ascii=False)
    assert "Gaza" not in everything and "غزة" not in everything
    for text in _texts(posts):
        assert re.findall(r"<(?!https?://)", text) == [], f"unescaped '<' in {text!r}"
    assert "<!channel>" not in everything

    second = run_cycle(settings, scrapy_settings=DEMO_SCRAPY_SETTINGS)
    assert second.crawl.new == 0
    assert second.labelling.classified == 0 and second.plan.total == 0
    assert len(slack.posts()) == developments, "a second run sends nothing"
    with session_scope(engine) as session:
        states = set(session.scalars(select(AlertOutbox.state)))
    assert states == {"sent"}


def _texts(value: object) -> list[str]:
    """Every string Slack would render: message text and all text fields of the blocks."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k in ("text", "blocks", "elements", "fields") or isinstance(v, (list, dict)) for t in _texts(v)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def test_demo_cycle_alerts_each_development_once(demo_settings: Settings, demo_site, fake_slack: FakeSlack) -> None:
    _run_twice_and_check(_slack_settings(demo_settings, fake_slack), fake_slack, demo_site.base_url)


@pytest.mark.postgres
def test_demo_cycle_on_postgresql(demo_settings: Settings, demo_site, fake_slack: FakeSlack, postgres_url: str) -> None:
    settings = _slack_settings(demo_settings, fake_slack).with_changes(database_url=postgres_url)
    _run_twice_and_check(settings, fake_slack, demo_site.base_url)


def test_demo_without_slack_prints_and_logs(demo_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    messages: list[str] = []
    report = run_cycle(demo_settings, scrapy_settings=DEMO_SCRAPY_SETTINGS, progress=messages.append)
    assert report.transport == "console"
    assert sum("Slack is not configured" in m for m in messages) == 1
    logged = [json.loads(line) for line in demo_settings.alerts_log.read_text(encoding="utf-8").splitlines()]
    assert len(logged) == len(report.delivery.sent) > 0
    assert "[console]" in capsys.readouterr().out
