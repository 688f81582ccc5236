"""Which ceasefire-track event an article reports, if any.

Each event type has rules: concepts that must share a sentence (and concepts that block them).
A fired rule scores the sentence's weight (headline 3, lead 2, then 1 and 0.5) times the rule's
weight times the modality of its cues: a call or welcome before the cue, a denial, a negation,
"after"/"despite", a past year or "since the 2020 ceasefire", or the cue being what talks are
about ("a plan for the withdrawal") all discount it. Per rule, each concept's least-discounted
occurrence is used.

Headlines get special reading: a kicker before a colon is the topic, not the news; when two
events fire in a headline the one stated first is the news; a headline that names only the
subject earns part of its weight when the lead states the event; and a headline that is a
statement (a call, a welcome, a denial, a quotation or a question) makes the article
`statement_only` unless it states an event first.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.classify.entities import PER_CONTEXT_CAP
from pipeline.classify.lexicon import Hit
from pipeline.classify.reading import (
    LEAD_SENTENCES,
    TITLE_WEIGHT,
    Reading,
    position_weight,
    sentence_weight,
)
from pipeline.classify.rules import EventRule, Rules

STATEMENT_FACTOR = 0.15
DENIAL_FACTOR = 0.1
NEGATION_FACTOR = 0.2
BACKGROUND_FACTOR = 0.25
CONTEXT_FACTOR = 0.3
FUTURE_FACTOR = 0.8
PLAN_FACTOR = 0.35
KICKER_FACTOR = 0.4
HEADLINE_SHARE = 0.5
RANK_DECAY = 0.6  # a second event in the headline weighs 60% of its title score, a third 36%
NEAR_CHARS = 30
BACKGROUND_CHARS = 45
TIE_MARGIN = 0.85
OUTCOMES = {
    "violation_or_clashes": ("agreement", "monitoring_mechanism", "prisoner_exchange", "road_or_airport_reopening"),
    "meeting_talks": (
        "agreement", "monitoring_mechanism", "prisoner_exchange", "road_or_airport_reopening",
        "withdrawal_foreign_forces", "un_security_council",
    ),
}


@dataclass
class EventScores:
    scores: dict[str, float] = field(default_factory=dict)
    best: dict[str, tuple[float, list[Hit]]] = field(default_factory=dict)
    statement: float = 0.0  # weight of sentences that call, welcome, deny… about the track
    security: float = 0.0  # weight of sentences about the ceasefire track itself
    subjects: float = 0.0  # weight of sentences naming any security-track subject
    title_statement: bool = False  # the headline calls, welcomes, denies… before any event
    title_hedged: bool = False  # the headline asks or quotes: weaker than a statement
    opinion: bool = False  # the lead says it is an op-ed, analysis or anniversary piece
    title_events: list[str] = field(default_factory=list)  # events the headline states, first first


class EventScorer:
    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.modality = rules.modality
        self.security = set(rules.modality.security)
        self.subjects = set(rules.modality.statement_subjects)
        self.order = {event: i for i, event in enumerate(rules.priority)}
        # Rules indexed by each of their concepts: a sentence tries only rules it could fire.
        self._rules = [
            (event, number, rule, frozenset(rule.all), frozenset(rule.none))
            for event, spec in rules.events.items()
            for number, rule in enumerate(spec.rules)
        ]
        self._rules_with: dict[str, list[int]] = defaultdict(list)
        for position, (_, _, rule, _, _) in enumerate(self._rules):
            for concept in rule.all:
                self._rules_with[concept].append(position)
        self._topic_concepts = {c for spec in rules.topics.values() for c in spec.concepts}
        self._event_concepts = {c for _, _, rule, _, _ in self._rules for c in rule.all}

    # -- scoring --------------------------------------------------------------------------------
    def score(self, reading: Reading) -> EventScores:
        result = EventScores()
        scores: dict[str, float] = defaultdict(float)
        fired_in_body: dict[str, set[int]] = defaultdict(set)
        title_fires: list[tuple[int, str, float]] = []  # (trigger position, event, value)
        title_concepts = set(reading.concept_hits.get(0, {}))
        hint_headline = not title_concepts & self._event_concepts
        for index, by_concept in reading.concept_hits.items():
            weight = sentence_weight(index, hint_headline=hint_headline, lead_end=reading.feature_lead_end)
            if index <= LEAD_SENTENCES and by_concept.get(self.modality.opinion):
                result.opinion = True
            present = {c for c, hs in by_concept.items() if hs}
            if present & self.security:
                result.security += weight
            subjects = present & self.subjects
            if subjects:
                result.subjects += weight
                cues = [*by_concept.get(self.modality.statement, []), *by_concept.get(self.modality.denial, [])]
                first_subject = min(h.start for c in subjects for h in by_concept[c])
                if cues and min(h.start for h in cues) < first_subject:
                    result.statement += weight
            candidates = sorted({i for c in present for i in self._rules_with.get(c, ())})
            sentence_best: dict[str, tuple[float, list[Hit]]] = {}
            for position in candidates:
                event, number, rule, needed, blocked = self._rules[position]
                if not needed <= present or blocked & present:
                    continue
                hits, factor = self._choose_hits(by_concept, rule)
                if index == 0 and all(reading.in_kicker(h) for h in hits):
                    factor *= KICKER_FACTOR
                value = weight * rule.weight * factor
                if index > 0 and factor >= 0.5:
                    fired_in_body[event].add(number)
                if value > sentence_best.get(event, (0.0, []))[0]:
                    sentence_best[event] = (value, hits)
            for event, best in sentence_best.items():
                if best[0] > 0:
                    scores[event] += best[0]
                    if index == 0:
                        title_fires.append((min(h.start for h in best[1]), event, best[0]))
                    if best[0] > result.best.get(event, (0.0, []))[0]:
                        result.best[event] = best
        self._rank_headline_events(title_fires, scores)
        self._credit_headline(reading, fired_in_body, scores)
        result.scores = dict(scores)
        result.title_statement = self._headline_is_statement(reading, title_fires)
        result.title_hedged = reading.headline.question
        result.opinion = result.opinion or reading.headline.commentary
        result.title_events = [event for _, event, value in sorted(title_fires) if value >= TITLE_WEIGHT * 0.5]
        return result

    def _local_factor(self, by_concept: Mapping[str, list[Hit]], hit: Hit) -> float:
        """Discounts that depend on what stands right next to one cue."""
        m = self.modality
        factor = 1.0
        if any(hit.start - NEAR_CHARS <= h.start < hit.start for h in by_concept.get(m.negation, ())):
            factor *= NEGATION_FACTOR
        if any(hit.start - NEAR_CHARS <= h.start < hit.start for h in by_concept.get(m.context, ())):
            factor *= CONTEXT_FACTOR
        if any(abs(h.start - hit.start) <= NEAR_CHARS for h in by_concept.get(m.plan, ())):
            factor *= PLAN_FACTOR
        # A past year dates the cue on either side ("the 2020 ceasefire", "signed in 2020");
        # a phrase ("since the", "last month's") qualifies what follows it.
        if any(
            (abs(h.start - hit.start) <= BACKGROUND_CHARS) if h.term.surface.isdigit() else (hit.start - BACKGROUND_CHARS <= h.start < hit.start)
            for h in by_concept.get(m.background, ())
        ):
            factor *= BACKGROUND_FACTOR
        return factor

    def _choose_hits(self, by_concept: Mapping[str, list[Hit]], rule: EventRule) -> tuple[list[Hit], float]:
        """Per concept, its least-discounted occurrence; and the rule's modality factor."""
        chosen = []
        locals_ = []
        for concept in rule.all:
            local, _, hit = max(
                ((self._local_factor(by_concept, h), -h.start, h) for h in by_concept[concept]), key=lambda t: (t[0], t[1])
            )
            chosen.append(hit)
            locals_.append(local)
        trigger = min(h.start for h in chosen)
        factor = min(locals_)
        m = self.modality
        if any(h.start < trigger for h in by_concept.get(m.statement, ())):
            factor *= STATEMENT_FACTOR
        if by_concept.get(m.denial):
            factor *= DENIAL_FACTOR
        if any(h.start < trigger for h in by_concept.get(m.future, ())):
            factor *= FUTURE_FACTOR
        return chosen, factor

    @staticmethod
    def _rank_headline_events(title_fires: list[tuple[int, str, float]], scores: dict[str, float]) -> None:
        """"Truce agreed after clashes": the event a headline states first is its news."""
        for rank, (_, event, value) in enumerate(sorted(title_fires)):
            scores[event] -= value * (1 - RANK_DECAY**rank)

    def _credit_headline(self, reading: Reading, fired_in_body: Mapping[str, set[int]], scores: dict[str, float]) -> None:
        """"Foreign fighters flown out of Benghazi" names the subject; the lead states the
        event. A rule that fires in the body earns part of the headline's weight when the
        headline carries some of its concepts (and none that block it)."""
        title = reading.concept_hits.get(0)
        if not title:
            return
        present = {c for c, hs in title.items() if hs}
        for event, numbers in fired_in_body.items():
            spec = self.rules.events[event]
            if any(set(rule.all) <= present and not set(rule.none) & present for rule in spec.rules):
                continue  # the headline states the event itself: already scored
            credit = 0.0
            for number in numbers:
                rule = spec.rules[number]
                shared = [c for c in rule.all if c in present]
                if not shared or set(rule.none) & present:
                    continue
                hits = [min(title[c], key=lambda h: h.start) for c in shared]
                factor = min(self._local_factor(title, h) for h in hits)
                if all(reading.in_kicker(h) for h in hits):
                    factor *= KICKER_FACTOR
                if any(h.start < min(x.start for x in hits) for h in title.get(self.modality.statement, ())):
                    factor *= STATEMENT_FACTOR
                credit = max(credit, TITLE_WEIGHT * rule.weight * HEADLINE_SHARE * factor)
            scores[event] += credit

    def _headline_is_statement(self, reading: Reading, title_fires: list[tuple[int, str, float]]) -> bool:
        """A headline that calls, welcomes, warns, denies, quotes or asks, before it states
        any event of its own."""
        factual = [position for position, _, value in title_fires if value >= TITLE_WEIGHT * 0.5]
        if reading.headline.quoted:
            return not factual  # someone's words are the headline
        title = reading.concept_hits.get(0, {})
        cues = [
            h
            for h in (*title.get(self.modality.statement, ()), *title.get(self.modality.denial, ()))
            if not reading.in_kicker(h)
        ]
        if not cues:
            return False
        first_cue = min(h.start for h in cues)
        return not factual or first_cue < min(factual)

    # -- deciding -------------------------------------------------------------------------------
    def decide(self, reading: Reading, is_libya: bool, s: EventScores) -> tuple[str, float]:
        if not is_libya:
            return "none", 0.0
        thresholds = self.rules.thresholds
        about_track = s.security >= 2.0 or s.subjects >= 2.0 or s.statement > 0
        candidates = {e: v for e, v in s.scores.items() if v >= thresholds.event}
        if (s.title_statement or s.opinion) and about_track:
            return "statement_only", _confidence(max(s.statement, s.subjects), thresholds.statement_cues)
        if s.title_hedged and not candidates and s.security >= 2.0:
            return "statement_only", _confidence(s.security, thresholds.statement)
        if candidates:
            top = max(candidates.values())
            close = [e for e, v in candidates.items() if v >= TIE_MARGIN * top]
            # A truce or a deployment story narrates the fighting it ends; a meeting story, the
            # decision it took. Unless the headline states the broader event, the outcome is news.
            for broad, outcomes in OUTCOMES.items():
                if broad in close and broad not in s.title_events:
                    close += [e for e in candidates if e in outcomes and candidates[e] >= 0.5 * top]
            best = min(set(close), key=self.order.__getitem__)
            if s.statement >= 2 * s.scores[best]:
                return "statement_only", _confidence(s.statement, thresholds.statement_cues)
            return best, _confidence(s.scores[best], thresholds.event)
        if s.statement >= thresholds.statement_cues:
            return "statement_only", _confidence(s.statement, thresholds.statement_cues)
        if s.security >= thresholds.statement:
            return "statement_only", _confidence(s.security, thresholds.statement)
        return "none", 0.0

    # -- topics ---------------------------------------------------------------------------------
    def topics(self, reading: Reading, event_type: str) -> list[tuple[str, Hit | None]]:
        mass: dict[str, float] = defaultdict(float)
        strongest: dict[str, tuple[float, Hit]] = {}
        for index, by_concept in reading.concept_hits.items():
            weight = position_weight(index)
            for concept, hits in by_concept.items():
                if concept in self._topic_concepts and hits:
                    mass[concept] += weight * len(hits)
                    if weight > strongest.get(concept, (0.0, hits[0]))[0]:
                        strongest[concept] = (weight, hits[0])
        ranked: list[tuple[float, str, Hit | None]] = []
        for name, spec in self.rules.topics.items():
            score = sum(min(mass.get(c, 0.0), PER_CONTEXT_CAP) * w for c, w in spec.concepts.items())
            if event_type in spec.events:
                score += self.rules.thresholds.topic
            if score >= self.rules.thresholds.topic:
                best = max(
                    ((strongest[c][0] * w, strongest[c][1]) for c, w in spec.concepts.items() if c in strongest),
                    default=(0.0, None),
                    key=lambda pair: pair[0],
                )
                ranked.append((score, name, best[1]))
        ranked.sort(key=lambda item: -item[0])
        return [(name, hit) for _, name, hit in ranked]


def _confidence(score: float, threshold: float) -> float:
    """0.5 at the threshold, approaching 1 as the score grows."""
    return round(1.0 / (1.0 + math.exp(-(score - threshold) / threshold * 2.0)), 4)
