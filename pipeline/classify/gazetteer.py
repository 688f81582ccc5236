"""The entity gazetteer (`data/gazetteer.yaml`): Libya's people, organisations, armed groups,
places and facilities, with Wikidata ids and their names as outlets spell them."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.config import DATA_FILES_DIR
from pipeline.datafiles import load_model

GAZETTEER_PATH = DATA_FILES_DIR / "gazetteer.yaml"
EntityType = Literal["person", "organization", "armed_group", "place", "facility"]
Lang = Literal["ar", "en", "fr"]


class GazetteerEntity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    id: str | None = Field(default=None, pattern=r"^Q[1-9][0-9]*$")
    type: EntityType
    libya: bool
    names: dict[Lang, str]
    aliases: dict[Lang, list[str]] = Field(default_factory=dict)
    case_sensitive: list[str] = Field(default_factory=list)
    ambiguous: list[str] = Field(default_factory=list)
    parent: str | None = None

    @field_validator("names")
    @classmethod
    def _all_languages(cls, names: dict[str, str]) -> dict[str, str]:
        missing = {"ar", "en", "fr"} - {lang for lang, name in names.items() if name.strip()}
        if missing:
            raise ValueError(f"names missing for {sorted(missing)}")
        return names

    @field_validator("aliases")
    @classmethod
    def _no_blank_alias(cls, aliases: dict[str, list[str]]) -> dict[str, list[str]]:
        for lang, names in aliases.items():
            if any(not name or not name.strip() for name in names):
                raise ValueError(f"blank alias in {lang}")
        return aliases

    @property
    def entity_id(self) -> str:
        """The Wikidata id, or a stable local id when the entity has none."""
        return self.id or f"LM:{self.key}"

    def surface_forms(self) -> list[tuple[str, str]]:
        """(language, name) for every canonical name and alias, without repeats."""
        seen: set[str] = set()
        forms: list[tuple[str, str]] = []
        for lang, name in [*self.names.items(), *((code, a) for code, names in self.aliases.items() for a in names)]:
            if name not in seen:
                seen.add(name)
                forms.append((lang, name))
        return forms


class Gazetteer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    entities: list[GazetteerEntity]

    @model_validator(mode="after")
    def _unique_and_linked(self) -> Gazetteer:
        keys: set[str] = set()
        ids: set[str] = set()
        for entity in self.entities:
            if entity.key in keys:
                raise ValueError(f"duplicate key {entity.key!r}")
            keys.add(entity.key)
            if entity.id and entity.id in ids:
                raise ValueError(f"Wikidata id {entity.id} used twice (second: {entity.key!r})")
            if entity.id:
                ids.add(entity.id)
        for entity in self.entities:
            if entity.parent and entity.parent not in keys:
                raise ValueError(f"{entity.key!r}: parent {entity.parent!r} is not a key")
            names = {name for _, name in entity.surface_forms()}
            for flag in ("case_sensitive", "ambiguous"):
                unknown = set(getattr(entity, flag)) - names
                if unknown:
                    raise ValueError(f"{entity.key!r}: {flag} lists unknown aliases {sorted(unknown)}")
        return self

    @cached_property
    def by_key(self) -> dict[str, GazetteerEntity]:
        return {entity.key: entity for entity in self.entities}

    @cached_property
    def by_id(self) -> dict[str, GazetteerEntity]:
        return {entity.entity_id: entity for entity in self.entities}


def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    return load_model(Gazetteer, path)
