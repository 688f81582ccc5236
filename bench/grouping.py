"""Near-duplicate marking and development grouping over a rolling window, at scale. Prints figures.

Generates N articles (default 100,000) spread over 30 days: stories covered by 1-8 sources,
independent rewrites and syndicated copies, half of them ceasefire developments with salient
places and actors from the real gazetteer. Articles arrive in cycle-sized batches in time order;
each batch is marked for near-duplicates and grouped, as `run` does. Only that work is timed.

    .venv/bin/python -m bench.grouping [--articles 100000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from pipeline.classify.engine import default_classifier
from pipeline.classify.rules import DEVELOPMENT_TYPES
from pipeline.db import ensure_schema, session_scope
from pipeline.dedupe import signature
from pipeline.developments import group_developments
from pipeline.labelling import sync_entities
from pipeline.models import Article, Development, DevelopmentArticle, EntityMention, Label, Source
from pipeline.neardup import mark_near_duplicates

START = datetime(2026, 10, 1, tzinfo=UTC)
SPAN = timedelta(days=30)
VERSION = "bench"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def generate(n: int, seed: int, span: timedelta = SPAN) -> list[dict]:
    rng = random.Random(seed)
    classifier = default_classifier()
    places = [e.entity_id for e in classifier.gazetteer.entities if e.type in ("place", "facility") and e.libya]
    actors = [e.entity_id for e in classifier.gazetteer.entities if e.type not in ("place", "facility")]
    vocabulary = [f"w{i}" for i in range(20_000)]
    articles: list[dict] = []
    while len(articles) < n:
        story_time = START + span * rng.random()
        base = [rng.choice(vocabulary) for _ in range(130)]
        development = rng.random() < 0.5
        event = rng.choice(DEVELOPMENT_TYPES) if development else "none"
        story_places = rng.sample(places, rng.randint(1, 2))
        story_actors = rng.sample(actors, rng.randint(1, 3))
        original = None
        for _ in range(rng.randint(1, 8)):
            if original is not None and rng.random() < 0.15:  # a syndicated copy
                words = [w if rng.random() > 0.03 else rng.choice(vocabulary) for w in original]
            else:  # an independent report of the same story
                words = [w if rng.random() > 0.35 else rng.choice(vocabulary) for w in base]
                original = words
            articles.append({
                "text": " ".join(words), "title": " ".join(words[:8]),
                "at": story_time + timedelta(hours=36 * rng.random()),
                "event": event, "development": development,
                "places": story_places, "actors": story_actors, "source": f"s{rng.randrange(20)}",
            })
    articles = articles[:n]
    articles.sort(key=lambda a: a["at"])
    return articles


def load_batch(engine, batch: list[dict], next_id: int) -> int:  # type: ignore[no-untyped-def]
    rows, labels, mentions = [], [], []
    for offset, a in enumerate(batch):
        article_id = next_id + offset
        rows.append({
            "id": article_id, "canonical_url": f"https://bench.example/{article_id}", "url": f"https://bench.example/{article_id}",
            "source_id": a["source"], "title": a["title"], "text": a["text"], "lang": "en",
            "published_at": a["at"], "first_seen_at": a["at"], "date_origin": "page",
            "content_hash": f"{article_id:064d}", "minhash": a["minhash"], "dedupe_checked": False,
        })
        labels.append({
            "article_id": article_id, "classifier_version": VERSION, "lang": "en", "is_libya": True,
            "libya_score": 0.9, "topics": [], "event_type": a["event"],
            "is_ceasefire_development": a["development"], "confidence": 0.8, "evidence": [], "created_at": a["at"],
            "grouped": False,
        })
        for entity_id in a["places"]:
            mentions.append({"article_id": article_id, "entity_id": entity_id, "classifier_version": VERSION, "count": 2, "salience": 2})
        for entity_id in a["actors"]:
            mentions.append({"article_id": article_id, "entity_id": entity_id, "classifier_version": VERSION, "count": 1, "salience": 1})
    with session_scope(engine) as session:
        session.execute(insert(Article), rows)
        session.execute(insert(Label), labels)
        session.execute(insert(EntityMention), mentions)
    return next_id + len(batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--days", type=float, default=30, help="spread of the articles (sets the window's size)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-grouping-"))
    engine = ensure_schema(f"sqlite:///{folder / 'bench.db'}")
    with session_scope(engine) as session:
        session.execute(insert(Source), [
            {"id": f"s{i}", "name": f"Source {i}", "homepage": "https://bench.example/", "kind": "feed", "langs": ["en"],
             "country": "LY", "provenance": ("libyan_west", "libyan_east", "international", "un_official")[i % 4],
             "enabled": True, "config": {}, "updated_at": START}
            for i in range(20)
        ])
        sync_entities(session, default_classifier())
    started = time.perf_counter()
    articles = generate(args.articles, args.seed, timedelta(days=args.days))
    for a in articles:
        a["minhash"] = signature(f"{a['title']}\n{a['text']}")
    print(f"generated {len(articles)} articles with signatures in {time.perf_counter() - started:.0f}s (not timed below)")

    baseline = rss_mb()
    peak = baseline
    busy = dedupe_time = 0.0
    next_id = 1
    duplicates = 0
    for start in range(0, len(articles), args.batch):
        next_id = load_batch(engine, articles[start : start + args.batch], next_id)
        tick = time.perf_counter()
        with session_scope(engine) as session:
            duplicates += mark_near_duplicates(session)
        dedupe_time += time.perf_counter() - tick
        with session_scope(engine) as session:
            group_developments(session, VERSION)
        busy += time.perf_counter() - tick
        peak = max(peak, rss_mb())
    with session_scope(engine) as session:
        developments = session.scalar(select(func.count()).select_from(Development))
        grouped = session.scalar(select(func.count()).select_from(DevelopmentArticle))
    rate = len(articles) / busy
    print(f"near-duplicates + grouping: {len(articles)} articles in {busy:.1f}s = {rate:.0f} articles/s "
          f"(batches of {args.batch}, window 72 h; near-duplicates {dedupe_time:.1f}s, grouping {busy - dedupe_time:.1f}s)")
    print(f"found {duplicates} near-duplicate copies, {grouped} development articles in {developments} developments")
    print(f"memory: {baseline:.0f} MB resident before processing, peak {peak:.0f} MB during it")


if __name__ == "__main__":
    main()
