"""Whole crawls of every spider kind against a local server, with the faults real sites have."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from sqlalchemy import select

from pipeline.catalogue import load_catalogue
from pipeline.config import Settings
from pipeline.db import get_engine, session_scope
from pipeline.demo.server import Page, SiteServer
from pipeline.health import source_health
from pipeline.jobs import crawl_sources, new_cycle_id
from pipeline.models import Article, ArticleUrl
from tests.helpers import CLASHES_PAGE, FAST_CRAWL, article_page, rss, site_fixture, write_catalogue

pytestmark = pytest.mark.slow
def _redirect(location: str):  # type: ignore[no-untyped-def]
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(301)
        request.send_header("Location", location)
        request.send_header("Content-Length", "0")
        request.end_headers()

    return handler


class RateLimited:
    """Answers 429 with Retry-After: 1 the first time, then the page."""

    def __init__(self, page: Page) -> None:
        self.page, self.calls = page, 0

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        self.calls += 1
        if self.calls == 1:
            request.send_response(429)
            request.send_header("Retry-After", "1")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Type", self.page.content_type)
        request.send_header("Content-Length", str(len(self.page.body)))
        request.end_headers()
        request.wfile.write(self.page.body)


@pytest.fixture
def site() -> Iterator[SiteServer]:
    server = SiteServer()
    base = server.base_url
    story = article_page(*CLASHES_PAGE).encode()
    server.add("/robots.txt", Page(b"User-agent: *\nDisallow: /private/\n", "text/plain"))
    # feed: a normal article, a redirect, a robots-denied page, an oversize page
    server.add("/feed.xml", Page(rss([
        ("Clashes", f"{base}/a/1.html?utm_source=rss"),
        ("Moved", f"{base}/old/2.html"),
        ("Secret", f"{base}/private/3.html"),
        ("Huge", f"{base}/a/huge.html"),
    ]), "application/rss+xml"))
    server.add("/a/1.html", Page(story))
    server.add("/old/2.html", _redirect(f"{base}/new/2.html"))
    server.add("/new/2.html", Page(article_page("Prisoners exchanged in Zawiya", ["Rival Libyan forces exchanged twelve detainees in Zawiya on Sunday, elders said.", "The Red Crescent supervised the handover."]).encode()))
    server.add("/private/3.html", Page(story))
    server.add("/a/huge.html", Page(b"<html><body>" + b"<p>x</p>" * 200_000 + b"</body></html>"))
    # sitemap index -> news sitemap -> a legacy Arabic page sent with a wrong charset header
    server.add("/sitemap.xml", Page(site_fixture("sitemap_index.xml", base), "application/xml"))
    server.add("/news-sitemap.xml", Page(
        f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
        <url><loc>{base}/ar/legacy.html</loc><news:news><news:title>انسحاب المرتزقة</news:title><news:publication_date>2026-11-28T10:00:00+02:00</news:publication_date></news:news></url>
        <url><loc>{base}/ar/empty.html</loc><news:news><news:title>فارغ</news:title></news:news></url></urlset>""".encode(), "application/xml"))
    server.add("/ar/legacy.html", Page(site_fixture("legacy_cp1256.html", base), "text/html; charset=utf-8"))
    server.add("/ar/empty.html", Page(b"<html><body></body></html>"))
    server.add("/broken-sitemap.xml", Page(b"<?xml version=''1.0''?><urlset><<<>>> \x00", "application/xml"))
    # listing pages: one that works, one whose markup changed
    server.add("/section/libya", Page(site_fixture("listing_page.html", base)))
    server.add("/news/libya/7001", Page(story))
    server.add("/news/libya/7000", Page(article_page("Ras Jedir crossing reopens", ["The Ras Jedir border crossing between Libya and Tunisia reopened on Thursday after a three-week closure for security reasons."]).encode()))
    server.add("/section/changed", Page(site_fixture("listing_page.html", base).replace(b"article-item", b"story-card")))
    # GDELT: rate limited once, then an article list
    server.add("/api/v2/doc/doc", RateLimited(Page(site_fixture("gdelt_artlist.json", base), "application/json")))
    server.add("/world/libya-clashes-tripoli", Page(story))
    server.add("/world/libya-oil", Page(article_page("Libya oil output steady", ["Libya's oil production held steady at 1.3 million barrels per day, the National Oil Corporation said on Friday."]).encode()))
    # ReliefWeb: reports carry their own text
    server.add("/v2/reports", Page(site_fixture("reliefweb_reports.json", base), "application/json"))
    server.add("/report/libya/sitrep", Page(article_page("Libya: Situation report", ["Displacement continues after clashes in Zawiya, humanitarian partners said, with roads to the west of the city closed at night."]).encode()))
    with server:
        yield server


