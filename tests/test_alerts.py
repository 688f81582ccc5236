"""Developments and Slack delivery that subscribers can trust, against a fake Slack Web API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline.alerts.delivery import deliver_pending
from pipeline.alerts.transports import SlackTransport
from pipeline.catalogue import load_catalogue
from pipeline.cli import app
from pipeline.config import Settings
from pipeline.crawlruns import sync_sources
from pipeline.dates import LIBYA_TZ, zone
from pipeline.db import ensure_schema, session_scope
from pipeline.digest import send_digest
from pipeline.errors import DeliveryError
from pipeline.ingest import ArticleRecord, store_article
from pipeline.jobs import classify_new, deliver_alerts, group_new, plan_new_alerts
from pipeline.models import AlertOutbox, Development, utcnow
from tests.fakes.slack import FakeSlack
from tests.helpers import write_catalogue

OUTLETS = [
    ("tripoli_wire", "libyan_west", "en"),
    ("alwasit", "libyan_independent", "ar"),
    ("benghazi_daily", "libyan_east", "en"),
    ("sahel_ar", "international", "ar"),
    ("un_news_en", "un_official", "en"),
]
SWAP = {
    "tripoli_wire": ("Rival forces swap detainees in Zawiya", "Rival Libyan forces exchanged twelve detainees in Zawiya on Sunday in a deal mediated by elders, the Red Crescent said."),
    "alwasit": ("تبادل المحتجزين في الزاوية", "جرت اليوم في مدينة الزاوية عملية تبادل للمحتجزين بين قوات من الشرق والغرب بوساطة الأعيان وبإشراف الهلال الأحمر الليبي."),
    "benghazi_daily": ("Twelve men freed in Zawiya exchange", "Twelve detainees held by rival armed forces were released in an exchange in Zawiya, western Libya, mediated by tribal elders."),
    "sahel_ar": ("الإفراج عن محتجزين في عملية تبادل بالزاوية", "أفرجت قوات ليبية متنافسة عن اثني عشر محتجزا في عملية تبادل جرت في مدينة الزاوية غرب ليبيا برعاية الحكماء."),
    "un_news_en": ("UN notes detainee exchange in Zawiya", "A detainee exchange took place in Zawiya, Libya, on Sunday, with twelve people released by the rival sides, the UN mission said."),
}


def _settings(settings: Settings, slack: FakeSlack | None = None, subscriptions: list[dict] | None = None, ops: str | None = None) -> Settings:
    settings = write_catalogue(settings, [
        {"id": source, "name": source.replace("_", " ").title(), "urls": [f"https://{source}.example/feed"],
         "provenance": provenance, "langs": [lang]}
        for source, provenance, lang in OUTLETS
    ])
    if subscriptions is not None:
        path = settings.data_dir / "subscriptions.yaml"
        path.write_text(yaml.safe_dump({"subscriptions": subscriptions}, allow_unicode=True), encoding="utf-8")
        settings = settings.with_changes(subscriptions_path=path)
    if slack is not None:
        settings = settings.with_changes(slack_bot_token="xoxb-test", slack_base_url=slack.base_url, slack_channel="C-ALERTS", ops_channel=ops)
    return settings


def _store(settings: Settings, items: Iterable[tuple[str, str, str]], when: datetime | None = None) -> None:
    """(source, title, text) articles straight into storage, then classify and group them."""
    engine = ensure_schema(settings.database_url)
    when = when or utcnow() - timedelta(hours=1)
    with session_scope(engine) as session:
        sync_sources(session, load_catalogue(settings.sources_path).sources)
        for number, (source, title, text) in enumerate(items):
            store_article(session, ArticleRecord(
                url=f"https://{source}.example/{abs(hash(title)) % 10**8}", source_id=source, title=title,
                text=f"{text} {text}", published_at=when + timedelta(minutes=number),
            ))
    classify_new(settings)
    group_new(settings)


def _slack(slack: FakeSlack, **kwargs: object) -> SlackTransport:
    return SlackTransport("xoxb-test", slack.base_url, sleep=lambda _: None, **kwargs)  # type: ignore[arg-type]


def _cycle(settings: Settings, transport: SlackTransport):  # type: ignore[no-untyped-def]
    plan_new_alerts(settings)
    return deliver_alerts(settings, transport)


def test_five_outlets_two_languages_one_alert_one_threaded_follow_up(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    transport = _slack(fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"]), ("alwasit", *SWAP["alwasit"])])
    _cycle(settings, transport)
    _store(settings, [(s, *SWAP[s]) for s in ("benghazi_daily", "sahel_ar", "un_news_en")], when=utcnow() - timedelta(minutes=20))
    _cycle(settings, transport)
    _cycle(settings, transport)  # nothing new: nothing more
    posts = fake_slack.posts("C-ALERTS")
    assert len(posts) == 2
    first, follow_up = posts
    assert first["thread_ts"] is None and "Prisoner / detainee exchange" in first["text"]
    assert follow_up["thread_ts"] == first["ts"] and follow_up["text"].startswith("Also reported by")
    assert follow_up["reply_broadcast"], "new provenances (east, UN) corroborate: broadcast"
    for name in ("Benghazi Daily", "Sahel Ar", "Un News En"):
        assert name in follow_up["text"]
    with session_scope(ensure_schema(settings.database_url)) as session:
        [development] = session.scalars(select(Development)).all()
        assert development.independent_sources == 5 and set(development.langs) == {"ar", "en"}


class Crash(BaseException):
    """The process dies between Slack's reply and our commit."""


