"""Developments: coverage of one event on the ceasefire track, across sources and languages.

An article reporting a development joins an open development when, within the time window,
it reports the same event type (or a recorded escalation of it: talks that became an agreement,
a truce broken, clashes that ended in a truce), and the two share a place, or at least two other
key entities. Entity ids make Arabic, English and French coverage comparable. A near-duplicate
of an article follows that article. Otherwise the article opens a new development.

Work is selected by state (development articles not yet grouped), never by the clock, so the
step can be re-run or overlap another run without creating duplicates: an article belongs to at
most one development (its primary key in development_articles).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.db import insert_ignore
from pipeline.models import (
    Article,
    Development,
    DevelopmentArticle,
    DevelopmentChange,
    EntityMention,
    Label,
    Source,
    utcnow,
)

DEFAULT_WINDOW = timedelta(hours=72)
# Named in nearly every article on the track: they tell developments apart no better than "the".
GENERIC_ENTITIES = frozenset({"Q1016", "Q1065", "Q37470", "LM:unsmil", "LM:united_nations"})
ESCALATIONS = frozenset(
    {
        ("meeting_talks", "agreement"),
        ("agreement", "violation_or_clashes"),
        ("violation_or_clashes", "agreement"),
    }
)
PLACE_TYPES = ("place", "facility")


@dataclass
class Coverage:
    """One development article with what grouping needs to know about it."""

    article_id: int
    source_id: str
    provenance: str
    lang: str
    title: str
    event_type: str
    confidence: float
    at: datetime
    places: set[str]
    others: set[str]
    duplicate_of: int | None
    facilities: set[str] = field(default_factory=set)  # named in the headline


@dataclass
class OpenDevelopment:
    row: Development
    places: set[str]
    others: set[str]
    article_ids: set[int] = field(default_factory=set)
    facilities: set[str] = field(default_factory=set)


@dataclass
class GroupingReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    articles: int = 0


def group_developments(
    session: Session,
    classifier_version: str,
    *,
    window: timedelta = DEFAULT_WINDOW,
    now: datetime | None = None,
) -> GroupingReport:
    now = now or utcnow()
    pending = _pending_coverage(session, classifier_version)
    report = GroupingReport(articles=len(pending))
    if not pending:
        return report
    earliest = min(c.at for c in pending) - window
    open_devs = _open_developments(session, classifier_version, earliest)
    membership = {aid: dev for dev in open_devs for aid in dev.article_ids}
    touched: dict[int, OpenDevelopment] = {}
    for coverage in pending:
        target = membership.get(coverage.duplicate_of) if coverage.duplicate_of else None
        if target is None:
            target = _best_match(open_devs, coverage, window)
        if target is None:
            target = _create(session, coverage)
            open_devs.append(target)
            report.created.append(target.row.id)
        else:
            if _escalate(session, target, coverage):
                report.escalated.append(target.row.id)
        _attach(session, target, coverage)
        membership[coverage.article_id] = target
        touched[target.row.id] = target
    for dev in touched.values():
        _refresh(session, dev, classifier_version)
        if dev.row.id not in report.created:
            report.updated.append(dev.row.id)
    return report


def _pending_coverage(session: Session, version: str) -> list[Coverage]:
    grouped = select(DevelopmentArticle.article_id)
    rows = session.execute(
        select(Article, Label, Source.provenance)
        .join(Label, (Label.article_id == Article.id) & (Label.classifier_version == version))
        .join(Source, Source.id == Article.source_id)
        .where(Label.is_ceasefire_development.is_(True), Article.id.not_in(grouped))
        .order_by(Article.published_at, Article.id)
    ).all()
    entities = _entities_of(session, [article.id for article, _, _ in rows], version)
    coverage = []
    for article, label, provenance in rows:
        places, others, facilities = entities.get(article.id, (set(), set(), set()))
        coverage.append(
            Coverage(
                article.id, article.source_id, provenance, label.lang, article.title, label.event_type,
                label.confidence, article.published_at or article.first_seen_at, places, others,
                article.duplicate_of_id, facilities,
            )
        )
    return coverage


def _entities_of(
    session: Session, article_ids: list[int], version: str
) -> dict[int, tuple[set[str], set[str], set[str]]]:
    """Per article, its salient (headline and lead) places, other entities, and facilities."""
    from pipeline.models import Entity

    result: dict[int, tuple[set[str], set[str], set[str]]] = defaultdict(lambda: (set(), set(), set()))
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        rows = session.execute(
            select(EntityMention.article_id, EntityMention.entity_id, Entity.type, EntityMention.salience)
            .join(Entity, Entity.id == EntityMention.entity_id)
            .where(
                EntityMention.article_id.in_(chunk),
                EntityMention.classifier_version == version,
                EntityMention.salience >= 1,
            )
        )
        for article_id, entity_id, entity_type, salience in rows:
            if entity_id in GENERIC_ENTITIES:
                continue
            places, others, facilities = result[article_id]
            (places if entity_type in PLACE_TYPES else others).add(entity_id)
            if entity_type == "facility" and salience >= 2:
                facilities.add(entity_id)  # a headline airport, road or base defines the story
    return dict(result)


def _open_developments(session: Session, version: str, since: datetime) -> list[OpenDevelopment]:
    devs = list(session.scalars(select(Development).where(Development.last_seen_at >= since)))
    members: dict[int, set[int]] = defaultdict(set)
    if devs:
        for dev_id, article_id in session.execute(
            select(DevelopmentArticle.development_id, DevelopmentArticle.article_id).where(
                DevelopmentArticle.development_id.in_([d.id for d in devs])
            )
        ):
            members[dev_id].add(article_id)
    entities = _entities_of(session, [a for ids in members.values() for a in ids], version)
    result = []
    for dev in devs:
        headline_facilities = {f for a in members[dev.id] for f in entities.get(a, (set(), set(), set()))[2]}
        result.append(
            OpenDevelopment(
                dev, set(dev.place_ids), set(dev.entity_ids) - set(dev.place_ids), members[dev.id], headline_facilities
            )
        )
    return result


def compatible(dev_type: str, article_type: str) -> bool:
    return dev_type == article_type or (dev_type, article_type) in ESCALATIONS


def match_score(dev: OpenDevelopment, coverage: Coverage) -> float:
    """How strongly an article belongs to a development (0: it does not)."""
    if not compatible(dev.row.event_type, coverage.event_type):
        return 0.0
    shared_places = dev.places & coverage.places
    shared_others = dev.others & coverage.others
    if dev.places and coverage.places and not shared_places:
        return 0.0  # the same kind of event in two different places is two developments
    if dev.facilities and coverage.facilities and not dev.facilities & coverage.facilities:
        return 0.0  # same city, different airport, road or base
    if shared_places or len(shared_others) >= 2:
        return 2.0 * len(shared_places) + len(shared_others)
    if not dev.places and not coverage.places and shared_others:
        return 1.0
    return 0.0


def _best_match(devs: list[OpenDevelopment], coverage: Coverage, window: timedelta) -> OpenDevelopment | None:
    best: tuple[float, OpenDevelopment | None] = (0.0, None)
    for dev in devs:
        if coverage.at > dev.row.last_seen_at + window or coverage.at < dev.row.first_seen_at - window:
            continue
        score = match_score(dev, coverage)
        if score > best[0]:
            best = (score, dev)
    return best[1]


def _create(session: Session, coverage: Coverage) -> OpenDevelopment:
    row = Development(
        event_type=coverage.event_type,
        title=coverage.title,
        titles={coverage.lang: coverage.title},
        first_seen_at=coverage.at,
        last_seen_at=coverage.at,
        confidence=coverage.confidence,
    )
    session.add(row)
    session.flush()
    return OpenDevelopment(row, set(), set())


def _escalate(session: Session, dev: OpenDevelopment, coverage: Coverage) -> bool:
    if coverage.event_type == dev.row.event_type or coverage.at < dev.row.last_seen_at:
        return False
    session.add(
        DevelopmentChange(
            development_id=dev.row.id, article_id=coverage.article_id,
            from_type=dev.row.event_type, to_type=coverage.event_type, at=coverage.at,
        )
    )
    dev.row.event_type = coverage.event_type
    return True


def _attach(session: Session, dev: OpenDevelopment, coverage: Coverage) -> None:
    insert_ignore(
        session,
        DevelopmentArticle,
        [{"article_id": coverage.article_id, "development_id": dev.row.id, "added_at": utcnow()}],
        keys=("article_id",),
    )
    dev.article_ids.add(coverage.article_id)
    dev.places |= coverage.places
    dev.others |= coverage.others
    dev.facilities |= coverage.facilities


def _refresh(session: Session, dev: OpenDevelopment, version: str) -> None:
    """Recompute a development's summary from all its articles."""
    rows = session.execute(
        select(Article, Label, Source.provenance)
        .join(DevelopmentArticle, DevelopmentArticle.article_id == Article.id)
        .join(Source, Source.id == Article.source_id)
        .join(Label, (Label.article_id == Article.id) & (Label.classifier_version == version), isouter=True)
        .where(DevelopmentArticle.development_id == dev.row.id)
        .order_by(Article.published_at, Article.id)
    ).all()
    row = dev.row
    titles: dict[str, str] = {}
    sources: list[str] = []
    independent: set[str] = set()
    provenances: set[str] = set()
    confidence = 0.0
    times = []
    topics: set[str] = set()
    for article, label, provenance in rows:
        topics.update(label.topics if label else [])
        lang = (label.lang if label else None) or article.lang or "other"
        titles.setdefault(lang, article.title)
        if article.source_id not in sources:
            sources.append(article.source_id)
        if article.duplicate_of_id is None:
            independent.add(article.source_id)
            provenances.add(provenance)
        confidence = max(confidence, label.confidence if label else 0.0)
        times.append(article.published_at or article.first_seen_at)
    row.titles = titles
    row.title = rows[0][0].title if rows else row.title
    row.source_ids = sources
    row.provenances = sorted(provenances)
    row.langs = sorted(titles)
    row.article_count = len(rows)
    row.independent_sources = max(len(independent), 1)
    row.confidence = round(min(0.99, confidence + 0.1 * (len(independent) - 1)), 4)
    row.topics = sorted(topics)
    row.place_ids = sorted(dev.places)
    row.entity_ids = sorted(dev.places | dev.others)
    if times:
        row.first_seen_at, row.last_seen_at = min(times), max(times)
    row.updated_at = utcnow()
