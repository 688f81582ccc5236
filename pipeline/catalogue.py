"""The source catalogue (`data/sources.yaml`): which outlets to read, how, and who they are."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from pipeline.datafiles import load_model
from pipeline.errors import ConfigError

Kind = Literal["feed", "sitemap", "listing", "gdelt", "reliefweb"]
Provenance = Literal["un_official", "libyan_west", "libyan_east", "libyan_independent", "international"]
Lang = Literal["ar", "en", "fr"]
PROVENANCE_LABELS = {
    "un_official": "UN / official",
    "libyan_west": "Libyan, west-aligned",
    "libyan_east": "Libyan, east-aligned",
    "libyan_independent": "Libyan, independent",
    "international": "international",
}


class ListingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    article_links: str = Field(min_length=1)
    next_page: str | None = None
    max_pages: int = Field(default=1, ge=1, le=20)


class ExtractSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = None
    body: str | None = None
    date: str | None = None
    author: str | None = None


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9_]{2,64}$")
    name: str = Field(min_length=1)
    homepage: HttpUrl
    kind: Kind
    urls: list[HttpUrl] = Field(min_length=1)
    langs: list[Lang] = Field(min_length=1)
    country: str = Field(pattern=r"^([A-Z]{2}|INT)$")
    provenance: Provenance
    timezone: str = "UTC"
    enabled: bool = True
    verified: bool = False
    evidence: str | None = None
    listing: ListingSettings | None = None
    extract: ExtractSettings | None = None
    encoding: str | None = None
    query: str | None = None
    backfill_days: float = Field(default=3.0, gt=0, le=365)
    max_articles_per_run: int = Field(default=200, ge=1, le=5000)
    # Health flags: failing after this many failed runs in a row, silent after this long
    # without a new article (a weekly outlet wants a longer wait than a wire).
    failures_flag: int = Field(default=3, ge=1, le=100)
    silent_after_hours: float = Field(default=72.0, gt=0, le=24 * 90)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import codecs

        try:
            codecs.lookup(value)
        except LookupError as exc:
            raise ValueError(f"unknown encoding {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _kind_settings(self) -> Source:
        if self.kind == "listing" and self.listing is None:
            raise ValueError("kind 'listing' needs listing.article_links")
        return self

    @property
    def url_strings(self) -> list[str]:
        return [str(url) for url in self.urls]


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalogue:
        seen: set[str] = set()
        for source in self.sources:
            if source.id in seen:
                raise ValueError(f"duplicate source id {source.id!r}")
            seen.add(source.id)
        return self

    @cached_property
    def by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    def enabled(self) -> list[Source]:
        return [source for source in self.sources if source.enabled]

    def select(self, ids: list[str] | None) -> list[Source]:
        """The enabled sources, or exactly the named ones (enabled or not)."""
        if not ids:
            return self.enabled()
        unknown = [i for i in ids if i not in self.by_id]
        if unknown:
            raise ConfigError(f"unknown source ids: {', '.join(unknown)}")
        return [self.by_id[i] for i in ids]


def load_catalogue(path: Path) -> Catalogue:
    return load_model(Catalogue, path)