def _catalogue(settings: Settings, base: str) -> Settings:
    return write_catalogue(settings, [
        {"id": "feed_src", "urls": [f"{base}/feed.xml"]},
        {"id": "sitemap_src", "kind": "sitemap", "urls": [f"{base}/sitemap.xml"], "langs": ["ar"], "backfill_days": 365},
        {"id": "broken_sitemap", "kind": "sitemap", "urls": [f"{base}/broken-sitemap.xml"]},
        {"id": "listing_src", "kind": "listing", "urls": [f"{base}/section/libya"], "langs": ["ar"], "listing": {"article_links": ".article-item a"}},
        {"id": "changed_listing", "kind": "listing", "urls": [f"{base}/section/changed"], "failures_flag": 2, "listing": {"article_links": ".article-item a"}},
        {"id": "gdelt_src", "kind": "gdelt", "urls": [f"{base}/api/v2/doc/doc?query=libya&mode=artlist&format=json"]},
        {"id": "reliefweb_src", "kind": "reliefweb", "urls": [f"{base}/v2/reports?appname=test"], "backfill_days": 30},
    ])


def test_every_kind_crawls_and_every_fault_is_counted(settings: Settings, site: SiteServer) -> None:
    settings = _catalogue(settings, site.base_url)
    sources = load_catalogue(settings.sources_path).sources
    report = crawl_sources(settings, sources, new_cycle_id(), scrapy_settings=(*FAST_CRAWL, "DOWNLOAD_MAXSIZE=500000"))
    runs = {s.source_id: s for s in report.sources}

    feed = runs["feed_src"]
    # The feed, the listing and GDELT lead to the same story, crawled concurrently: whichever
    # stores it first has it as new, the others as a duplicate.
    assert (feed.status, feed.items_found, feed.new + feed.duplicate) == ("ok", 4, 2), feed.errors
    errors = {e["url"].rsplit("/", 1)[-1]: e["error"] for e in feed.errors}
    assert errors["3.html"] == "forbidden by robots.txt"
    assert "huge.html" in errors and ("max" in errors["huge.html"].lower() or "cancel" in errors["huge.html"].lower())

    assert (runs["sitemap_src"].status, runs["sitemap_src"].new, runs["sitemap_src"].failed) == ("ok", 1, 1)
    assert any("empty" in e["error"] or "too short" in e["error"] for e in runs["sitemap_src"].errors)
    assert runs["broken_sitemap"].status == "error"
    assert runs["listing_src"].new + runs["listing_src"].duplicate == 2
    assert runs["changed_listing"].status == "error" and "matched no article links" in runs["changed_listing"].errors[0]["error"]
    assert runs["gdelt_src"].new + runs["gdelt_src"].duplicate == 2 and site.pages["/api/v2/doc/doc"].calls == 2  # type: ignore[union-attr]
    assert runs["reliefweb_src"].new == 2

    engine = get_engine(settings.database_url)
    with session_scope(engine) as session:
        stories = session.scalars(select(Article).where(Article.title == "Clashes in Tripoli's Ain Zara")).all()
        assert len(stories) == 1, "one article, however many URLs and sources lead to it"
        assert sum(runs[s].new for s in ("feed_src", "listing_src", "gdelt_src")) == 4
        legacy = session.scalar(select(Article).where(Article.url.like("%/ar/legacy.html")))
        assert legacy is not None and legacy.title == "انسحاب المرتزقة من قاعدة الجفرة"  # decoded despite the header
        assert legacy.published_at.isoformat().startswith("2026-11-17T12:30")
        moved = session.scalar(select(Article).where(Article.url.like("%/new/2.html")))
        assert moved is not None
        linked = set(session.scalars(select(ArticleUrl.canonical_url).where(ArticleUrl.article_id == moved.id)))
        assert any(u.endswith("/old/2.html") for u in linked), "the feed's link is remembered after the redirect"
        rw = session.scalar(select(Article).where(Article.url.like("%flash-update-zawiya")))
        assert rw is not None and rw.date_origin == "feed" and "displaced" in rw.text

    # Second cycle: listings answer 304, stored URLs are never requested again.
    before = len(site.requests)  # the crawl process has ended: nothing is appending
    again = crawl_sources(settings, sources, new_cycle_id(), scrapy_settings=FAST_CRAWL)
    second = {s.source_id: s for s in again.sources}
    assert second["feed_src"].status == "not_modified" and second["sitemap_src"].status in ("not_modified", "ok")
    assert sum(s.new for s in again.sources) == 0
    paths = [r.path for r in site.requests[before:]]
    assert not any(p.startswith(("/a/1.html", "/new/2.html", "/news/libya/700")) for p in paths)
    assert any(r.headers.get("If-None-Match") for r in site.requests[before:])

    with session_scope(engine) as session:
        health = {h.source_id: h for h in source_health(session, load_catalogue(settings.sources_path))}
    assert "failing" in health["changed_listing"].flags and health["changed_listing"].consecutive_failures == 2
    assert health["feed_src"].flags == [] and health["feed_src"].new_7d == feed.new
