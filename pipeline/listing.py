"""HTML listing pages: article links by a per-source CSS selector, and the next page."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from pipeline.extract import parse_html
from pipeline.feeds import FeedEntry, FeedError


@dataclass(frozen=True)
class Listing:
    entries: list[FeedEntry]
    next_page: str | None


def parse_listing(body: bytes | str, url: str, *, article_links: str, next_page: str | None = None) -> Listing:
    """Links matched by `article_links` (anchors, or elements containing one), same site only.
    Raises FeedError when the page has no HTML or the selector matches nothing — a site that
    changed its markup must not look like a quiet day."""
    tree = parse_html(body, url, error=FeedError)
    try:
        matched = tree.cssselect(article_links)
    except Exception as exc:
        raise FeedError(f"bad selector {article_links!r}: {exc}", url=url) from exc
    host = urlsplit(url).hostname
    entries, seen = [], set()
    for element in matched:
        anchor = element if element.tag == "a" else element.find(".//a")
        href = anchor.get("href") if anchor is not None else None
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        link = urldefrag(urljoin(url, href.strip())).url
        if urlsplit(link).hostname != host or link in seen:
            continue
        seen.add(link)
        title = " ".join((anchor.text_content() if anchor is not None else "").split())
        entries.append(FeedEntry(url=link, title=title, summary="", published_at=None, author=None))
    if not entries:
        raise FeedError(f"selector {article_links!r} matched no article links (has the site changed?)", url=url)
    following = None
    if next_page:
        found = tree.cssselect(next_page)
        href = found[0].get("href") if found else None
        following = urljoin(url, href) if href else None
    return Listing(entries, following)
