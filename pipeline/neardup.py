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
    index = dedupe.new_index()
    roots: dict[int, int] = {}
    for article_id, minhash, duplicate_of in pool:
        index.insert(article_id, dedupe.from_bytes(minhash))
        roots[article_id] = duplicate_of or article_id
    shingle_cache: dict[int, set[bytes]] = {}
    found = 0
    for article in unchecked:
        article.dedupe_checked = True
        if article.minhash is None:
            continue
        signature = dedupe.from_bytes(article.minhash)
        mine = dedupe.shingles(f"{article.title}\n{article.text}")
        best: tuple[float, int | None] = (0.0, None)
        for candidate_id in index.query(signature):
            theirs = shingle_cache.get(candidate_id)
            if theirs is None:
                other = session.get(Article, candidate_id)
                theirs = dedupe.shingles(f"{other.title}\n{other.text}") if other else set()
                shingle_cache[candidate_id] = theirs
            similarity = dedupe.jaccard(mine, theirs)
            if similarity > best[0]:
                best = (similarity, candidate_id)
        if best[1] is not None and best[0] >= dedupe.CONFIRM_JACCARD:
            article.duplicate_of_id = roots[best[1]]
            found += 1
        index.insert(article.id, signature)
        roots[article.id] = article.duplicate_of_id or article.id
        shingle_cache[article.id] = mine
    return found
