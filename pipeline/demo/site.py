"""The bundled demo news site: articles written by us (`site/articles.yaml`), rendered as the
article pages, RSS 2.0 and Atom feeds of four fictional outlets, plus the catalogue that points
the monitor at them.

Publication times are offsets from the moment the site is built, so the demo always looks fresh.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape as xml_escape

import yaml
from pydantic import BaseModel, ConfigDict, Field

from pipeline.datafiles import load_model
from pipeline.demo.server import Page, SiteServer
from pipeline.models import utcnow

SITE_FILE = Path(__file__).parent / "site" / "articles.yaml"
LIBYA_OFFSET = "+02:00"
_OFFSET = re.compile(r"^-(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


class DemoSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    lang: Literal["ar", "en", "fr"]
    feed: Literal["rss", "atom"]
    provenance: str


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    is_libya: bool
    event_type: str
    development: str | None


class DemoArticle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    author: str | None = None
    published: str = Field(pattern=_OFFSET.pattern)
    summary: str
    body: str
    lang: Literal["ar", "en", "fr"] | None = None
    expect: Expectation

    def age(self) -> timedelta:
        match = _OFFSET.match(self.published)
        assert match
        days, hours, minutes = (int(g or 0) for g in match.groups())
        return timedelta(days=days, hours=hours, minutes=minutes)


class DemoSite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: list[DemoSource]
    articles: list[DemoArticle]

    def source(self, source_id: str) -> DemoSource:
        return next(s for s in self.sources if s.id == source_id)

    def language(self, article: DemoArticle) -> str:
        return article.lang or self.source(article.source).lang


def load_site(path: Path = SITE_FILE) -> DemoSite:
    return load_model(DemoSite, path)


def article_path(article: DemoArticle) -> str:
    return f"/{article.source}/{article.slug}.html"


def feed_path(source: DemoSource) -> str:
    return f"/{source.id}/{'atom' if source.feed == 'atom' else 'rss'}.xml"


def serve_site(server: SiteServer, site: DemoSite, now: datetime | None = None) -> None:
    """Register the whole demo site on `server`."""
    now = now or utcnow()
    server.add("/robots.txt", Page(b"User-agent: *\nAllow: /\n", "text/plain"))
    server.add("/", Page(render_home(site).encode(), "text/html; charset=utf-8"))
    for article in site.articles:
        html = render_article(site, article, now - article.age())
        server.add(article_path(article), Page(html.encode("utf-8")))
    for source in site.sources:
        items = sorted((a for a in site.articles if a.source == source.id), key=lambda a: a.age())
        render = render_atom if source.feed == "atom" else render_rss
        body = render(site, source, items, server.base_url, now)
        content_type = "application/atom+xml" if source.feed == "atom" else "application/rss+xml"
        server.add(feed_path(source), Page(body.encode("utf-8"), f"{content_type}; charset=utf-8"))


def catalogue_yaml(site: DemoSite, base_url: str) -> str:
    """A source catalogue for the demo site (same format as `pipeline/data/sources.yaml`)."""
    sources = [
        {
            "id": source.id,
            "name": source.name,
            "homepage": f"{base_url}/",
            "kind": "feed",
            "urls": [f"{base_url}{feed_path(source)}"],
            "langs": sorted({site.language(a) for a in site.articles if a.source == source.id}),
            "country": "LY",
            "provenance": source.provenance,
            "timezone": "Africa/Tripoli",
            "verified": True,
            "evidence": "bundled demo site",
            "backfill_days": 7,
        }
        for source in site.sources
    ]
    return yaml.safe_dump({"version": "demo", "sources": sources}, allow_unicode=True, sort_keys=False)


def _local_iso(moment: datetime) -> str:
    return (moment + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + LIBYA_OFFSET


def _paragraphs(body: str) -> list[str]:
    return [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]


def render_article(site: DemoSite, article: DemoArticle, published: datetime) -> str:
    source = site.source(article.source)
    lang = site.language(article)
    direction = "rtl" if lang == "ar" else "ltr"
    byline = f'<p class="byline">{escape(article.author)}</p>' if article.author else ""
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in _paragraphs(article.body))
    author_meta = f'<meta name="author" content="{escape(article.author)}">' if article.author else ""
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<title>{escape(article.title)} | {escape(source.name)}</title>
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:site_name" content="{escape(source.name)}">
<meta property="article:published_time" content="{_local_iso(published)}">
{author_meta}
</head>
<body>
<header><nav><a href="/">{escape(source.name)}</a> · <a href="/{source.id}/">Libya</a> · <a href="/">World</a> · <a href="/">Economy</a></nav></header>
<main>
<article>
<h1>{escape(article.title)}</h1>
{byline}
<time datetime="{_local_iso(published)}">{published:%Y-%m-%d %H:%M} UTC</time>
{paragraphs}
</article>
<aside><h2>Most read</h2><ul><li><a href="/">Weather: sandstorm warning for the south</a></li><li><a href="/">Football league fixtures announced</a></li></ul></aside>
</main>
<footer><p>© {escape(source.name)} — demo site bundled with libya-monitor. All content fictional.</p></footer>
</body>
</html>
"""


def render_rss(site: DemoSite, source: DemoSource, articles: list[DemoArticle], base: str, now: datetime) -> str:
    items = []
    for article in articles:
        link = f"{base}{article_path(article)}"
        if source.id == "demo_benghazi_daily":
            link += "?utm_source=rss&utm_medium=feed"  # as many outlets do: canonicalisation drops it
        author = f"<author>{xml_escape(article.author)}</author>" if article.author else ""
        items.append(
            f"""<item><title>{xml_escape(article.title)}</title><link>{xml_escape(link)}</link>
<guid isPermaLink="false">{source.id}-{article.slug}</guid><pubDate>{format_datetime(now - article.age())}</pubDate>
{author}<description>{xml_escape(article.summary)}</description></item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{xml_escape(source.name)}</title><link>{base}/{source.id}/</link>
<description>{xml_escape(source.name)} — latest news</description><language>{source.lang}</language>
{"".join(items)}
</channel></rss>
"""


def render_atom(site: DemoSite, source: DemoSource, articles: list[DemoArticle], base: str, now: datetime) -> str:
    entries = []
    for article in articles:
        link = f"{base}{article_path(article)}"
        moment = (now - article.age()).strftime("%Y-%m-%dT%H:%M:%SZ")
        author = f"<author><name>{xml_escape(article.author)}</name></author>" if article.author else ""
        entries.append(
            f"""<entry><title>{xml_escape(article.title)}</title><link rel="alternate" href="{xml_escape(link)}"/>
<id>tag:demo,{source.id}:{article.slug}</id><published>{moment}</published><updated>{moment}</updated>
{author}<summary>{xml_escape(article.summary)}</summary></entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{xml_escape(source.name)}</title>
<id>tag:demo,{source.id}</id><updated>{now.strftime("%Y-%m-%dT%H:%M:%SZ")}</updated>
<link rel="self" href="{base}{feed_path(source)}"/>
{"".join(entries)}
</feed>
"""


def render_home(site: DemoSite) -> str:
    links = "".join(f'<li><a href="{feed_path(s)}">{escape(s.name)}</a></li>' for s in site.sources)
    return f"<!doctype html><html><body><h1>libya-monitor demo site</h1><ul>{links}</ul></body></html>"
