"""The classifier: one function from an article to its labels, with evidence (DESIGN.md contract).

How an article is read:
1. normalise title + "\\n" + text and scan it once for every gazetteer name and rule phrase;
2. resolve entities (ambiguous names such as Tripoli by the article's other places);
3. score Libya relevance: Libya's entities against the other theatres (Gaza, Sudan, Lebanon…),
   weighted by where they appear (title, lead, body);
4. score each event type sentence by sentence: a rule fires when its concepts share a sentence;
   modality in that sentence (a call or welcome before the cue, a denial, a negation, a past year
   or "since", "despite") discounts it, and the title and lead weigh most;
5. decide: the best-scoring event if it clears the threshold, else `statement_only` when the
   article is about the ceasefire track without a new fact, else `none`.
"""

from __future__ import annotations

import hashlib
import math
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pipeline.classify.gazetteer import GAZETTEER_PATH, Gazetteer, GazetteerEntity, load_gazetteer
from pipeline.classify.lexicon import Hit, Lexicon, Term, symbol_skeleton
from pipeline.classify.rules import DEVELOPMENT_TYPES, RULES_PATH, Rules, load_rules
from pipeline.text.lang import detect_language
from pipeline.text.normalize import Normalized, normalize

ENGINE_VERSION = "1.0"
MAX_INPUT_CHARS = 200_000  # longer texts are classified on their first 200k characters
TITLE_WEIGHT = 3.0
TYPE_WEIGHTS = {"place": 1.0, "facility": 1.0, "person": 1.5, "organization": 1.5, "armed_group": 1.5}
COUNTRY_WEIGHT = 2.0
PER_ENTITY_CAP = 4.0
PER_CONTEXT_CAP = 8.0
STATEMENT_FACTOR = 0.15
DENIAL_FACTOR = 0.1
NEGATION_FACTOR = 0.2
BACKGROUND_FACTOR = 0.25
CONTEXT_FACTOR = 0.3
FUTURE_FACTOR = 0.8
PLAN_FACTOR = 0.35
HEADLINE_SHARE = 0.5
LEAD_SENTENCES = 2  # the title (sentence 0) and the first two body sentences
NEAR_CHARS = 30
BACKGROUND_CHARS = 45
_SENTENCE_END = re.compile(r"(?<=[.!?؟…])[\"'”»)\]]*\s+|\n+")
_YEAR = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9][0-9])(?![0-9])")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str
    lang: str | None = None
    url: str | None = None
    published: datetime | None = None
    source: str | None = None

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}"[:MAX_INPUT_CHARS]

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Document:
        """A document from one input line; raises ValueError naming the bad field."""
        if not isinstance(data, Mapping):
            raise ValueError("expected a JSON object")
        for name in ("id", "title", "text"):
            if name not in data:
                raise ValueError(f"missing field {name!r}")
        for name in ("title", "text"):
            if not isinstance(data[name], str):
                raise ValueError(f"field {name!r} must be a string")
        published = data.get("published")
        return cls(
            id=str(data["id"]),
            title=data["title"],
            text=data["text"],
            lang=data.get("lang") if isinstance(data.get("lang"), str) else None,
            url=data.get("url") if isinstance(data.get("url"), str) else None,
            published=parse_published(published),
            source=data.get("source") if isinstance(data.get("source"), str) else None,
        )


def parse_published(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Evidence:
    label: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class EntityCount:
    id: str
    key: str
    name: str
    type: str
    count: int
    libya: bool
    # Where the article first names it: 2 in the headline, 1 in the lead, 0 further down.
    # Headline and lead entities are what the article is about; grouping relies on them.
    salience: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type, "count": self.count, "salience": self.salience}


