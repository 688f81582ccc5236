"""The classifier's input and output types (DESIGN.md, Classification contract)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_INPUT_CHARS = 200_000  # longer texts are classified on their first 200k characters


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

        def optional(name: str) -> str | None:
            value = data.get(name)
            return value if isinstance(value, str) else None

        return cls(
            id=str(data["id"]),
            title=data["title"],
            text=data["text"],
            lang=optional("lang"),
            url=optional("url"),
            published=parse_published(data.get("published")),
            source=optional("source"),
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
