"""Developments: coverage of one event on the ceasefire track, across sources and languages.

An article reporting a development joins an open development when, within the time window,
it reports the same event type (or a recorded escalation of it: talks that became an agreement,
a truce broken, clashes that ended in a truce), and the two share a place, or at least two other
key entities (named in headline or lead). Entity ids make Arabic, English and French coverage
comparable. A near-duplicate of an article follows that article. Otherwise the article opens a
new development.

Work is selected by state (development articles not yet grouped), never by the clock, so the
step can be re-run or overlap another run without creating duplicates: an article belongs to at
most one development (its primary key in development_articles). Candidate developments are found
through an index from entity ids, so the cost grows with the articles, not with their product.
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
    Entity,
    EntityMention,
    Label,
    Source,
    utcnow,
)

DEFAULT_WINDOW = timedelta(hours=72)
# A development is one event: it does not absorb coverage forever. Tripoli's clashes of this
# week and of next month are two developments even if reports never stopped in between.
MAX_SPAN_WINDOWS = 2
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
CORROBORATION_BONUS = 0.1


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
    topics: list[str] = field(default_factory=list)


@dataclass
class OpenDevelopment:
    row: Development
    places: set[str]
    others: set[str]
    facilities: set[str]


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
) -> GroupingReport:
    pending = _pending_coverage(session, classifier_version)
    report = GroupingReport(articles=len(pending))
    if not pending:
        return report
    earliest = min(c.at for c in pending)
    open_devs = _open_developments(session, earliest - window, earliest - window * (MAX_SPAN_WINDOWS + 1))
    membership = _membership(session, open_devs, [c.duplicate_of for c in pending if c.duplicate_of])
    index: dict[str, list[OpenDevelopment]] = defaultdict(list)  # entity id -> developments naming it
    for dev in open_devs:
        for entity_id in dev.places | dev.others:
            index[entity_id].append(dev)
    touched: dict[int, OpenDevelopment] = {}
    links: list[dict[str, object]] = []
    for coverage in pending:
        target = membership.get(coverage.duplicate_of) if coverage.duplicate_of else None
        if target is None:
            candidates = {id(d): d for e in coverage.places | coverage.others for d in index.get(e, ())}
            target = _best_match(candidates.values(), coverage, window, window * MAX_SPAN_WINDOWS)
        if target is None:
            target = _create(session, coverage)
            report.created.append(target.row.id)
        elif _escalate(session, target, coverage):
            report.escalated.append(target.row.id)
        new_entities = (coverage.places | coverage.others) - (target.places | target.others)
        _attach(target, coverage)
        for entity_id in new_entities:
            index[entity_id].append(target)
        links.append({"article_id": coverage.article_id, "development_id": target.row.id, "added_at": utcnow()})
        membership[coverage.article_id] = target
        touched[target.row.id] = target
    for start in range(0, len(links), 500):
        insert_ignore(session, DevelopmentArticle, links[start : start + 500], keys=("article_id",))
    report.updated = [dev_id for dev_id in touched if dev_id not in set(report.created)]
    return report


def _pending_coverage(session: Session, version: str) -> list[Coverage]:
    rows = session.execute(
        select(
            Article.id, Article.source_id, Article.title, Article.published_at, Article.first_seen_at,
            Article.duplicate_of_id, Label.lang, Label.event_type, Label.confidence, Label.topics, Source.provenance,
        )
        .join(Label, (Label.article_id == Article.id) & (Label.classifier_version == version))
        .join(Source, Source.id == Article.source_id)
        .where(Label.is_ceasefire_development.is_(True), Label.grouped.is_(False))
        .order_by(Article.published_at, Article.id)
    ).all()
    # Articles grouped under an earlier classifier version keep their development.
    already = _already_grouped(session, [row.id for row in rows])
    _mark_grouped(session, version, [row.id for row in rows])
    rows = [row for row in rows if row.id not in already]
    entities = _entities_of(session, [row.id for row in rows], version)
    coverage = []
    for row in rows:
        places, others, facilities = entities.get(row.id, (set(), set(), set()))
        coverage.append(
            Coverage(
                row.id, row.source_id, row.provenance, row.lang, row.title, row.event_type, row.confidence,
                row.published_at or row.first_seen_at, places, others, row.duplicate_of_id, facilities,
                list(row.topics or []),
            )
        )
    return coverage


def _already_grouped(session: Session, article_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for start in range(0, len(article_ids), 500):
        found.update(
            session.scalars(
                select(DevelopmentArticle.article_id).where(DevelopmentArticle.article_id.in_(article_ids[start : start + 500]))
            )
        )
    return found


def _mark_grouped(session: Session, version: str, article_ids: list[int]) -> None:
    from sqlalchemy import update

    for start in range(0, len(article_ids), 500):
        session.execute(
            update(Label)
            .where(Label.classifier_version == version, Label.article_id.in_(article_ids[start : start + 500]))
            .values(grouped=True)
        )


def _entities_of(
    session: Session, article_ids: list[int], version: str
) -> dict[int, tuple[set[str], set[str], set[str]]]:
    """Per article, its salient (headline and lead) places, other entities, and headline facilities."""
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


def _open_developments(session: Session, seen_since: datetime, started_since: datetime) -> list[OpenDevelopment]:
    devs = session.scalars(
        select(Development).where(Development.last_seen_at >= seen_since, Development.first_seen_at >= started_since)
    )
    return [
        OpenDevelopment(dev, set(dev.place_ids), set(dev.entity_ids) - set(dev.place_ids), set(dev.headline_facility_ids or []))
        for dev in devs
    ]


def _membership(session: Session, devs: list[OpenDevelopment], article_ids: list[int]) -> dict[int, OpenDevelopment]:
    """Which open development holds each of `article_ids` (the originals of near-duplicates)."""
    by_id = {dev.row.id: dev for dev in devs}
    found: dict[int, OpenDevelopment] = {}
    for start in range(0, len(article_ids), 500):
        rows = session.execute(
            select(DevelopmentArticle.article_id, DevelopmentArticle.development_id).where(
                DevelopmentArticle.article_id.in_(article_ids[start : start + 500])
            )
        )
        for article_id, development_id in rows:
            if development_id in by_id:
                found[article_id] = by_id[development_id]
    return found


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


def _best_match(devs: object, coverage: Coverage, window: timedelta, max_span: timedelta) -> OpenDevelopment | None:
    best: tuple[float, OpenDevelopment | None] = (0.0, None)
    for dev in devs:  # type: ignore[attr-defined]
        row = dev.row
        if coverage.at > row.last_seen_at + window or coverage.at < row.first_seen_at - window:
            continue
        if coverage.at > row.first_seen_at + max_span:
            continue
        score = match_score(dev, coverage)
        if score > best[0]:
            best = (score, dev)
    return best[1]


def _create(session: Session, coverage: Coverage) -> OpenDevelopment:
    row = Development(
        event_type=coverage.event_type,
        title=coverage.title,
        titles={},
        first_seen_at=coverage.at,
        last_seen_at=coverage.at,
        source_ids=[],
        independent_source_ids=[],
        provenances=[],
        langs=[],
        topics=[],
        entity_ids=[],
        place_ids=[],
        article_count=0,
        independent_sources=0,
        max_article_confidence=0.0,
        headline_facility_ids=[],
        confidence=0.0,
    )
    session.add(row)
    session.flush()
    return OpenDevelopment(row, set(), set(), set())


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


def _attach(dev: OpenDevelopment, coverage: Coverage) -> None:
    """Fold one article into the development's summary (no query: the summary is cumulative)."""
    row = dev.row
    dev.places |= coverage.places
    dev.others |= coverage.others
    dev.facilities |= coverage.facilities
    if coverage.at < row.first_seen_at or not row.article_count:
        row.title = coverage.title
    row.first_seen_at = min(row.first_seen_at, coverage.at)
    row.last_seen_at = max(row.last_seen_at, coverage.at)
    row.titles = {**(row.titles or {}), coverage.lang: (row.titles or {}).get(coverage.lang, coverage.title)}
    row.langs = sorted(row.titles)
    row.source_ids = _added(row.source_ids, coverage.source_id)
    if coverage.duplicate_of is None:
        row.independent_source_ids = _added(row.independent_source_ids, coverage.source_id)
        row.provenances = sorted(set(row.provenances or []) | {coverage.provenance})
    row.topics = sorted(set(row.topics or []) | set(coverage.topics))
    row.place_ids = sorted(dev.places)
    row.entity_ids = sorted(dev.places | dev.others)
    row.headline_facility_ids = sorted(dev.facilities)
    row.article_count = (row.article_count or 0) + 1
    row.independent_sources = max(len(row.independent_source_ids or []), 1)
    row.max_article_confidence = max(row.max_article_confidence or 0.0, coverage.confidence)
    bonus = CORROBORATION_BONUS * (row.independent_sources - 1)
    row.confidence = round(min(0.99, row.max_article_confidence + bonus), 4)
    row.updated_at = utcnow()


def _added(values: list[str] | None, value: str) -> list[str]:
    values = list(values or [])
    if value not in values:
        values.append(value)
    return values
