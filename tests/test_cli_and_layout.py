"""Guard rails: every command documents itself with an example; `pipeline` stays free of
Scrapy and Airflow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = [["run"], ["demo"], ["crawl"], ["classify"], ["reclassify"], ["eval"], ["alerts"], ["digest"], ["search"], ["sources"], ["maintenance"], ["db", "upgrade"], ["subscriptions", "add"], ["subscriptions", "list"], ["subscriptions", "remove"], ["subscriptions", "test"]]


def _registered(group: TyperGroup, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    found = []
    for name, command in group.commands.items():
        found += _registered(command, (*prefix, name)) if isinstance(command, TyperGroup) else [[*prefix, name]]
    return found


COMMANDS = sorted(_registered(typer.main.get_command(app)))  # type: ignore[arg-type]


def test_the_documented_commands_exist() -> None:
    assert sorted(DOCUMENTED) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_pipeline_imports_neither_scrapy_nor_airflow() -> None:
    offenders = []
    for path in (ROOT / "pipeline").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("scrapy", "airflow", "scrapers", "dags", "twisted")]
    assert offenders == []


def test_unknown_source_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIBYA_MONITOR_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["crawl", "--source", "no_such_source"])
    assert result.exit_code == 2
    assert "unknown source ids: no_such_source" in result.output


def test_maintenance_prunes_old_raw_html_and_keeps_the_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    from pipeline.catalogue import load_catalogue
    from pipeline.config import Settings
    from pipeline.crawlruns import sync_sources
    from pipeline.db import ensure_schema, session_scope
    from pipeline.ingest import ArticleRecord, store_article
    from pipeline.models import Article, RawPage, utcnow
    from tests.helpers import write_catalogue

    monkeypatch.setenv("LIBYA_MONITOR_DATA_DIR", str(tmp_path))
    settings = write_catalogue(Settings.from_env(), [{"id": "src", "urls": ["https://a.example/feed"]}])
    engine = ensure_schema(settings.database_url)
    with session_scope(engine) as session:
        sync_sources(session, load_catalogue(settings.sources_path).sources)
        for name in ("old", "new"):
            stored = store_article(session, ArticleRecord(url=f"https://a.example/{name}", source_id="src", title=name, text=name * 50, html=f"<p>{name}</p>".encode()))
            session.flush()
            if name == "old":
                session.get(RawPage, stored.article_id).fetched_at = utcnow() - timedelta(days=100)  # type: ignore[union-attr]
    result = CliRunner().invoke(app, ["maintenance", "--raw-html-days", "90"])
    assert result.exit_code == 0, result.output
    assert "1 page(s) older than 90 days deleted" in result.output and "VACUUM" in result.output
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(RawPage)) == 1
        assert session.scalar(select(func.count()).select_from(Article)) == 2