class CrashAfterPost:
    def __init__(self, inner: SlackTransport) -> None:
        self.inner, self.name = inner, inner.name

    def post(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.inner.post(*args, **kwargs)
        raise Crash

    def find_posted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return self.inner.find_posted(*args, **kwargs)


def test_crash_between_post_and_commit_posts_once(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    plan_new_alerts(settings)
    engine = ensure_schema(settings.database_url)
    with pytest.raises(Crash):
        deliver_pending(engine, CrashAfterPost(_slack(fake_slack)))  # type: ignore[arg-type]
    with session_scope(engine) as session:
        assert session.scalar(select(AlertOutbox.state)) == "sending"
    report = deliver_pending(engine, _slack(fake_slack))
    assert report.recovered and not report.sent
    assert len(fake_slack.posts()) == 1
    assert fake_slack.calls_to("conversations.history"), "the channel was checked before re-posting"
    with session_scope(engine) as session:
        row = session.scalars(select(AlertOutbox)).one()
        assert (row.state, row.slack_ts) == ("sent", fake_slack.posts()[0]["ts"])


def test_hostile_title_arrives_escaped(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    title = "Clashes in Tripoli <!channel> <@U123> <https://evil.example|click> & more"
    _store(settings, [("tripoli_wire", title, "Heavy clashes erupted between armed groups in Tripoli's Ain Zara district overnight, residents said. <!here>")])
    _cycle(settings, _slack(fake_slack))
    [post] = fake_slack.posts()
    rendered = json.dumps({"text": post["text"], "blocks": post["blocks"]}, ensure_ascii=False)
    for raw in ("<!channel>", "<@U123>", "<https://evil.example|click>", "<!here>"):
        assert raw not in rendered
    assert "&lt;!channel&gt;" in rendered and "&lt;@U123&gt;" in rendered and "&amp; more" in rendered


def test_rate_limits_and_server_errors_are_retried(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    fake_slack.fail_next("chat.postMessage", "ratelimit", 1)
    fake_slack.fail_next("chat.postMessage", "server_error", 500)
    report = _cycle(settings, _slack(fake_slack))
    assert len(report.sent) == 1 and len(fake_slack.posts()) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


def test_hanging_slack_times_out_and_is_not_posted_twice(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    fake_slack.fail_next("chat.postMessage", "hang", 3)
    impatient = SlackTransport("xoxb-test", fake_slack.base_url, timeout=1, sleep=lambda _: None)
    impatient.client.retry_handlers = []  # the post may still land: exactly the case to guard
    first = _cycle(settings, impatient)
    assert not first.sent and first.retry_later
    import time

    time.sleep(3.5)  # the fake finishes handling the hung request: the message exists
    second = deliver_alerts(settings, _slack(fake_slack))
    assert second.recovered and len(fake_slack.posts()) == 1


def test_permanent_error_fails_one_channel_and_spares_the_others(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack, subscriptions=[
        {"id": "gone", "channel": "C-GONE"},
        {"id": "works", "channel": "#libya-ceasefire"},
    ], ops="C-OPS")
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    report = _cycle(settings, _slack(fake_slack))
    assert [key.split(":")[0] for key, _ in report.failed] == ["gone"]
    assert "channel_not_found" in report.failed[0][1] and "check the subscription" in report.failed[0][1]
    assert len(fake_slack.posts("#libya-ceasefire")) == 1
    assert any("C-GONE" in p["text"] for p in fake_slack.posts("C-OPS")), "the ops channel hears about it"
    again = _cycle(settings, _slack(fake_slack))
    assert not again.failed and not again.sent, "a failed row is not retried blindly"
    result = CliRunner().invoke(app, ["alerts", "--state", "failed"], env={"LIBYA_MONITOR_DATABASE_URL": settings.database_url})
    assert "failed" in result.output and "channel_not_found" in result.output


def test_quiet_hours_hold_alerts_and_release_them_after(settings: Settings, fake_slack: FakeSlack) -> None:
    now = utcnow()
    local = now.astimezone(zone(LIBYA_TZ))
    start, end = (local - timedelta(hours=1)).strftime("%H:%M"), (local + timedelta(hours=1)).strftime("%H:%M")
    settings = _settings(settings, fake_slack, subscriptions=[{"id": "night", "channel": "C-ALERTS", "quiet_hours": f"{start}-{end}"}])
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    plan_new_alerts(settings)
    engine = ensure_schema(settings.database_url)
    held = deliver_pending(engine, _slack(fake_slack), now=now)
    assert not held.sent and fake_slack.posts() == []
    released = deliver_pending(engine, _slack(fake_slack), now=now + timedelta(hours=1, minutes=5))
    assert len(released.sent) == 1 and len(fake_slack.posts()) == 1


def test_one_message_per_second_per_channel() -> None:
    clock = [100.0]
    slept: list[float] = []

    class Client:
        def chat_postMessage(self, **_: object) -> dict:
            return {"ts": "1.0"}

    transport = SlackTransport("t", "http://x/", client=Client(), clock=lambda: clock[0], sleep=slept.append)  # type: ignore[arg-type]
    transport.post("C1", "a", [], alert_key="k1")
    clock[0] += 0.3
    transport.post("C1", "b", [], alert_key="k2")
    transport.post("C2", "c", [], alert_key="k3")
    assert slept == [pytest.approx(0.7)]


def test_escalation_is_a_broadcast_reply(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    transport = _slack(fake_slack)
    _store(settings, [("tripoli_wire", "Clashes erupt in Tripoli's Ain Zara", "Heavy clashes erupted between armed groups in Ain Zara, in southern Tripoli, residents said.")],
           when=utcnow() - timedelta(hours=5))
    _cycle(settings, transport)
    _store(settings, [("alwasit", "اتفاق على وقف إطلاق النار في عين زارة", "أعلن المجلس البلدي التوصل إلى اتفاق على وقف إطلاق النار في منطقة عين زارة جنوب طرابلس بعد الاشتباكات.")],
           when=utcnow() - timedelta(hours=1))
    _cycle(settings, transport)
    first, update = fake_slack.posts()
    assert update["thread_ts"] == first["ts"] and update["reply_broadcast"]
    assert "Escalation" in json.dumps(update["blocks"], ensure_ascii=False)


def test_a_channel_given_by_name_survives_a_retry(settings: Settings, fake_slack: FakeSlack) -> None:
    """Slack's history API takes only channel IDs: a retried alert to "#name" looks the ID up
    before checking whether it was posted, instead of failing for good."""
    settings = _settings(settings, fake_slack, subscriptions=[{"id": "named", "channel": "#libya-ceasefire"}])
    transport = _slack(fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    fake_slack.fail_next("chat.postMessage", "error", "internal_error")
    first = _cycle(settings, transport)
    assert first.retry_later and not first.sent
    second = _cycle(settings, transport)
    assert second.sent and not second.failed
    assert len(fake_slack.posts("#libya-ceasefire")) == 1 and fake_slack.calls_to("conversations.list")


def test_digest_posts_text_and_one_png(settings: Settings, fake_slack: FakeSlack) -> None:
    settings = _settings(settings, fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    result = send_digest(settings, "default")
    assert result["state"] == "sent"
    [post] = [p for p in fake_slack.posts() if ":digest:" in p["metadata"]["event_payload"]["alert_key"]]
    assert "Prisoner / detainee exchange" in json.dumps(post["blocks"], ensure_ascii=False)
    assert "Rival forces swap detainees in Zawiya" in json.dumps(post["blocks"], ensure_ascii=False)
    assert len(fake_slack.state.files) == 1 and next(iter(fake_slack.state.uploads.values())).startswith(b"\x89PNG")
    assert send_digest(settings, "default")["state"] == "already sent"
    assert len(fake_slack.state.files) == 1


def test_digest_is_delivered_by_the_digest_alone_message_then_chart(settings: Settings, fake_slack: FakeSlack) -> None:
    """A digest that failed half-way is finished by the next digest run: the alert step never
    posts it (it would go without its chart, or twice), and a failed upload is retried."""
    settings = _settings(settings, fake_slack)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    _cycle(settings, _slack(fake_slack))

    def digest_posts() -> list[dict]:  # type: ignore[type-arg]
        return [p for p in fake_slack.posts() if ":digest:" in p["metadata"]["event_payload"]["alert_key"]]

    fake_slack.fail_next("chat.postMessage", "error", "internal_error")
    with pytest.raises(DeliveryError):
        send_digest(settings, "default")
    _cycle(settings, _slack(fake_slack))
    assert digest_posts() == [], "the alert step leaves digests alone"
    fake_slack.fail_next("files.getUploadURLExternal", "error", "internal_error")
    with pytest.raises(DeliveryError):
        send_digest(settings, "default")
    assert len(digest_posts()) == 1 and not fake_slack.state.files
    assert send_digest(settings, "default")["state"] == "sent"
    assert send_digest(settings, "default")["state"] == "already sent"
    [post] = digest_posts()
    assert len(fake_slack.state.files) == 1
    assert fake_slack.calls_to("files.completeUploadExternal")[-1].params.get("thread_ts") == post["ts"]


def test_digest_without_slack_writes_markdown_and_png(settings: Settings) -> None:
    settings = _settings(settings)
    _store(settings, [("tripoli_wire", *SWAP["tripoli_wire"])])
    send_digest(settings, "default")
    [markdown] = list((settings.data_dir / "digests").glob("*.md"))
    text = markdown.read_text(encoding="utf-8")
    assert "Rival forces swap detainees in Zawiya" in text and "## Prisoner / detainee exchange" in text
    assert Path(markdown.with_suffix(".png")).read_bytes().startswith(b"\x89PNG")
