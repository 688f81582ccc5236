"""Slack messages for developments: Block Kit with a plain-text fallback.

Every string that comes from the web is truncated to Slack's limits and then escaped (&, <, >,
in that order), so no article can mention @channel, a user, or disguise a link; truncation never
cuts an escape sequence in half. Matched terms of the evidence sentence are shown in bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.catalogue import PROVENANCE_LABELS
from pipeline.dates import LIBYA_TZ, zone

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
FALLBACK_LIMIT = 3000
BUTTON_TEXT_LIMIT = 75
URL_LIMIT = 3000
MAX_BLOCKS = 50
ELLIPSIS = "…"
EVENT_LABELS = {
    "agreement": "Ceasefire / truce agreement",
    "meeting_talks": "Security talks / JMC meeting",
    "withdrawal_foreign_forces": "Foreign forces movement",
    "monitoring_mechanism": "Ceasefire monitoring / joint force",
    "prisoner_exchange": "Prisoner / detainee exchange",
    "road_or_airport_reopening": "Road, airport or crossing",
    "violation_or_clashes": "Clashes / truce violation",
    "un_security_council": "UN Security Council decision",
    "statement_only": "Statement",
}
EVENT_EMOJI = {
    "agreement": ":dove_of_peace:",
    "meeting_talks": ":handshake:",
    "withdrawal_foreign_forces": ":arrow_right:",
    "monitoring_mechanism": ":eyes:",
    "prisoner_exchange": ":left_right_arrow:",
    "road_or_airport_reopening": ":motorway:",
    "violation_or_clashes": ":warning:",
    "un_security_council": ":classical_building:",
}


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """`text` escaped, cut (at a character, never inside an escape) to at most `limit` chars."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    out: list[str] = []
    used = 0
    for char in text:
        piece = escape(char)
        if used + len(piece) > limit - len(ELLIPSIS):
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def bold_terms(sentence: str, terms: list[str], limit: int) -> str:
    """The sentence escaped and fitted, with each matched term wrapped in *bold*."""
    body = fit(sentence, limit - 2 * len(terms) - 2)
    for term in sorted({t for t in terms if t.strip()}, key=len, reverse=True):
        escaped = escape(term.strip())
        pattern = rf"(?<![*\w]){re.escape(escaped)}(?![*\w])"
        body = re.sub(pattern, lambda m: f"*{m.group(0)}*", body, count=1, flags=re.IGNORECASE)
    return body


def libya_time(moment: datetime | None) -> str:
    if moment is None:
        return "time unknown"
    return moment.astimezone(zone(LIBYA_TZ)).strftime("%d %b %Y %H:%M") + " Libya time"


@dataclass(frozen=True)
class ArticleView:
    """What a message shows of one article."""

    title: str
    url: str
    source_name: str
    provenance: str
    published_at: datetime | None
    lang: str


@dataclass(frozen=True)
class DevelopmentView:
    id: int
    event_type: str
    lead: ArticleView
    evidence_sentence: str = ""
    evidence_terms: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    confidence: float = 0.0
    source_count: int = 1


def _context(article: ArticleView) -> dict[str, Any]:
    provenance = PROVENANCE_LABELS.get(article.provenance, article.provenance)
    text = f"{fit(article.source_name, 200)} · {provenance} · {libya_time(article.published_at)}"
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:CONTEXT_LIMIT]}]}


def _button(article: ArticleView) -> dict[str, Any] | None:
    if not article.url.startswith(("http://", "https://")) or len(article.url) > URL_LIMIT:
        return None
    label = "Read article" if article.lang != "ar" else "Read article (Arabic)"
    return {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": label[:BUTTON_TEXT_LIMIT]}, "url": article.url}
        ],
    }


def _linkable(url: str) -> bool:
    return url.startswith(("http://", "https://")) and not any(c in url for c in "|<> ") and len(url) <= URL_LIMIT


def new_development_message(view: DevelopmentView) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for the first alert of a development."""
    label = EVENT_LABELS.get(view.event_type, view.event_type)
    emoji = EVENT_EMOJI.get(view.event_type, ":newspaper:")
    prefix = f"{emoji} {label}: "
    header = prefix + fit(view.lead.title, HEADER_LIMIT - len(prefix))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        _context(view.lead),
    ]
    if view.evidence_sentence:
        quote = bold_terms(view.evidence_sentence, view.evidence_terms, SECTION_LIMIT - 2)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"> {quote}"}})
    details = []
    if view.entities:
        details.append("*Key entities:* " + fit(" · ".join(view.entities[:8]), 1000))
    details.append(f"*Confidence:* {view.confidence:.0%} · *Sources:* {view.source_count}")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "\n".join(details)}]})
    button = _button(view.lead)
    if button:
        blocks.append(button)
    fallback = f"[{label}] {fit(view.lead.title, 500)} — {fit(view.lead.source_name, 100)}"
    if view.lead.url:
        fallback += f" {view.lead.url[:URL_LIMIT]}"
    return fallback[:FALLBACK_LIMIT], blocks[:MAX_BLOCKS]


def followup_message(
    event_type: str, articles: list[ArticleView], *, escalated_from: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) for a threaded "also reported by" reply, or an escalation."""
    blocks: list[dict[str, Any]] = []
    if escalated_from:
        old = EVENT_LABELS.get(escalated_from, escalated_from)
        new = EVENT_LABELS.get(event_type, event_type)
        headline = f":rotating_light: Escalation: {old} → {new}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{escape(headline)}*"}})
    lines = []
    for article in articles[:20]:
        provenance = PROVENANCE_LABELS.get(article.provenance, article.provenance)
        title = fit(article.title, 300)
        link = f"<{escape(article.url)}|{title}>" if _linkable(article.url) else title
        lines.append(f"• *{fit(article.source_name, 120)}* ({provenance}): {link}")
    more = len(articles) - 20
    if more > 0:
        lines.append(f"…and {more} more")
    text = "*Also reported by:*\n" + "\n".join(lines)
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}})
    names = ", ".join(dict.fromkeys(a.source_name for a in articles))
    fallback = ("Escalation. " if escalated_from else "") + f"Also reported by: {fit(names, 1000)}"
    return fallback[:FALLBACK_LIMIT], blocks[:MAX_BLOCKS]
