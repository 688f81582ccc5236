"""What every spider and component of one crawl process shares: settings, catalogue, database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine

from pipeline.catalogue import Catalogue, load_catalogue
from pipeline.config import Settings
from pipeline.db import ensure_schema


@dataclass(frozen=True)
class CrawlContext:
    settings: Settings
    catalogue: Catalogue
    engine: Engine


@cache
def crawl_context() -> CrawlContext:
    """Read once per process from the environment (the same variables as the CLI)."""
    settings = Settings.from_env()
    return CrawlContext(settings, load_catalogue(settings.sources_path), ensure_schema(settings.database_url))
