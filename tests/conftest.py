"""Shared fixtures: settings on a temporary data dir, the demo site, a fake Slack, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.demo.server import SiteServer
from pipeline.demo.site import catalogue_yaml, load_site, serve_site
from tests.fakes.postgres import ExternalServer, PostgresServer, PostgresUnavailable, start_server
from tests.fakes.slack import FakeSlack

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own monitor or Slack settings."""
    for name in list(os.environ):
        if (name.startswith("LIBYA_MONITOR_") and name != "LIBYA_MONITOR_TEST_PG_URL") or name == "SLACK_BOT_TOKEN":
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"LIBYA_MONITOR_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def demo_site() -> Iterator[SiteServer]:
    server = SiteServer()
    serve_site(server, load_site())
    with server:
        yield server


@pytest.fixture
def demo_settings(settings: Settings, demo_site: SiteServer) -> Settings:
    path = settings.data_dir / "demo-sources.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(catalogue_yaml(load_site(), demo_site.base_url), encoding="utf-8")
    return settings.with_changes(sources_path=path)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | ExternalServer]:
    external = os.environ.get("LIBYA_MONITOR_TEST_PG_URL")
    if external:
        yield ExternalServer(external)
        return
    try:
        server = start_server()
    except PostgresUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer | ExternalServer) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each storage test runs on the embedded default and on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'monitor.db'}"
    return str(request.getfixturevalue("postgres_url"))
