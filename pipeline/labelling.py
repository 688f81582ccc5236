"""Labelling stored articles with the classifier: the pipeline's DB path to `classify`.

Articles without a label for the current classifier version are classified in batches; a new
classifier version therefore re-labels the whole archive (`reclassify`) through the same code.
Labels and entity mentions are keyed by (article, classifier version): a re-run adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.classify.engine import Classification, Classifier, Document
from pipeline.db import insert_ignore, upsert
from pipeline.models import Article, Entity, EntityMention, Label, utcnow

BATCH = 500


@dataclass
class LabellingReport:
    classified: int = 0
    developments: int = 0
    failed: int = 0


def sync_entities(session: Session, classifier: Classifier) -> None:
    rows = [
        {
            "id": e.entity_id, "key": e.key, "type": e.type, "name": e.names["en"],
            "names": dict(e.names), "libya": e.libya,
        }
        for e in classifier.gazetteer.entities
    ]
    upsert(session, Entity, rows, keys=("id",), update=("key", "type", "name", "names", "libya"))


def unlabelled(session: Session, version: str, limit: int) -> list[Article]:
    labelled = select(Label.article_id).where(Label.classifier_version == version)
    return list(
        session.scalars(select(Article).where(Article.id.not_in(labelled)).order_by(Article.id).limit(limit))
    )


def label_pending(
    session: Session,
    classifier: Classifier,
    *,
    progress: Callable[[int], None] | None = None,
) -> LabellingReport:
    """Classify every article that has no label for `classifier.version`; commits per batch."""
    report = LabellingReport()
    sync_entities(session, classifier)
    failed: set[int] = set()
    while True:
        batch = [a for a in unlabelled(session, classifier.version, BATCH + len(failed)) if a.id not in failed]
        if not batch:
            break
        for article in batch:
            try:
                result = classifier.classify(
                    Document(
                        id=str(article.id), title=article.title, text=article.text, lang=article.lang,
                        url=article.url, published=article.published_at, source=article.source_id,
                    )
                )
            except Exception:  # noqa: BLE001 - one bad article never stops the run; it is counted
                failed.add(article.id)
                report.failed += 1
                continue
            _store(session, article.id, result)
            report.classified += 1
            report.developments += result.is_ceasefire_development
        session.commit()
        if progress:
            progress(report.classified)
    return report


def _store(session: Session, article_id: int, result: Classification) -> None:
    insert_ignore(
        session,
        Label,
        [
            {
                "article_id": article_id,
                "classifier_version": result.classifier_version,
                "lang": result.lang,
                "is_libya": result.is_libya,
                "libya_score": result.libya_score,
                "topics": result.topics,
                "event_type": result.event_type,
                "is_ceasefire_development": result.is_ceasefire_development,
                "confidence": result.confidence,
                "evidence": [e.to_dict() for e in result.evidence],
                "created_at": utcnow(),
            }
        ],
        keys=("article_id", "classifier_version"),
    )
    insert_ignore(
        session,
        EntityMention,
        [
            {
                "article_id": article_id, "entity_id": e.id, "classifier_version": result.classifier_version,
                "count": e.count, "salience": e.salience,
            }
            for e in result.entities
        ],
        keys=("article_id", "entity_id", "classifier_version"),
    )
