"""Marking near-duplicates: syndicated and lightly edited copies of an article in its window.

Each article not yet checked is looked up in an LSH index of the articles stored in the window
before it (signatures come from the database, computed at ingest); candidates are confirmed by
exact Jaccard similarity of their shingles. A confirmed copy points at the original
(`duplicate_of_id`); copies of copies point at the same original.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline import dedupe
from pipeline.models import Article

DEFAULT_WINDOW = timedelta(hours=72)


def mark_near_duplicates(session: Session, *, window: timedelta = DEFAULT_WINDOW) -> int:
    """Check every unchecked article; returns how many were found to be copies."""
    unchecked = list(
        session.scalars(select(Article).where(Article.dedupe_checked.is_(False)).order_by(Article.id))
    )
    if not unchecked:
        return 0
    since = min(a.first_seen_at for a in unchecked) - window
    pool = session.execute(
        select(Article.id, Article.minhash, Article.duplicate_of_id).where(
            Article.dedupe_checked.is_(True), Article.first_seen_at >= since, Article.minhash.is_not(None)
        )
    ).all()
    index = dedupe.new_index([(article_id, minhash) for article_id, minhash, _ in pool if minhash])
    roots: dict[int, int] = {article_id: duplicate_of or article_id for article_id, _, duplicate_of in pool}
    shingle_cache: dict[int, set[bytes]] = {}
    found = 0
    with session.no_autoflush:
        for article in unchecked:
            article.dedupe_checked = True
            if article.minhash is None:
                continue
            candidates = index.query(article.minhash)
            if candidates:
                mine = dedupe.shingles(f"{article.title}\n{article.text}")
                shingle_cache[article.id] = mine
                _load_shingles(session, candidates - shingle_cache.keys(), shingle_cache)
                best = max(((dedupe.jaccard(mine, shingle_cache[c]), c) for c in candidates), default=(0.0, 0))
                if best[0] >= dedupe.CONFIRM_JACCARD:
                    article.duplicate_of_id = roots[best[1]]
                    found += 1
            index.insert(article.id, article.minhash)
            roots[article.id] = article.duplicate_of_id or article.id
    return found


def _load_shingles(session: Session, ids: set[int], cache: dict[int, set[bytes]]) -> None:
    """Candidates' shingles, from one query (the candidates may be in the window or in this batch)."""
    if not ids:
        return
    for article_id, title, text in session.execute(select(Article.id, Article.title, Article.text).where(Article.id.in_(ids))):
        cache[article_id] = dedupe.shingles(f"{title}\n{text}")
