"""Entities in an article: which names are mentions, what they are, how salient, and how much
they say the article is about Libya."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from pipeline.classify.document import EntityCount
from pipeline.classify.gazetteer import Gazetteer, GazetteerEntity
from pipeline.classify.lexicon import Hit, Term
from pipeline.classify.reading import LEAD_SENTENCES, Reading, position_weight
from pipeline.text.normalize import normalize_phrase

TYPE_WEIGHTS = {"place": 1.0, "facility": 1.0, "person": 1.5, "organization": 1.5, "armed_group": 1.5}
COUNTRY_WEIGHT = 2.0
COUNTRY_KEY = "libya"
PER_ENTITY_CAP = 4.0
PER_CONTEXT_CAP = 8.0
PERIPHERAL_WEIGHT = 0.2  # "near the Libyan border", "migrants heading to Libya"


class EntityResolver:
    def __init__(self, gazetteer: Gazetteer, contexts: Mapping[str, list[str]], peripheral_concept: str) -> None:
        self.gazetteer = gazetteer
        # Concepts that name another theatre (Gaza, Sudan, Lebanon…), and which theatre.
        self.theatre_of = {concept: name for name, concepts in contexts.items() for concept in concepts}
        self.context_concepts = set(self.theatre_of)
        self.peripheral_concept = peripheral_concept
        self.homonyms = homonym_keys(gazetteer)

    def resolve(self, hits: list[Hit], concept_hits: list[Hit]) -> list[tuple[Hit, GazetteerEntity]]:
        """Keep unambiguous mentions; decide ambiguous ones by the article's other mentions.

        A name shared by a Libyan and a foreign entity (Tripoli) goes to the side whose context
        is stronger, to Libya when there is none. A name that may not be an entity at all
        (Wagner, الزاوية) counts when the article names other entities, or nothing competes.
        """
        by_key = self.gazetteer.by_key
        certain = [(h, by_key[h.term.ref]) for h in hits if not h.term.ambiguous]
        libya_context = sum(1 for _, e in certain if e.libya)
        foreign_named = any(not e.libya for _, e in certain)
        other_context = sum(1 for _, e in certain if e.key in self.homonyms)
        other_context += sum(1 for h in concept_hits if h.term.ref in self.context_concepts)
        any_context = len(certain) + other_context
        resolved = list(certain)
        candidates_at: dict[tuple[int, int], list[GazetteerEntity]] = defaultdict(list)
        hit_at: dict[tuple[int, int], Hit] = {}
        for hit in hits:
            if hit.term.ambiguous:
                span = (hit.start, hit.end)
                entity = by_key[hit.term.ref]
                if entity not in candidates_at[span]:
                    candidates_at[span].append(entity)
                hit_at.setdefault(span, hit)
        for span, candidates in candidates_at.items():
            chosen = _choose(candidates, libya_context, other_context, any_context, foreign_named)
            if chosen is not None:
                hit = hit_at[span]
                resolved.append((Hit(_with_ref(hit.term, chosen.key), hit.start, hit.end), chosen))
        resolved.sort(key=lambda pair: pair[0].start)
        return resolved

    def counts(self, reading: Reading) -> list[EntityCount]:
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

    def libya_relevance(self, reading: Reading) -> tuple[float, list[Hit]]:
        """A score in [0, 1): Libya's weighted mentions against the other theatres'. Returns it
        with the Libya mentions that weighed most (for evidence)."""
        peripheral = [
            h for by_concept in reading.concept_hits.values() for h in by_concept.get(self.peripheral_concept, ())
        ]
        per_entity: dict[str, float] = defaultdict(float)
        first_hits: dict[str, Hit] = {}
        for hit, entity in reading.entity_hits:
            if not entity.libya:
                continue
            weight = position_weight(reading.sentence_of(hit))
            weight *= 0.5 if hit.term.ambiguous else 1.0
            if entity.key == COUNTRY_KEY and _inside_any(hit, peripheral):
                weight *= PERIPHERAL_WEIGHT
            per_entity[entity.key] += weight
            first_hits.setdefault(entity.key, hit)
        libya_mass = 0.0
        for key, mass in per_entity.items():
            entity = self.gazetteer.by_key[key]
            type_weight = COUNTRY_WEIGHT if key == COUNTRY_KEY else TYPE_WEIGHTS[entity.type]
            libya_mass += min(mass, PER_ENTITY_CAP) * type_weight
        theatre_of = self.theatre_of
        per_theatre: dict[str, float] = defaultdict(float)
        other_lead = 0.0
        for index, by_concept in reading.concept_hits.items():
            weight = position_weight(index)
            for concept, concept_hits in by_concept.items():
                theatre = theatre_of.get(concept)
                if theatre is not None:
                    per_theatre[theatre] += weight * len(concept_hits)
                    if 1 <= index <= LEAD_SENTENCES:
                        other_lead += weight * len(concept_hits)
        other_mass = sum(min(mass, PER_CONTEXT_CAP) for mass in per_theatre.values())
        for hit, entity in reading.entity_hits:
            if entity.key in self.homonyms:
                other_mass += position_weight(reading.sentence_of(hit))
        score = libya_mass / (libya_mass + other_mass + 1.5) if libya_mass else 0.0
        if other_lead:
            # What the lead is about decides: a war elsewhere that keeps naming Libya further
            # down (a comparison, a border) is still a story about elsewhere. The headline is
            # left out: it often only hints ("A truce far from Tripoli", "Iliouchine vers Bamako").
            libya_lead = sum(
                weight for hit, entity in reading.entity_hits
                if entity.libya and 1 <= (index := reading.sentence_of(hit)) <= LEAD_SENTENCES
                for weight in [position_weight(index) * (PERIPHERAL_WEIGHT if _inside_any(hit, peripheral) else 1.0)]
            )
            score *= 0.4 + 0.6 * libya_lead / (libya_lead + other_lead)
        ranked = sorted(per_entity, key=per_entity.__getitem__, reverse=True)
        return score, [first_hits[key] for key in ranked]


def _choose(
    candidates: list[GazetteerEntity], libya_context: int, other_context: int, any_context: int, foreign_named: bool
) -> GazetteerEntity | None:
    libyan = [e for e in candidates if e.libya]
    foreign = [e for e in candidates if not e.libya]
    if libyan and foreign:
        if other_context > libya_context:
            return foreign[0]
        if libya_context > 0 or other_context == 0:
            return libyan[0]
        return None
    # "the Interior Ministry" is Libya's only in an article that names Libya somewhere, or one
    # that names no other country either.
    if libyan and (libya_context > 0 or (other_context == 0 and not foreign_named)):
        return libyan[0]
    if foreign and any_context > 0:
        return foreign[0]
    return None


def _inside_any(hit: Hit, spans: Iterable[Hit]) -> bool:
    return any(s.start <= hit.start and hit.end <= s.end for s in spans)


def homonym_keys(gazetteer: Gazetteer) -> frozenset[str]:
    """Foreign entities that share an ambiguous name with a Libyan one (Tripoli, Lebanon):
    their mentions are evidence that an article is about somewhere else."""
    libyan_names = {normalize_phrase(name) for e in gazetteer.entities if e.libya for _, name in e.surface_forms()}
    return frozenset(
        e.key
        for e in gazetteer.entities
        if not e.libya and any(normalize_phrase(name) in libyan_names for name in e.ambiguous)
    )


def _with_ref(term: Term, key: str) -> Term:
    return term if term.ref == key else Term(term.layer, key, term.lang, term.surface, term.case_sensitive, True)
