"""Crawl + extract + store throughput against a generated local site, and the cost of a cycle in
which nothing changed. Prints figures.

The site has N article pages (~3 KB of text each, Arabic and English) behind ten RSS feeds,
served from this process on localhost. The crawl is the production one (`python -m
scrapers.crawl` in a subprocess, SQLite); only politeness is relaxed, since the server is ours.

    .venv/bin/python -m bench.crawl [--articles 5000]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from email.utils import format_datetime
from html import escape
from pathlib import Path

import yaml

from pipeline.catalogue import load_catalogue
from pipeline.config import Settings
from pipeline.demo.server import Page, SiteServer
from pipeline.jobs import crawl_sources, new_cycle_id
from pipeline.models import utcnow

SOURCES = 10
FAST = (
    "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS=32",
    "CONCURRENT_REQUESTS_PER_DOMAIN=32", "LOG_LEVEL=WARNING",
)
WORDS = {
    "en": ["the", "armed", "groups", "in", "Tripoli", "said", "on", "Monday", "that", "the", "coastal", "road", "would", "reopen", "after", "talks", "between", "commanders", "from", "east", "and", "west", "with", "the", "joint", "military", "commission", "and", "the", "UN", "mission"],
    "ar": ["قالت", "مصادر", "محلية", "إن", "الطريق", "الساحلي", "سيعاد", "فتحه", "بعد", "محادثات", "بين", "قادة", "عسكريين", "من", "الشرق", "والغرب", "بحضور", "اللجنة", "العسكرية", "المشتركة", "والبعثة", "الأممية", "في", "طرابلس"],
}


def page(number: int, lang: str, rng: random.Random) -> bytes:
    title = f"{' '.join(rng.choices(WORDS[lang], k=8))} {number}"
    paragraphs = "".join(f"<p>{escape(' '.join(rng.choices(WORDS[lang], k=70)))} {number}.</p>" for _ in range(6))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} | Bench</title>'
        f'<meta property="article:published_time" content="{utcnow().isoformat()}"></head><body>'
        f'<nav><a href="/">Home</a> <a href="/libya">Libya</a></nav><main><article><h1>{escape(title)}</h1>'
        f"{paragraphs}</article></main><footer>bench</footer></body></html>"
    ).encode()


def build_site(server: SiteServer, articles: int, seed: int) -> None:
    rng = random.Random(seed)
    server.add("/robots.txt", Page(b"User-agent: *\nAllow: /\n", "text/plain"))
    now = format_datetime(utcnow())
    items: dict[int, list[str]] = {s: [] for s in range(SOURCES)}
    for number in range(articles):
        source = number % SOURCES
        lang = "ar" if number % 2 else "en"
        server.add(f"/s{source}/a{number}.html", Page(page(number, lang, rng)))
        items[source].append(
            f"<item><title>Article {number}</title><link>{server.base_url}/s{source}/a{number}.html</link><pubDate>{now}</pubDate></item>"
        )
    for source, entries in items.items():
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>s{source}</title>{"".join(entries)}</channel></rss>'
        server.add(f"/s{source}/feed.xml", Page(feed.encode(), "application/rss+xml"))


def run(articles: int, seed: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    with SiteServer() as server:
        build_site(server, articles, seed)
        catalogue = folder / "sources.yaml"
        catalogue.write_text(yaml.safe_dump({"version": "bench", "sources": [
            {"id": f"s{s}", "name": f"Bench {s}", "homepage": f"{server.base_url}/", "kind": "feed",
             "urls": [f"{server.base_url}/s{s}/feed.xml"], "langs": ["ar", "en"], "country": "LY",
             "provenance": "libyan_independent", "backfill_days": 30, "max_articles_per_run": 5000}
            for s in range(SOURCES)
        ]}), encoding="utf-8")
        settings = Settings.from_env({"LIBYA_MONITOR_DATA_DIR": str(folder)}).with_changes(sources_path=catalogue)
        sources = load_catalogue(catalogue).sources
        start = time.perf_counter()
        first = crawl_sources(settings, sources, new_cycle_id(), scrapy_settings=FAST)
        elapsed = time.perf_counter() - start
        stored = first.new
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        start = time.perf_counter()
        second = crawl_sources(settings, sources, new_cycle_id(), scrapy_settings=FAST)
        unchanged = time.perf_counter() - start
        requests_second = len(server.requests)
    statuses = {s.status for s in second.sources}
    print(
        f"{articles:>6} articles: stored {stored} in {elapsed:.1f}s = {stored / elapsed:.0f} articles/s "
        f"(crawl process peak {peak:.0f} MB); unchanged cycle {unchanged:.1f}s, "
        f"{second.new} new, sources {','.join(sorted(statuses))}; {requests_second} requests in all"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    for count in args.articles:
        run(count, args.seed)


if __name__ == "__main__":
    main()