@dataclass(frozen=True)
class Classification:
    id: str
    lang: str
    is_libya: bool
    libya_score: float
    topics: list[str]
    is_ceasefire_development: bool
    event_type: str
    confidence: float
    entities: list[EntityCount]
    evidence: list[Evidence]
    classifier_version: str
    scores: dict[str, float] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The DESIGN.md output contract, key order included."""
        return {
            "id": self.id,
            "lang": self.lang,
            "is_libya": self.is_libya,
            "libya_score": round(self.libya_score, 4),
            "topics": self.topics,
            "is_ceasefire_development": self.is_ceasefire_development,
            "event_type": self.event_type,
            "confidence": round(self.confidence, 4),
            "entities": [entity.to_dict() for entity in self.entities],
            "evidence": [item.to_dict() for item in self.evidence],
            "classifier_version": self.classifier_version,
        }


@dataclass
class _Reading:
    """One article while it is being classified: its text, hits and sentences."""

    doc: Document
    norm: Normalized
    sentence_starts: list[int]  # original offsets; sentence 0 is the title
    entity_hits: list[tuple[Hit, GazetteerEntity]] = field(default_factory=list)
    concept_hits: dict[int, dict[str, list[Hit]]] = field(default_factory=dict)

    def sentence_of(self, hit: Hit) -> int:
        begin, _ = self.norm.offsets.original_span(hit.start, hit.end)
        return bisect_right(self.sentence_starts, begin) - 1

    def span(self, hit: Hit) -> tuple[int, int]:
        return self.norm.original_span(hit.start, hit.end)


def sentence_weight(index: int) -> float:
    if index == 0:
        return TITLE_WEIGHT
    if index <= 2:
        return 2.0
    if index <= 5:
        return 1.0
    return 0.5


def position_weight(index: int) -> float:
    return TITLE_WEIGHT if index == 0 else 1.5 if index <= 2 else 1.0


def split_sentences(title: str, text: str) -> list[int]:
    starts = [0, len(title) + 1]
    body_offset = len(title) + 1
    for match in _SENTENCE_END.finditer(text):
        if match.end() < len(text):
            starts.append(body_offset + match.end())
    return starts


class Classifier:
    def __init__(self, gazetteer: Gazetteer, rules: Rules, version: str) -> None:
        unknown = rules.entity_keys() - set(gazetteer.by_key)
        if unknown:
            raise ValueError(f"rules name entities missing from the gazetteer: {sorted(unknown)}")
        self.gazetteer = gazetteer
        self.rules = rules
        self.version = version
        self.lexicon = Lexicon(self._lexicon_entries())
        self._entity_concepts: dict[str, list[str]] = defaultdict(list)
        for name, concept in rules.concepts.items():
            for key in concept.entities:
                self._entity_concepts[key].append(name)
        self._context_concepts = {c for concepts in rules.contexts.values() for c in concepts}
        self._security = set(rules.modality.security)
        self._statement_subjects = set(rules.modality.statement_subjects)
        self._masks = {name: set(c.masks) for name, c in rules.concepts.items()}
        self._homonyms = _homonym_keys(gazetteer)

    def _lexicon_entries(self) -> Iterable[tuple[str, Term]]:
        for entity in self.gazetteer.entities:
            sensitive, ambiguous = set(entity.case_sensitive), set(entity.ambiguous)
            for lang, name in entity.surface_forms():
                yield name, Term(
                    "entity", entity.key, lang, name, name in sensitive, name in ambiguous,
                    symbol_skeleton(name),
                )
        for concept_name, concept in self.rules.concepts.items():
            for lang, phrase in concept.phrases():
                yield phrase, Term("concept", concept_name, lang, phrase, symbols=symbol_skeleton(phrase))

    # -- the one public operation -------------------------------------------------------------
    def classify(self, doc: Document) -> Classification:
        full = doc.full_text
        title = full[: len(doc.title)]
        reading = _Reading(doc, normalize(full), split_sentences(title, full[len(title) + 1 :]))
        hits = self.lexicon.scan(reading.norm)
        entity_hits = _outermost(_one_per_entity_span([h for h in hits if h.term.layer == "entity"]))
        concept_hits = self._unmasked([h for h in hits if h.term.layer == "concept"])
        reading.entity_hits = self._resolve_entities(entity_hits, concept_hits)
        self._index_concepts(reading, concept_hits)
        lang = self._language(doc, full, concept_hits)
        libya_score, libya_evidence = self._libya_relevance(reading)
        is_libya = libya_score >= self.rules.thresholds.libya
        event_scores, event_evidence, statement_score, security_score = self._score_events(reading)
        event_type, confidence = self._decide(
            reading, is_libya, event_scores, statement_score, security_score
        )
        topics, topic_evidence = self._topics(reading, event_type)
        evidence = [*libya_evidence[:3]]
        if event_type in event_evidence:
            evidence += event_evidence[event_type]
        evidence += topic_evidence
        is_development = is_libya and event_type in DEVELOPMENT_TYPES
        return Classification(
            id=doc.id,
            lang=lang,
            is_libya=is_libya,
            libya_score=libya_score,
            topics=topics,
            is_ceasefire_development=is_development,
            event_type=event_type,
            confidence=confidence if event_type != "none" else 0.0,
            entities=self._entity_counts(reading),
            evidence=evidence,
            classifier_version=self.version,
            scores={**event_scores, "statement": statement_score, "security": security_score},
        )

    # -- entities -------------------------------------------------------------------------------
    def _resolve_entities(
        self, hits: list[Hit], concept_hits: list[Hit]
    ) -> list[tuple[Hit, GazetteerEntity]]:
        """Keep unambiguous mentions; decide ambiguous ones by the article's other mentions.

        A name shared by a Libyan and a foreign entity (Tripoli) goes to the side whose context
        is stronger, to Libya when there is none. A name that may not be an entity at all
        (Wagner, الزاوية) counts only in an article that names other entities of its side.
        """
        by_key = self.gazetteer.by_key
        certain = [(h, by_key[h.term.ref]) for h in hits if not h.term.ambiguous]
        libya_context = sum(1 for _, e in certain if e.libya)
        other_context = sum(1 for _, e in certain if e.key in self._homonyms)
        other_context += sum(1 for h in concept_hits if h.term.ref in self._context_concepts)
        any_context = len(certain) + other_context
        resolved = list(certain)
        ambiguous_by_span: dict[tuple[int, int], list[GazetteerEntity]] = defaultdict(list)
        hit_at: dict[tuple[int, int], Hit] = {}
        for hit in hits:
            if hit.term.ambiguous:
                span = (hit.start, hit.end)
                entity = by_key[hit.term.ref]
                if entity not in ambiguous_by_span[span]:
                    ambiguous_by_span[span].append(entity)
                hit_at.setdefault(span, hit)
        for span, candidates in ambiguous_by_span.items():
            libyan = [e for e in candidates if e.libya]
            foreign = [e for e in candidates if not e.libya]
            chosen: GazetteerEntity | None = None
            if libyan and foreign:
                if other_context > libya_context:
                    chosen = foreign[0]
                elif libya_context > 0 or other_context == 0:
                    chosen = libyan[0]
            elif libyan and (libya_context > 0 or other_context == 0):
                chosen = libyan[0]
            elif foreign and any_context > 0:
                chosen = foreign[0]
            if chosen is not None:
                hit = hit_at[span]
                resolved.append((Hit(_with_ref(hit.term, chosen.key), hit.start, hit.end), chosen))
        resolved.sort(key=lambda pair: pair[0].start)
        return resolved

    def _entity_counts(self, reading: _Reading) -> list[EntityCount]:
        counts: Counter[str] = Counter(entity.key for _, entity in reading.entity_hits)
        salience: dict[str, int] = defaultdict(int)
        for hit, entity in reading.entity_hits:
            sentence = reading.sentence_of(hit)
            level = 2 if sentence == 0 else 1 if sentence <= LEAD_SENTENCES else 0
            salience[entity.key] = max(salience[entity.key], level)
        result = []
        for key, count in counts.most_common():
            entity = self.gazetteer.by_key[key]
            result.append(
                EntityCount(entity.entity_id, key, entity.names["en"], entity.type, count, entity.libya, salience[key])
            )
        return result

    # -- concepts per sentence ------------------------------------------------------------------
    def _unmasked(self, hits: list[Hit]) -> list[Hit]:
        """Drop a phrase inside a longer phrase of the same concept or of one that masks it."""
        ordered = sorted(hits, key=lambda h: (h.start, -h.end))
        kept: list[Hit] = []
        active: list[Hit] = []
        for hit in ordered:
            active = [a for a in active if a.end > hit.start]
            masked = False
            for outer in active:
                if outer.start <= hit.start and hit.end <= outer.end and (outer.end - outer.start) > (hit.end - hit.start):
                    masks = self._masks.get(outer.term.ref, ())
                    if outer.term.ref == hit.term.ref or hit.term.ref in masks or "*" in masks:
                        masked = True
                        break
            if not masked:
                kept.append(hit)
            active.append(hit)
        return kept

    def _index_concepts(self, reading: _Reading, concept_hits: list[Hit]) -> None:
        index: dict[int, dict[str, list[Hit]]] = defaultdict(lambda: defaultdict(list))
        for hit in concept_hits:
            index[reading.sentence_of(hit)][hit.term.ref].append(hit)
        for hit, entity in reading.entity_hits:
            for concept in self._entity_concepts.get(entity.key, ()):
                index[reading.sentence_of(hit)][concept].append(hit)
        background = self.rules.modality.background
        reference_year = (reading.doc.published or datetime.now(UTC)).year
        for match in _YEAR.finditer(reading.norm.text):
            if int(match.group()) < reference_year:
                year_hit = Hit(Term("concept", background, "", match.group()), match.start(), match.end())
                index[reading.sentence_of(year_hit)][background].append(year_hit)
        reading.concept_hits = index

    def _language(self, doc: Document, full: str, concept_hits: list[Hit]) -> str:
        votes = Counter(h.term.lang for h in concept_hits if h.term.lang in ("en", "fr"))
        hint = doc.lang if doc.lang in ("ar", "en", "fr") else (votes.most_common(1)[0][0] if votes else None)
        return detect_language(full, hint)

    # -- Libya relevance ------------------------------------------------------------------------
    def _libya_relevance(self, reading: _Reading) -> tuple[float, list[Evidence]]:
        per_entity: dict[str, float] = defaultdict(float)
        first_hits: dict[str, Hit] = {}
        for hit, entity in reading.entity_hits:
            if not entity.libya:
                continue
            weight = position_weight(reading.sentence_of(hit))
            weight *= 0.5 if hit.term.ambiguous else 1.0
            per_entity[entity.key] += weight
            first_hits.setdefault(entity.key, hit)
        libya_mass = 0.0
        for key, mass in per_entity.items():
            entity = self.gazetteer.by_key[key]
            type_weight = COUNTRY_WEIGHT if key == "libya" else TYPE_WEIGHTS[entity.type]
            libya_mass += min(mass, PER_ENTITY_CAP) * type_weight
        other_mass = 0.0
        for name, concepts in self.rules.contexts.items():
            mass = sum(
                position_weight(index)
                for index, by_concept in reading.concept_hits.items()
                for concept in concepts
                for _ in by_concept.get(concept, ())
            )
            other_mass += min(mass, PER_CONTEXT_CAP)
        for hit, entity in reading.entity_hits:
            if entity.key in self._homonyms:
                other_mass += position_weight(reading.sentence_of(hit))
        score = libya_mass / (libya_mass + other_mass + 1.5) if libya_mass else 0.0
        ranked = sorted(per_entity, key=per_entity.__getitem__, reverse=True)
        evidence = [self._evidence(reading, "libya", first_hits[key]) for key in ranked]
        return score, evidence

    # -- events ---------------------------------------------------------------------------------
    def _score_events(
        self, reading: _Reading
    ) -> tuple[dict[str, float], dict[str, list[Evidence]], float, float]:
        modality = self.rules.modality
        scores: dict[str, float] = defaultdict(float)
        best: dict[str, tuple[float, list[Hit]]] = {}
        statement_score = 0.0
        security_score = 0.0
        fired_in_body: dict[str, set[int]] = defaultdict(set)  # event -> rules fired below the title
        for index, by_concept in reading.concept_hits.items():
            weight = sentence_weight(index)
            present = {c for c, hs in by_concept.items() if hs}
            security = present & self._security
            if security:
                security_score += weight
            # A denial is a statement too: "the LNA denied any mobilisation" reports no new fact.
            statement_hits = [*by_concept.get(modality.statement, []), *by_concept.get(modality.denial, [])]
            subjects = present & self._statement_subjects
            if statement_hits and subjects:
                first_subject = min(h.start for c in subjects for h in by_concept[c])
                if min(h.start for h in statement_hits) < first_subject:
                    statement_score += weight
            for event, spec in self.rules.events.items():
                # A sentence counts once per event: its best-scoring rule.
                sentence_best: tuple[float, list[Hit]] = (0.0, [])
                for number, rule in enumerate(spec.rules):
                    if not set(rule.all) <= present or set(rule.none) & present:
                        continue
                    rule_hits = [min(by_concept[c], key=lambda h: h.start) for c in rule.all]
                    factor = self._modality_factor(by_concept, rule_hits)
                    value = weight * rule.weight * factor
                    if index > 0 and factor >= 0.5:
                        fired_in_body[event].add(number)
                    if value > sentence_best[0]:
                        sentence_best = (value, rule_hits)
                if sentence_best[0] > 0:
                    scores[event] += sentence_best[0]
                    if sentence_best[0] > best.get(event, (0.0, []))[0]:
                        best[event] = sentence_best
        self._credit_headline(reading, fired_in_body, scores, best)
        evidence = {
            event: [self._evidence(reading, f"event:{event}", h) for h in sorted(hs, key=lambda h: h.start)]
            for event, (_, hs) in best.items()
        }
        return dict(scores), evidence, statement_score, security_score

    def _credit_headline(
        self,
        reading: _Reading,
        fired_in_body: Mapping[str, set[int]],
        scores: dict[str, float],
        best: dict[str, tuple[float, list[Hit]]],
    ) -> None:
        """Headlines compress: "Foreign fighters flown out of Benghazi" names the subject, the
        lead states the event. A rule that fires in the body earns part of the title's weight
        when the title carries some of its concepts (and none that block it)."""
        title = reading.concept_hits.get(0)
        if not title:
            return
        present = {c for c, hs in title.items() if hs}
        for event, numbers in fired_in_body.items():
            spec = self.rules.events[event]
            if any(set(rule.all) <= present for rule in spec.rules):
                continue  # the title states the event itself: already scored in full
            credit = 0.0
            for number in numbers:
                rule = spec.rules[number]
                shared = [c for c in rule.all if c in present]
                if not shared or set(rule.none) & present:
                    continue
                hits = [min(title[c], key=lambda h: h.start) for c in shared]
                value = TITLE_WEIGHT * rule.weight * HEADLINE_SHARE * self._modality_factor(title, hits)
                credit = max(credit, value)
            if credit:
                scores[event] += credit

    def _modality_factor(self, by_concept: Mapping[str, list[Hit]], rule_hits: list[Hit]) -> float:
        modality = self.rules.modality
        trigger = min(h.start for h in rule_hits)
        factor = 1.0
        if any(h.start < trigger for h in by_concept.get(modality.statement, ())):
            factor *= STATEMENT_FACTOR
        if by_concept.get(modality.denial):
            factor *= DENIAL_FACTOR
        if any(trigger - NEAR_CHARS <= h.start < trigger for h in by_concept.get(modality.negation, ())):
            factor *= NEGATION_FACTOR
        # "since the 2020 ceasefire", "the truce signed in 2020": a past marker next to a cue.
        if any(
            abs(h.start - r.start) <= BACKGROUND_CHARS
            for h in by_concept.get(modality.background, ())
            for r in rule_hits
        ):
            factor *= BACKGROUND_FACTOR
        contexts = by_concept.get(modality.context, ())
        if any(r.start - NEAR_CHARS <= h.start < r.start for h in contexts for r in rule_hits):
            factor *= CONTEXT_FACTOR
        if any(h.start < trigger for h in by_concept.get(modality.future, ())):
            factor *= FUTURE_FACTOR
        if any(
            abs(h.start - r.start) <= NEAR_CHARS for h in by_concept.get(modality.plan, ()) for r in rule_hits
        ):
            factor *= PLAN_FACTOR
        return factor

    def _decide(
        self,
        reading: _Reading,
        is_libya: bool,
        scores: Mapping[str, float],
        statement_score: float,
        security_score: float,
    ) -> tuple[str, float]:
        if not is_libya:
            return "none", 0.0
        thresholds = self.rules.thresholds
        candidates = {e: s for e, s in scores.items() if s >= thresholds.event}
        if candidates:
            top = max(candidates.values())
            close = [e for e, s in candidates.items() if s >= 0.85 * top]
            order = {e: i for i, e in enumerate(self.rules.priority)}
            best = min(close, key=order.__getitem__)
            if statement_score >= 2 * scores[best]:
                return "statement_only", _confidence(statement_score, thresholds.statement)
            return best, _confidence(scores[best], thresholds.event)
        if statement_score >= thresholds.statement_cues:
            return "statement_only", _confidence(statement_score, thresholds.statement_cues)
        if security_score >= thresholds.statement:
            return "statement_only", _confidence(security_score, thresholds.statement)
        return "none", 0.0

    # -- topics ---------------------------------------------------------------------------------
    def _topics(self, reading: _Reading, event_type: str) -> tuple[list[str], list[Evidence]]:
        topics: list[tuple[float, str, Hit | None]] = []
        for name, spec in self.rules.topics.items():
            score = 0.0
            strongest: tuple[float, Hit | None] = (0.0, None)
            for concept, concept_weight in spec.concepts.items():
                mass = 0.0
                for index, by_concept in reading.concept_hits.items():
                    for hit in by_concept.get(concept, ()):
                        value = position_weight(index)
                        mass += value
                        if value * concept_weight > strongest[0]:
                            strongest = (value * concept_weight, hit)
                score += min(mass, PER_CONTEXT_CAP) * concept_weight
            if event_type in spec.events:
                score += self.rules.thresholds.topic
            if score >= self.rules.thresholds.topic:
                topics.append((score, name, strongest[1]))
        topics.sort(key=lambda item: -item[0])
        evidence = [self._evidence(reading, f"topic:{name}", hit) for _, name, hit in topics if hit]
        return [name for _, name, _ in topics], evidence

    @staticmethod
    def _evidence(reading: _Reading, label: str, hit: Hit) -> Evidence:
        start, end = reading.span(hit)
        return Evidence(label, reading.norm.original[start:end], start, end)


def _homonym_keys(gazetteer: Gazetteer) -> frozenset[str]:
    """Foreign entities that share an ambiguous name with a Libyan one (Tripoli, Lebanon):
    their mentions are evidence that an article is about somewhere else."""
    from pipeline.text.normalize import normalize_phrase

    libyan_names = {
        normalize_phrase(name) for e in gazetteer.entities if e.libya for _, name in e.surface_forms()
    }
    return frozenset(
        e.key
        for e in gazetteer.entities
        if not e.libya and any(normalize_phrase(name) in libyan_names for name in e.ambiguous)
    )


def _with_ref(term: Term, key: str) -> Term:
    return term if term.ref == key else Term(term.layer, key, term.lang, term.surface, term.case_sensitive, True)


def _one_per_entity_span(hits: list[Hit]) -> list[Hit]:
    """Two names of one entity that normalise alike (Ghadames, Ghadamès) are one mention."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for hit in hits:
        key = (hit.term.ref, hit.start, hit.end)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique


