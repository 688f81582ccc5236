from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from pipeline.alerts.messages import (
    HEADER_LIMIT,
    ArticleView,
    DevelopmentView,
    escape,
    fit,
    followup_message,
    new_development_message,
)

EVIL = "Clashes <!channel> <@U123> <https://evil.example|click> & more"


def _view(title: str = EVIL, sentence: str = EVIL, url: str = "https://example.ly/a?x=1&y=2") -> DevelopmentView:
    article = ArticleView(title, url, "Tripoli <Wire>", "libyan_west", datetime(2026, 11, 28, 10, tzinfo=UTC), "en")
    return DevelopmentView(1, "violation_or_clashes", article, sentence, ["Clashes"], ["Tripoli", "<Radaa>"], 0.8, 2)


def _all_text(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def test_escape_order() -> None:
    assert escape("a & <b> &amp;") == "a &amp; &lt;b&gt; &amp;amp;"


def test_web_strings_cannot_ping_or_disguise_links() -> None:
    text, blocks = new_development_message(_view())
    rendered = text + _all_text(blocks)
    for raw in ("<!channel>", "<@U123>", "<https://evil.example|click>", "<Radaa>", "<Wire>"):
        assert raw not in rendered
    assert "&lt;!channel&gt;" in rendered and "&lt;@U123&gt;" in rendered


@pytest.mark.parametrize("limit", [10, 20, 150])
def test_fit_never_cuts_an_escape(limit: int) -> None:
    for text in ("&" * 200, "<" * 200, "a&b<c>" * 50, "وقف إطلاق النار & " * 30):
        out = fit(text, limit)
        assert len(out) <= limit
        body = out.removesuffix("…")
        assert not body.endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))


def test_limits_hold_for_long_arabic_titles() -> None:
    title = "اتفاق على وقف إطلاق النار في عين زارة وصلاح الدين " * 20
    text, blocks = new_development_message(_view(title=title, sentence=title * 10))
    header = blocks[0]["text"]["text"]
    assert len(header) <= HEADER_LIMIT and header.endswith("…")
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert len(blocks) <= 50 and len(text) <= 3000
    assert "اتفاق على وقف إطلاق النار" in header  # Arabic is kept as written


def test_evidence_terms_in_bold() -> None:
    _, blocks = new_development_message(_view(sentence="Heavy clashes erupted in Ain Zara.", title="Clashes"))
    section = next(b for b in blocks if b["type"] == "section")
    assert "*clashes*" in section["text"]["text"].lower()


def test_link_button_only_for_http_urls() -> None:
    _, blocks = new_development_message(_view(url="javascript:alert(1)"))
    assert not any(b["type"] == "actions" for b in blocks)
    _, blocks = new_development_message(_view())
    assert any(b["type"] == "actions" for b in blocks)


def test_followup_lists_sources_and_marks_escalation() -> None:
    articles = [ArticleView(EVIL, "https://example.ly/b", "Al-Wasit <x>", "libyan_independent", None, "ar")]
    text, blocks = followup_message("agreement", articles, escalated_from="violation_or_clashes")
    rendered = text + _all_text(blocks)
    assert "Escalation" in rendered and "Al-Wasit &lt;x&gt;" in rendered
    assert "<!channel>" not in rendered and "<https://example.ly/b|" in rendered
