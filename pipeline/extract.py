"""Article pages to title, body, date, author and language.

trafilatura finds the body; metadata comes from the page's own declarations (Open Graph,
`article:published_time`, JSON-LD, `<time>`, `<html lang>`), which carry times and zones that
trafilatura's date-only guess loses. Per-source CSS selectors override either when a site needs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import lxml.html
from lxml import etree

from pipeline.dates import parse_date
from pipeline.errors import ExtractionError
from pipeline.text.lang import detect_language

MIN_TEXT_CHARS = 80
DATE_META = (
    "article:published_time", "og:article:published_time", "datePublished", "pubdate",
    "publishdate", "publish-date", "date", "dc.date.issued", "dc.date", "dcterms.created",
    "parsely-pub-date", "sailthru.date", "article.published",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:•]\s+[^|\-–—:•]{2,60}$")


@dataclass(frozen=True)
class Selectors:
    """Per-source CSS overrides for pages where generic extraction fails."""

    title: str | None = None
    body: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class ExtractedArticle:
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    lang: str


def extract_article(
    html: str | bytes,
    url: str,
    *,
    selectors: Selectors | None = None,
    default_tz: str | None = None,
    lang_hint: str | None = None,
) -> ExtractedArticle:
    """Extract one article page; raises ExtractionError when it has no usable title or body."""
    tree = parse_html(html, url)
    selectors = selectors or Selectors()
    meta = _page_metadata(tree)
    title = _select_text(tree, selectors.title) or meta.get("title") or ""
    body = _select_text(tree, selectors.body, joiner="\n") if selectors.body else None
    if body is None:
        import trafilatura  # heavy: imported on the first page, not when a crawl starts

        document = trafilatura.bare_extraction(tree, url=url, fast=True, with_metadata=True)
        if document is not None and not isinstance(document, dict):
            title = title or (document.title or "")
            body = document.text or ""
            meta.setdefault("trafilatura_date", document.date or "")
            meta.setdefault("author", document.author or "")
    title = _clean_title(title)
    body = _drop_leading_title(body or "", title)
    if not title:
        raise ExtractionError("no title found", url=url)
    if len(body) < MIN_TEXT_CHARS:
        raise ExtractionError(f"body too short ({len(body)} characters)", url=url)
    date_text = _select_text(tree, selectors.date) if selectors.date else None
    published = (
        parse_date(date_text, default_tz)
        or parse_date(meta.get("date"), default_tz)
        or _date_from_markup(tree, default_tz)
        or parse_date(meta.get("trafilatura_date"), default_tz)
    )
    author = (_select_text(tree, selectors.author) if selectors.author else None) or meta.get("author")
    declared = (meta.get("lang") or "").split("-")[0].lower() or None
    lang = detect_language(f"{title}\n{body[:2000]}", hint=lang_hint or declared)
    return ExtractedArticle(title, body, _clean_author(author), published, lang)


def parse_html(html: str | bytes, url: str, *, error: Callable[..., Exception] = ExtractionError) -> Any:
    """An lxml tree of a page; `error(message, url=...)` when there is no HTML to parse."""
    if not html or not html.strip():
        raise error("empty page", url=url)
    try:
        tree = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise error(f"unparseable HTML: {exc}", url=url) from exc
    if tree is None:
        raise error("empty page", url=url)
    return tree


def _page_metadata(tree: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        value = (element.get("content") or "").strip()
        if not key or not value:
            continue
        if key in ("og:title", "twitter:title") and "title" not in meta:
            meta["title"] = value
        elif key in DATE_META and "date" not in meta:
            meta["date"] = value
        elif key in AUTHOR_META and "author" not in meta and not value.startswith("http"):
            meta["author"] = value
        elif key in ("og:locale", "content-language", "language") and "lang" not in meta:
            meta["lang"] = value.replace("_", "-")
    _json_ld(tree, meta)
    if "date" not in meta:
        for element in tree.iter("time"):
            if element.get("datetime"):
                meta["date"] = element.get("datetime")
                break
    if "title" not in meta:
        h1 = tree.find(".//h1")
        if h1 is not None and h1.text_content().strip():
            meta["title"] = h1.text_content().strip()
        else:
            title = tree.find(".//title")
            if title is not None and title.text:
                meta["title"] = title.text.strip()
    html_lang = tree.get("lang") or tree.get("xml:lang")
    if html_lang:
        meta["lang"] = html_lang
    return meta


def _json_ld(tree: Any, meta: dict[str, str]) -> None:
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for node in data if isinstance(data, list) else [data, *data.get("@graph", [])] if isinstance(data, dict) else []:
            if not isinstance(node, dict):
                continue
            if node.get("datePublished") and "date" not in meta:
                meta["date"] = str(node["datePublished"])
            if node.get("headline") and "title" not in meta:
                meta["title"] = str(node["headline"])
            author = node.get("author")
            if isinstance(author, list) and author:
                author = author[0]
            if isinstance(author, dict) and author.get("name") and "author" not in meta:
                meta["author"] = str(author["name"])
            elif isinstance(author, str) and "author" not in meta:
                meta["author"] = author


# Words of a class or id that mark a published date ("post-date", "entry-meta", "published");
# a word starting with one counts ("datetime"), but "updated" and "modified" dates do not.
_DATE_HINTS = ("date", "time", "publish", "pubdate", "posted", "byline", "meta", "تاريخ")
_NOT_PUBLISHED = ("update", "modif", "edit")
_MARKER_WORDS = re.compile(r"[^\W\d_]+")


def _date_from_markup(tree: Any, default_tz: str | None) -> Any:
    """A visible date in an element whose class or id says so ("post-date", "article-time"),
    in the page's own words (Arabic or French month names included)."""
    checked = 0
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        words = _MARKER_WORDS.findall(f"{element.get('class', '')} {element.get('id', '')}".lower())
        if not any(w.startswith(_DATE_HINTS) and not w.startswith(_NOT_PUBLISHED) for w in words):
            continue
        checked += 1
        found = parse_date(" ".join(element.text_content().split())[:200], default_tz)
        if found is not None or checked >= 12:
            return found
    return None


def _select_text(tree: Any, selector: str | None, joiner: str = " ") -> str | None:
    if not selector:
        return None
    try:
        elements = tree.cssselect(selector)
    except Exception:  # noqa: BLE001 - cssselect raises several error types for bad selectors
        return None
    parts = [" ".join(el.text_content().split()) for el in elements]
    text = joiner.join(p for p in parts if p)
    return text or None


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    stripped = _TITLE_SEPARATORS.sub("", title)
    return stripped if len(stripped) >= 10 else title


def _drop_leading_title(body: str, title: str) -> str:
    lines = body.strip().split("\n")
    if lines and title and " ".join(lines[0].split()) == title:
        lines = lines[1:]
    return "\n".join(line.strip() for line in lines if line.strip())


def _clean_author(author: str | None) -> str | None:
    if not author:
        return None
    author = " ".join(author.split())
    return author[:300] or None