def _outermost(hits: list[Hit]) -> list[Hit]:
    """Drop hits strictly inside a longer hit of the same layer (إطلاق النار inside
    وقف إطلاق النار, Tripoli inside Tripoli, Lebanon); hits on the same span all stay."""
    ordered = sorted(hits, key=lambda h: (h.start, -h.end))
    kept: list[Hit] = []
    cover_start, cover_end = -1, -1
    for hit in ordered:
        inside = cover_start <= hit.start and hit.end <= cover_end
        same = hit.start == cover_start and hit.end == cover_end
        if inside and not same:
            continue
        kept.append(hit)
        if hit.end > cover_end:
            cover_start, cover_end = hit.start, hit.end
    return kept


def _confidence(score: float, threshold: float) -> float:
    """0.5 at the threshold, approaching 1 as the score grows."""
    return round(1.0 / (1.0 + math.exp(-(score - threshold) / threshold * 2.0)), 4)


def data_fingerprint(*paths: Any) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@cache
def default_classifier() -> Classifier:
    gazetteer, rules = load_gazetteer(), load_rules()
    version = f"{ENGINE_VERSION}+{data_fingerprint(GAZETTEER_PATH, RULES_PATH)}"
    return Classifier(gazetteer, rules, version)


def classify(doc: Document) -> Classification:
    """Classify one article with the bundled gazetteer and rules."""
    return default_classifier().classify(doc)
