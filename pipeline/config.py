"""Settings from the environment (DESIGN.md, Configuration); read once, passed in everywhere."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_FILES_DIR = PACKAGE_DIR / "data"
DEFAULT_SOURCES = DATA_FILES_DIR / "sources.yaml"
SLACK_DEFAULT_BASE_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    sources_path: Path
    subscriptions_path: Path | None = None
    slack_bot_token: str | None = None
    slack_channel: str | None = None
    ops_channel: str | None = None
    slack_base_url: str = SLACK_DEFAULT_BASE_URL
    crawl_timeout_s: float = 900.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("LIBYA_MONITOR_DATA_DIR") or "data")
        database_url = env.get("LIBYA_MONITOR_DATABASE_URL") or f"sqlite:///{data_dir / 'monitor.db'}"
        subscriptions = env.get("LIBYA_MONITOR_SUBSCRIPTIONS")
        return cls(
            database_url=database_url,
            data_dir=data_dir,
            sources_path=Path(env.get("LIBYA_MONITOR_SOURCES") or DEFAULT_SOURCES),
            subscriptions_path=Path(subscriptions) if subscriptions else None,
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_channel=env.get("LIBYA_MONITOR_SLACK_CHANNEL") or None,
            ops_channel=env.get("LIBYA_MONITOR_OPS_CHANNEL") or None,
            slack_base_url=env.get("LIBYA_MONITOR_SLACK_BASE_URL") or SLACK_DEFAULT_BASE_URL,
            crawl_timeout_s=float(env.get("LIBYA_MONITOR_CRAWL_TIMEOUT") or 900),
        )

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def slack_configured(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def alerts_log(self) -> Path:
        return self.data_dir / "alerts.jsonl"

    def as_env(self) -> dict[str, str]:
        """The environment that gives a subprocess (a crawl) these same settings."""
        env = {
            "LIBYA_MONITOR_DATABASE_URL": self.database_url,
            "LIBYA_MONITOR_DATA_DIR": str(self.data_dir),
            "LIBYA_MONITOR_SOURCES": str(self.sources_path),
        }
        if self.subscriptions_path:
            env["LIBYA_MONITOR_SUBSCRIPTIONS"] = str(self.subscriptions_path)
        return env
