"""Google News sitemaps and sitemap indexes (parsed with lxml: Scrapy's SitemapSpider keeps
only direct children of <url> and loses news:title and news:publication_date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from lxml import etree

from pipeline.dates import parse_date
from pipeline.feeds import FeedEntry, FeedError

_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_LENIENT = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


@dataclass(frozen=True)
class Sitemap:
    entries: list[FeedEntry]
    children: list[tuple[str, datetime | None]]  # (sitemap URL, lastmod) of a sitemap index

    def recent_children(self, cutoff: datetime) -> list[str]:
        """Child sitemaps not older than `cutoff`, newest first (undated ones last): indexes
        often list the oldest first."""
        recent = [(url, lastmod) for url, lastmod in self.children if lastmod is None or lastmod >= cutoff]
        recent.sort(key=lambda child: (child[1] is not None, child[1] or cutoff), reverse=True)
        return [url for url, _ in recent]


def parse_sitemap(body: bytes, url: str, *, default_tz: str | None = None) -> Sitemap:
    if not body.strip():
        raise FeedError("empty sitemap", url=url)
    try:
        root = etree.fromstring(body, parser=_STRICT)
    except etree.XMLSyntaxError as exc:
        # A sitemap broken near its end still lists what came before; an unreadable one is an error.
        root = etree.fromstring(body, parser=_LENIENT)
        recovered = _read(root, url, default_tz) if root is not None else None
        if recovered is None or not (recovered.entries or recovered.children):
            raise FeedError(f"malformed sitemap: {exc}", url=url) from exc
        return recovered
    if root is None:
        raise FeedError("malformed sitemap: no XML root", url=url)
    result = _read(root, url, default_tz)
    if result is None:
        raise FeedError(f"not a sitemap (root element <{etree.QName(root).localname}>)", url=url)
    return result


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    """Child elements by local name: some sites omit the sitemap namespace."""
    return [child for child in node if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _text(node: etree._Element, name: str) -> str | None:
    found = _children(node, name)
    return (found[0].text or "").strip() or None if found else None


def _read(root: etree._Element, url: str, default_tz: str | None) -> Sitemap | None:
    tag = etree.QName(root).localname
    if tag == "sitemapindex":
        children = [
            (urljoin(url, loc), parse_date(_text(node, "lastmod"), default_tz))
            for node in _children(root, "sitemap")
            if (loc := _text(node, "loc"))
        ]
        return Sitemap([], children)
    if tag != "urlset":
        return None
    entries = []
    for node in _children(root, "url"):
        loc = _text(node, "loc")
        if not loc:
            continue
        news_nodes = _children(node, "news")
        news = news_nodes[0] if news_nodes else None
        title = (_text(news, "title") if news is not None else None) or ""
        published = (_text(news, "publication_date") if news is not None else None) or _text(node, "lastmod")
        entries.append(
            FeedEntry(
                url=urljoin(url, loc.strip()),
                title=" ".join(title.split()),
                summary="",
                published_at=parse_date(published, default_tz),
                author=None,
            )
        )
    return Sitemap(entries, [])
