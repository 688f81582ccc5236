"""Public news APIs: GDELT DOC 2.0 article lists and ReliefWeb reports."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline.dates import parse_date
from pipeline.feeds import FeedEntry, FeedError


def _json(body: bytes, url: str) -> Any:
    if not body.strip():
        raise FeedError("empty API response", url=url)
    try:
        return json.loads(body)
    except ValueError as exc:
        snippet = body[:120].decode("utf-8", "replace").strip()
        raise FeedError(f"API did not return JSON ({snippet!r})", url=url) from exc


def parse_gdelt(body: bytes, url: str) -> list[FeedEntry]:
    """GDELT DOC 2.0 `mode=artlist&format=json`: at most 250 articles, newest first."""
    data = _json(body, url)
    if not isinstance(data, dict):
        raise FeedError("unexpected GDELT response", url=url)
    entries = []
    for item in data.get("articles") or []:
        link = item.get("url") if isinstance(item, dict) else None
        if not link:
            continue
        published = parse_date(item.get("seendate"))  # "20261129T081500Z"
        entries.append(FeedEntry(url=link, title=" ".join((item.get("title") or "").split()), summary="", published_at=published, author=None))
    return entries


@dataclass(frozen=True)
class ReliefWebReport:
    url: str
    title: str
    text: str
    published_at: datetime | None
    lang: str | None
    source: str | None


def parse_reliefweb(body: bytes, url: str) -> list[ReliefWebReport]:
    """ReliefWeb API `reports` with fields title, body, url_alias/url, date.created, language."""
    data = _json(body, url)
    if not isinstance(data, dict) or "data" not in data:
        message = data.get("error", {}).get("message") if isinstance(data, dict) and isinstance(data.get("error"), dict) else None
        raise FeedError(f"unexpected ReliefWeb response{': ' + message if message else ''}", url=url)
    reports = []
    for item in data["data"]:
        fields = item.get("fields") or {}
        link = fields.get("url_alias") or fields.get("url") or item.get("href")
        if not link:
            continue
        languages = fields.get("language") or []
        code = languages[0].get("code") if languages and isinstance(languages[0], dict) else None
        sources = fields.get("source") or []
        reports.append(
            ReliefWebReport(
                url=link,
                title=" ".join((fields.get("title") or "").split()),
                text=(fields.get("body") or "").strip(),
                published_at=parse_date((fields.get("date") or {}).get("created")),
                lang=code,
                source=sources[0].get("name") if sources and isinstance(sources[0], dict) else None,
            )
        )
    return reports
