"""Classification rules (`data/rules.yaml`): concepts (keyword groups per language, or gazetteer
entities), weighted event rules over concepts co-occurring in a sentence, topics, modality cues
and the other theatres of war that compete with Libya for an article's attention."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from pipeline.config import DATA_FILES_DIR
from pipeline.datafiles import parse_model, read_yaml
from pipeline.errors import ConfigError

RULES_PATH = DATA_FILES_DIR / "rules.yaml"
VOCABULARY_PATH = DATA_FILES_DIR / "vocabulary.yaml"

DEVELOPMENT_TYPES = (
    "agreement",
    "meeting_talks",
    "withdrawal_foreign_forces",
    "monitoring_mechanism",
    "prisoner_exchange",
    "road_or_airport_reopening",
    "violation_or_clashes",
    "un_security_council",
)
EVENT_TYPES = (*DEVELOPMENT_TYPES, "statement_only", "none")
ConceptName = str


class Concept(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    en: list[str] = Field(default_factory=list)
    ar: list[str] = Field(default_factory=list)
    fr: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    # Concepts whose phrases are ignored inside this concept's longer phrases ("*": all).
    masks: list[str] = Field(default_factory=list)

    def phrases(self) -> list[tuple[str, str]]:
        return [(lang, phrase) for lang in ("en", "ar", "fr") for phrase in getattr(self, lang)]


class EventRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    all: list[ConceptName] = Field(min_length=1)
    none: list[ConceptName] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0)


class EventSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[EventRule] = Field(min_length=1)
    # Concepts whose presence in the title makes this event the main news when it is scored.
    topics: list[str] = Field(default_factory=list)


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concepts: dict[ConceptName, float] = Field(default_factory=dict)
    events: list[str] = Field(default_factory=list)


class Modality(BaseModel):
    """Concepts that change what an event cue means in its sentence."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    statement: ConceptName
    denial: ConceptName
    negation: ConceptName
    future: ConceptName
    background: ConceptName
    context: ConceptName
    plan: ConceptName
    security: list[ConceptName]
    statement_subjects: list[ConceptName]
    peripheral: ConceptName  # phrases that name Libya in passing ("near the Libyan border")
    opinion: ConceptName  # "this op-ed", "five years ago today": the piece is commentary


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event: float = Field(gt=0)
    statement: float = Field(gt=0)
    statement_cues: float = Field(gt=0)
    topic: float = Field(gt=0)
    libya: float = Field(gt=0, lt=1)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    thresholds: Thresholds
    concepts: dict[ConceptName, Concept]
    events: dict[str, EventSpec]
    topics: dict[str, TopicSpec]
    modality: Modality
    contexts: dict[str, list[ConceptName]]
    priority: list[str]

    @model_validator(mode="after")
    def _references_exist(self) -> Rules:
        known = set(self.concepts)
        used: list[tuple[str, str]] = []
        for event, spec in self.events.items():
            for rule in spec.rules:
                used += [(f"events.{event}", c) for c in (*rule.all, *rule.none)]
        for topic, topic_spec in self.topics.items():
            used += [(f"topics.{topic}", c) for c in topic_spec.concepts]
            bad = set(topic_spec.events) - set(DEVELOPMENT_TYPES) - {"statement_only"}
            if bad:
                raise ValueError(f"topics.{topic}: unknown events {sorted(bad)}")
        m = self.modality
        used += [("modality", c) for c in (m.statement, m.denial, m.negation, m.future, m.background, m.context, m.plan, m.peripheral, m.opinion, *m.security, *m.statement_subjects)]
        used += [(f"concepts.{n}.masks", c) for n, spec in self.concepts.items() for c in spec.masks if c != "*"]
        used += [(f"contexts.{name}", c) for name, concepts in self.contexts.items() for c in concepts]
        unknown = sorted({f"{where}: {concept}" for where, concept in used if concept not in known})
        if unknown:
            raise ValueError("unknown concepts: " + ", ".join(unknown))
        missing = set(DEVELOPMENT_TYPES) - set(self.events)
        if missing:
            raise ValueError(f"no rules for events {sorted(missing)}")
        unknown_events = set(self.events) - set(DEVELOPMENT_TYPES)
        if unknown_events:
            raise ValueError(f"unknown events {sorted(unknown_events)}; they are {list(DEVELOPMENT_TYPES)}")
        if set(self.priority) != set(DEVELOPMENT_TYPES):
            raise ValueError("priority must list every development type once")
        return self

    def entity_keys(self) -> set[str]:
        return {key for concept in self.concepts.values() for key in concept.entities}


class Vocabulary(RootModel[dict[str, dict[Literal["en", "ar", "fr"], list[str]]]]):
    """More phrases for the rules' concepts: concept -> language -> phrases."""


def load_rules(path: Path = RULES_PATH, vocabulary: Path | None = VOCABULARY_PATH) -> Rules:
    """The rules, with the vocabulary file's phrases added to their concepts."""
    data = read_yaml(path)
    if vocabulary is not None:
        extra = parse_model(Vocabulary, read_yaml(vocabulary) or {}, vocabulary).root
        concepts = data.get("concepts") if isinstance(data, dict) else None
        concepts = concepts if isinstance(concepts, dict) else {}
        unknown = sorted(name for name in extra if not isinstance(concepts.get(name), dict))
        if unknown:
            raise ConfigError(f"concepts not defined (or empty) in {path.name}: {unknown}", path=str(vocabulary))
        for name, langs in extra.items():
            for lang, phrases in langs.items():
                present = concepts[name].setdefault(lang, []) or []
                concepts[name][lang] = present + [p for p in phrases if p not in present]
    return parse_model(Rules, data, path)
