"""Every parser on saved pages we wrote in the shape of real sources; spider callbacks on
in-memory responses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from pipeline.apis import parse_gdelt, parse_reliefweb
from pipeline.extract import extract_article
from pipeline.feeds import FeedError, parse_feed
from pipeline.listing import parse_listing
from pipeline.sitemaps import parse_sitemap
from tests.helpers import SITES, site_fixture, write_catalogue

BASE = "https://example.ly"


def fixture(name: str) -> bytes:
    return site_fixture(name, BASE)


def test_wordpress_rss() -> None:
    entries = parse_feed(fixture("wordpress_feed.xml"), f"{BASE}/feed/")
    assert [e.title for e in entries] == ["Coastal road reopens between Misrata and Sirte", "Central Bank publishes spending figures"]
    assert entries[0].url.endswith("/coastal-road-reopens/?utm_source=rss&utm_medium=rss")
    assert entries[0].published_at == datetime(2026, 11, 28, 8, 40, tzinfo=UTC)
    assert entries[0].author == "Staff reporter"


def test_atom_with_offset() -> None:
    [entry] = parse_feed(fixture("atom_feed.xml"), f"{BASE}/atom.xml")
    assert entry.title == "اشتباكات في الزاوية" and entry.url == f"{BASE}/news/libya/5001"
    assert entry.published_at == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"<html><body>not a feed</body></html>", "not an RSS or Atom feed"), (b"\x00\x01garbage<", "malformed feed")],
)
def test_not_a_feed(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "https://example.ly/feed")


def test_feed_with_a_broken_item_keeps_the_good_ones() -> None:
    body = fixture("wordpress_feed.xml").replace(b"</channel>", b"<item><title>Broken & unescaped</title></item></channel>")
    entries = parse_feed(body, f"{BASE}/feed/")
    assert len(entries) == 2


def test_feed_parser_refuses_text() -> None:
    with pytest.raises(TypeError):
        parse_feed("https://example.ly/feed", "x")  # type: ignore[arg-type]


def test_google_news_sitemap_keeps_news_title_and_date() -> None:
    sitemap = parse_sitemap(fixture("news_sitemap.xml"), f"{BASE}/news-sitemap.xml", default_tz="Africa/Tripoli")
    first, second = sitemap.entries
    assert first.title == "تبادل المحتجزين بين مصراتة وترهونة"
    assert first.published_at == datetime(2026, 11, 28, 9, 5, tzinfo=UTC)
    assert second.published_at == datetime(2026, 11, 26, 22, 0, tzinfo=UTC)  # date only: Tripoli midnight


def test_sitemap_index_and_malformed_xml() -> None:
    index = parse_sitemap(fixture("sitemap_index.xml"), f"{BASE}/sitemap.xml")
    assert [url for url, _ in index.children] == [f"{BASE}/news-sitemap.xml", f"{BASE}/archive-2019.xml"]
    with pytest.raises(FeedError, match="not a sitemap"):
        parse_sitemap(b"<html><body/></html>", f"{BASE}/x.xml")
    with pytest.raises(FeedError):
        parse_sitemap(b"", f"{BASE}/x.xml")


def test_listing_page_links_by_selector() -> None:
    listing = parse_listing(fixture("listing_page.html"), f"{BASE}/section/libya", article_links=".article-item a", next_page="a.next")
    assert [e.url for e in listing.entries] == [f"{BASE}/news/libya/7001", f"{BASE}/news/libya/7000"]
    assert listing.next_page == f"{BASE}/section/libya?page=2"


def test_listing_selector_that_no_longer_matches_is_an_error() -> None:
    with pytest.raises(FeedError, match="matched no article links"):
        parse_listing(fixture("listing_page.html"), f"{BASE}/section/libya", article_links=".story-card a")


def test_gdelt_artlist() -> None:
    entries = parse_gdelt(fixture("gdelt_artlist.json"), "https://api.gdeltproject.org/api/v2/doc/doc?query=x")
    assert len(entries) == 2 and entries[0].published_at == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    with pytest.raises(FeedError, match="did not return JSON"):
        parse_gdelt(b"Please limit requests to one every 5 seconds", "https://api.gdeltproject.org/x")


def test_reliefweb_reports() -> None:
    reports = parse_reliefweb(fixture("reliefweb_reports.json"), "https://api.reliefweb.int/v2/reports")
    assert reports[0].title.startswith("Libya: Flash update") and "displaced" in reports[0].text
    assert reports[0].source == "UN Office for the Coordination of Humanitarian Affairs"
    with pytest.raises(FeedError, match="unexpected ReliefWeb response: appname"):
        parse_reliefweb(b'{"error": {"message": "appname is not approved"}}', "https://api.reliefweb.int/v2/reports")


def test_legacy_arabic_page_with_date_in_words() -> None:
    html = (SITES / "legacy_cp1256.html").read_bytes().decode("cp1256")
    article = extract_article(html, f"{BASE}/post.php?id=1", default_tz="Africa/Tripoli")
    assert article.title == "انسحاب المرتزقة من قاعدة الجفرة"
    assert article.published_at == datetime(2026, 11, 17, 12, 30, tzinfo=UTC)
    assert article.lang == "ar" and "قاعدة الجفرة" in article.text


def test_visible_date_is_the_published_one_not_the_update() -> None:
    body = "<p>" + "The coastal road between Misrata and Sirte reopened on Monday, officials said. " * 3 + "</p>"
    html = (
        "<html><body><div class='last-updated'>20 novembre 2026</div>"
        f"<article><h1>Route côtière rouverte</h1><span class='post-date'>17 novembre 2026</span>{body}</article></body></html>"
    )
    article = extract_article(html, f"{BASE}/route", default_tz="Africa/Tripoli")
    assert article.published_at is not None and article.published_at.date().day == 16  # midnight in Tripoli is 22:00 UTC


# -- spider callbacks on in-memory responses -------------------------------------------------------
@pytest.fixture
def spider_env(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from scrapers.context import crawl_context

    settings = write_catalogue(
        settings,
        [
            {"id": "wp", "urls": [f"{BASE}/feed/"]},
            {"id": "news_map", "kind": "sitemap", "urls": [f"{BASE}/sitemap.xml"], "backfill_days": 365},
            {"id": "wasat", "kind": "listing", "urls": [f"{BASE}/section/libya"], "listing": {"article_links": ".article-item a", "next_page": "a.next", "max_pages": 2}},
            {"id": "wp_capped", "urls": [f"{BASE}/feed/", f"{BASE}/feed/world/"], "max_articles_per_run": 1},
            {"id": "gd", "kind": "gdelt", "urls": ["https://api.gdeltproject.org/api/v2/doc/doc?query=libya"]},
        ],
    )
    for name, value in settings.as_env().items():
        monkeypatch.setenv(name, value)
    crawl_context.cache_clear()
    yield
    crawl_context.cache_clear()


def _spider(cls, source: str):  # type: ignore[no-untyped-def]
    crawler = get_crawler(cls, {"MONITOR_CYCLE_ID": "t"})
    spider = cls.from_crawler(crawler, source=source)
    crawler.spider = spider
    return spider


def _response(url: str, body: bytes, cls=TextResponse):  # type: ignore[no-untyped-def]
    return cls(url=url, body=body, request=Request(url), encoding="utf-8")


def test_feed_spider_requests_each_new_entry(spider_env: None) -> None:
    from scrapers.spiders.feed import FeedSpider

    spider = _spider(FeedSpider, "wp")
    requests = list(spider.parse_listing(_response(f"{BASE}/feed/", fixture("wordpress_feed.xml"))))
    assert len(requests) == 2 and all(r.callback == spider.parse_article for r in requests)
    assert spider.crawler.stats.get_value("monitor/items_found") == 2


def test_sitemap_spider_follows_only_recent_children(spider_env: None) -> None:
    from scrapers.spiders.sitemap import SitemapSpider

    spider = _spider(SitemapSpider, "news_map")
    requests = list(spider.parse_listing(_response(f"{BASE}/sitemap.xml", fixture("sitemap_index.xml"))))
    assert [r.url for r in requests] == [f"{BASE}/news-sitemap.xml"]


def test_listing_spider_follows_next_page_and_flags_a_dead_selector(spider_env: None) -> None:
    from scrapers.spiders.listing import ListingSpider

    spider = _spider(ListingSpider, "wasat")
    out = list(spider.parse_listing(_response(f"{BASE}/section/libya", fixture("listing_page.html"), HtmlResponse)))
    assert [r.url for r in out][-1] == f"{BASE}/section/libya?page=2"
    spider.start_ok = 1
    dead = fixture("listing_page.html").replace(b"article-item", b"story-card")
    assert list(spider.parse_listing(_response(f"{BASE}/section/libya", dead, HtmlResponse))) == []
    assert spider.start_failed == 1 and "matched no article links" in spider.errors[-1]["error"]


def test_article_callback_builds_a_record(spider_env: None) -> None:
    from pipeline.feeds import FeedEntry
    from scrapers.spiders.feed import FeedSpider

    spider = _spider(FeedSpider, "wp")
    page = b"<html lang='en'><head><meta property='article:published_time' content='2026-11-28T10:00:00+02:00'></head><body><article><h1>Coastal road reopens</h1><p>" + b"The coastal road between Misrata and Sirte reopened to traffic on Saturday. " * 3 + b"</p></article></body></html>"
    entry = FeedEntry(f"{BASE}/a?utm_source=rss", "Coastal road reopens", "", None, "Desk")
    [record] = list(spider.parse_article(_response(f"{BASE}/a", page, HtmlResponse), entry=entry))
    assert record.title == "Coastal road reopens" and record.published_at == datetime(2026, 11, 28, 8, tzinfo=UTC)
    assert record.linked_url == f"{BASE}/a?utm_source=rss" and record.date_origin == "page"


def test_validators_are_kept_only_for_a_listing_read_to_the_end(spider_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapers.spiders.feed import FeedSpider

    spider = _spider(FeedSpider, "wp")
    read = _response(f"{BASE}/feed/", fixture("wordpress_feed.xml"))
    read.meta["validators"] = ('"v1"', None)
    list(spider.parse_listing(read))
    assert spider.pending_validators == {f"{BASE}/feed/": ('"v1"', None)}

    spider.pending_validators.clear()

    def broken(entries):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(spider, "select_new", broken)
    failed = _response(f"{BASE}/feed/", fixture("wordpress_feed.xml"))
    failed.meta["validators"] = ('"v2"', None)
    with pytest.raises(RuntimeError):
        list(spider.parse_listing(failed))
    assert spider.pending_validators == {}, "the next run must not get a 304 for entries never fetched"


def test_article_cap_is_per_run_across_listings(spider_env: None) -> None:
    from scrapers.spiders.feed import FeedSpider

    spider = _spider(FeedSpider, "wp_capped")
    first = list(spider.parse_listing(_response(f"{BASE}/feed/", fixture("wordpress_feed.xml"))))
    second = list(spider.parse_listing(_response(f"{BASE}/feed/world/", fixture("wordpress_feed.xml"))))
    assert (len(first), len(second)) == (1, 0)


def test_recent_child_sitemaps_newest_first() -> None:
    from pipeline.sitemaps import Sitemap

    old, mid, new = (datetime(2026, 11, day, tzinfo=UTC) for day in (1, 20, 28))
    index = Sitemap([], [("a.xml", old), ("b.xml", mid), ("undated.xml", None), ("c.xml", new)])
    assert index.recent_children(datetime(2026, 11, 10, tzinfo=UTC)) == ["c.xml", "b.xml", "undated.xml"]


def test_gdelt_listing_keeps_its_fixed_delay(spider_env: None) -> None:
    from scrapers.spiders.apis import GdeltSpider

    spider = _spider(GdeltSpider, "gd")
    assert spider.listing_request("https://api.gdeltproject.org/api/v2/doc/doc?query=libya").meta["autothrottle_dont_adjust_delay"] is True


def test_retry_after_waits_and_spaces_the_hosts_other_requests() -> None:
    import asyncio
    from types import SimpleNamespace
    from unittest.mock import Mock

    from scrapers.middlewares import RetryAfterMiddleware

    slot = SimpleNamespace(delay=0.0)
    crawler = SimpleNamespace(engine=SimpleNamespace(downloader=SimpleNamespace(slots={"api.example": slot})), stats=Mock())
    request = Request("https://api.example/q", meta={"download_slot": "api.example"})
    response = TextResponse(url=request.url, status=429, headers={"Retry-After": "0.05"}, body=b"", request=request)
    retry = asyncio.run(RetryAfterMiddleware(crawler).process_response(request, response))
    assert isinstance(retry, Request) and retry.meta["retry_after_times"] == 1
    assert slot.delay == 0.05
