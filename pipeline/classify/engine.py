"""The classifier: one function from an article to its labels, with evidence (DESIGN.md contract).

How an article is read:
1. normalise title + "\\n" + text and scan it once for every gazetteer name and rule phrase
   (one Aho-Corasick automaton, `lexicon.py`);
2. resolve entities, and score Libya relevance against the other theatres (`entities.py`);
3. score the event types sentence by sentence, read the headline, decide (`events.py`).
`classify` backs the CLI, the pipeline's database path and `reclassify` alike.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from pipeline.classify.document import (
    Classification,
    Document,
    EntityCount,
    Evidence,
    parse_published,
)
from pipeline.classify.entities import EntityResolver
from pipeline.classify.events import EventScorer
from pipeline.classify.gazetteer import GAZETTEER_PATH, Gazetteer, load_gazetteer
from pipeline.classify.lexicon import Hit, Lexicon, Term, symbol_skeleton
from pipeline.classify.reading import Reading, one_per_entity_span, outermost, unmasked
from pipeline.classify.rules import (
    DEVELOPMENT_TYPES,
    RULES_PATH,
    VOCABULARY_PATH,
    Rules,
    load_rules,
)
from pipeline.text.lang import detect_language

__all__ = ["Classification", "Classifier", "Document", "EntityCount", "Evidence", "classify", "default_classifier", "parse_published"]

ENGINE_VERSION = "1.1"
YEARS = (1950, 2100)
YEAR_CONCEPT = "_YEAR"


class Classifier:
    def __init__(self, gazetteer: Gazetteer, rules: Rules, version: str) -> None:
        unknown = rules.entity_keys() - set(gazetteer.by_key)
        if unknown:
            raise ValueError(f"rules name entities missing from the gazetteer: {sorted(unknown)}")
        self.gazetteer = gazetteer
        self.rules = rules
        self.version = version
        self.lexicon = Lexicon(self._lexicon_entries())
        self.entity_concepts: dict[str, list[str]] = defaultdict(list)
        for name, concept in rules.concepts.items():
            for key in concept.entities:
                self.entity_concepts[key].append(name)
        self.entities = EntityResolver(gazetteer, rules.contexts, rules.modality.peripheral)
        self.events = EventScorer(rules)
        self.masks = {name: set(c.masks) for name, c in rules.concepts.items()}

    def _lexicon_entries(self) -> Iterable[tuple[str, Term]]:
        for entity in self.gazetteer.entities:
            sensitive, ambiguous = set(entity.case_sensitive), set(entity.ambiguous)
            for lang, name in entity.surface_forms():
                yield name, Term(
                    "entity", entity.key, lang, name, name in sensitive, name in ambiguous, symbol_skeleton(name)
                )
        for concept_name, concept in self.rules.concepts.items():
            for lang, phrase in concept.phrases():
                yield phrase, Term("concept", concept_name, lang, phrase, symbols=symbol_skeleton(phrase))
        # Years come with the one scan; which of them are past is decided per article.
        for year in range(YEARS[0], YEARS[1]):
            yield str(year), Term("concept", YEAR_CONCEPT, "", str(year))

    def classify(self, doc: Document) -> Classification:
        reading = Reading.of(doc)
        entity_hits, concept_hits = self.lexicon.scan_layers(reading.norm)
        entity_hits = outermost(one_per_entity_span(entity_hits))
        reading.years = [h for h in concept_hits if h.term.ref == YEAR_CONCEPT]
        if reading.years:
            concept_hits = [h for h in concept_hits if h.term.ref != YEAR_CONCEPT]
        concept_hits = unmasked(concept_hits, self.masks)
        reading.entity_hits = self.entities.resolve(entity_hits, concept_hits)
        reading.index_concepts(concept_hits, self._derived_concepts(reading))
        libya_score, libya_hits = self.entities.libya_relevance(reading)
        is_libya = libya_score >= self.rules.thresholds.libya
        scores = self.events.score(reading)
        event_type, confidence = self.events.decide(reading, is_libya, scores)
        topics = self.events.topics(reading, event_type)
        evidence = [self._evidence(reading, "libya", hit) for hit in libya_hits[:3]]
        if event_type in scores.best:
            evidence += [self._evidence(reading, f"event:{event_type}", h) for h in sorted(scores.best[event_type][1], key=lambda h: h.start)]
        evidence += [self._evidence(reading, f"topic:{name}", hit) for name, hit in topics if hit]
        return Classification(
            id=doc.id,
            lang=self._language(reading, concept_hits),
            is_libya=is_libya,
            libya_score=libya_score,
            topics=[name for name, _ in topics],
            is_ceasefire_development=is_libya and event_type in DEVELOPMENT_TYPES,
            event_type=event_type,
            confidence=confidence if event_type != "none" else 0.0,
            entities=self.entities.counts(reading),
            evidence=evidence,
            classifier_version=self.version,
        )

    def _derived_concepts(self, reading: Reading) -> dict[str, list[Hit]]:
        """Concept hits that come from elsewhere: entities that stand for a concept (Wagner is
        a foreign force), and past years (background, measured against the publication year)."""
        derived: dict[str, list[Hit]] = defaultdict(list)
        for hit, entity in reading.entity_hits:
            for concept in self.entity_concepts.get(entity.key, ()):
                derived[concept].append(hit)
        background = self.rules.modality.background
        reference_year = (reading.doc.published or datetime.now(UTC)).year
        for hit in reading.years:
            if int(hit.term.surface) < reference_year:
                derived[background].append(hit)
        return derived

    def _language(self, reading: Reading, concept_hits: list[Hit]) -> str:
        lang = reading.doc.lang
        votes = Counter(h.term.lang for h in concept_hits if h.term.lang in ("en", "fr"))
        hint = lang if lang in ("ar", "en", "fr") else (votes.most_common(1)[0][0] if votes else None)
        return detect_language(reading.norm.original, hint)

    @staticmethod
    def _evidence(reading: Reading, label: str, hit: Hit) -> Evidence:
        start, end = reading.span(hit)
        return Evidence(label, reading.norm.original[start:end], start, end)


def data_fingerprint(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@cache
def default_classifier() -> Classifier:
    gazetteer, rules = load_gazetteer(), load_rules()
    version = f"{ENGINE_VERSION}+{data_fingerprint(GAZETTEER_PATH, RULES_PATH, VOCABULARY_PATH)}"
    return Classifier(gazetteer, rules, version)


def classify(doc: Document) -> Classification:
    """Classify one article with the bundled gazetteer and rules."""
    return default_classifier().classify(doc)
