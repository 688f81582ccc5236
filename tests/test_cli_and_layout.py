"""Guard rails: every command documents itself with an example; `pipeline` stays free of
Scrapy and Airflow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [["run"], ["demo"], ["crawl"], ["classify"], ["reclassify"], ["eval"], ["alerts"], ["digest"], ["search"], ["sources"], ["db", "upgrade"], ["subscriptions", "add"], ["subscriptions", "list"], ["subscriptions", "remove"], ["subscriptions", "test"]]


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
