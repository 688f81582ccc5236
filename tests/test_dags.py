"""The DAGs: they load, document themselves, do nothing at import, and run the real pipeline
under `dag.test()` against a migrated SQLite metadata database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from pipeline.config import Settings
from pipeline.db import get_engine, session_scope
from pipeline.models import AlertOutbox, Article, CrawlRun, Development
from tests.fakes.slack import FakeSlack
from tests.helpers import hang, write_catalogue

pytestmark = pytest.mark.airflow
ROOT = Path(__file__).resolve().parents[1]
RUNNER = ROOT / "tests" / "airflow_runner.py"


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("airflow-home")
    # The developer's own monitor settings must not reach the DAGs under test.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LIBYA_MONITOR_") and k != "SLACK_BOT_TOKEN"},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
    }
    done = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return env


def _run(env: dict[str, str], *args: str, timeout: int = 900) -> dict:
    done = subprocess.run([sys.executable, str(RUNNER), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-5000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_all_dags_load_with_tags_retries_and_docs(airflow_home: dict[str, str]) -> None:
    result = _run(airflow_home, "load")
    assert result["errors"] == {}
    assert set(result["dags"]) == {"libya_monitor_ingest", "libya_monitor_digest", "libya_monitor_maintenance"}
    for dag in result["dags"].values():
        assert "libya-monitor" in dag["tags"] and dag["doc_md"]
        assert all(r >= 1 for r in dag["retries"]) and dag["max_active_runs"] == 1 and dag["catchup"] is False
    assert {"enabled_sources", "crawl", "classify", "group", "alert"} <= set(result["dags"]["libya_monitor_ingest"]["tasks"])
    schedules = {dag_id: dag["schedule"] for dag_id, dag in result["dags"].items()}
    assert schedules == {  # the defaults the README documents
        "libya_monitor_ingest": "*/10 * * * *", "libya_monitor_digest": "0 7 * * *", "libya_monitor_maintenance": "0 3 * * 0",
    }


def test_importing_dag_files_opens_no_socket_and_no_database(airflow_home: dict[str, str]) -> None:
    result = _run(airflow_home, "imports")
    assert result == {"opened": [], "heavy_imports": []}


def _dag_env(airflow_home: dict[str, str], settings: Settings, slack: FakeSlack, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in airflow_home.items() if not k.startswith("LIBYA_MONITOR_") and k != "SLACK_BOT_TOKEN"}
    env.update(
        {
            "LIBYA_MONITOR_DATA_DIR": str(settings.data_dir),
            "LIBYA_MONITOR_SOURCES": str(settings.sources_path),
            "LIBYA_MONITOR_TASK_RETRIES": "0",
            "LIBYA_MONITOR_CRAWL_TIMEOUT": "60",
            # The monitor's database and Slack come from Airflow connections, as in production.
            "AIRFLOW_CONN_LIBYA_MONITOR_DB": json.dumps({"conn_type": "generic", "extra": {"sqlalchemy_url": database_url}}),
            "AIRFLOW_CONN_SLACK_ALERTS": json.dumps(
                {"conn_type": "slack", "password": "xoxb-test", "extra": {"base_url": slack.base_url, "channel": "C-ALERTS", "ops_channel": "C-OPS"}}
            ),
        }
    )
    return env


def _ingest_twice(env: dict[str, str], slack: FakeSlack, database_url: str) -> None:
    first = _run(env, "test", "libya_monitor_ingest")
    assert first["state"] == "success", first
    engine = get_engine(database_url)
    with session_scope(engine) as session:
        articles = session.scalar(select(func.count()).select_from(Article))
        developments = session.scalar(select(func.count()).select_from(Development))
        sent = session.scalar(select(func.count()).select_from(AlertOutbox).where(AlertOutbox.state == "sent"))
    assert articles == 38 and developments == 8 and sent == 8
    assert len(slack.posts("C-ALERTS")) == 8
    second = _run(env, "test", "libya_monitor_ingest")
    assert second["state"] == "success"
    assert len(slack.posts("C-ALERTS")) == 8, "a second run sends nothing"
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 38


@pytest.mark.slow
def test_ingest_dag_runs_the_pipeline(airflow_home, demo_settings: Settings, fake_slack: FakeSlack) -> None:
    # Not the data directory's default monitor.db: the rows must be where the connection says.
    url = f"sqlite:///{demo_settings.data_dir / 'via-connection.db'}"
    _ingest_twice(_dag_env(airflow_home, demo_settings, fake_slack, url), fake_slack, url)


@pytest.mark.slow
@pytest.mark.postgres
def test_ingest_dag_on_postgresql(airflow_home, demo_settings: Settings, fake_slack: FakeSlack, postgres_url: str) -> None:
    _ingest_twice(_dag_env(airflow_home, demo_settings, fake_slack, postgres_url), fake_slack, postgres_url)


@pytest.mark.slow
def test_a_crashing_spider_fails_only_its_task(airflow_home, demo_settings: Settings, demo_site, fake_slack: FakeSlack) -> None:
    demo_site.add("/stuck/feed.xml", hang(60))
    catalogue = yaml.safe_load(demo_settings.sources_path.read_text(encoding="utf-8"))["sources"]
    settings = write_catalogue(demo_settings, [*catalogue, {"id": "stuck_source", "urls": [f"{demo_site.base_url}/stuck/feed.xml"]}])
    url = f"sqlite:///{settings.data_dir / 'monitor.db'}"
    env = _dag_env(airflow_home, settings, fake_slack, url) | {"LIBYA_MONITOR_CRAWL_TIMEOUT": "8"}
    result = _run(env, "test", "libya_monitor_ingest")
    crawl_states = [state for task, state in result["tasks"].items() if task.startswith("crawl[")]
    assert sorted(crawl_states).count("failed") == 1 and crawl_states.count("success") == 4
    assert result["tasks"]["classify"] == "success" and result["tasks"]["alert"] == "success"
    assert len(fake_slack.posts("C-ALERTS")) == 8, "what the other sources collected is alerted"
    assert any("stuck_source" in (p["text"] or "") for p in fake_slack.posts("C-OPS")), "the failure reaches the ops channel"
    with session_scope(get_engine(url)) as session:
        assert session.scalar(select(CrawlRun.status).where(CrawlRun.source_id == "stuck_source")) == "timeout"


@pytest.mark.slow
def test_digest_dag_posts_one_digest_per_subscription(airflow_home, demo_settings: Settings, fake_slack: FakeSlack, tmp_path: Path) -> None:
    subscriptions = tmp_path / "subscriptions.yaml"
    subscriptions.write_text(yaml.safe_dump({"subscriptions": [
        {"id": "everything", "channel": "C-ALERTS"},
        {"id": "talks-only", "channel": "#libya-ceasefire", "event_types": ["meeting_talks"]},
    ]}), encoding="utf-8")
    url = f"sqlite:///{demo_settings.data_dir / 'monitor.db'}"
    env = _dag_env(airflow_home, demo_settings, fake_slack, url) | {"LIBYA_MONITOR_SUBSCRIPTIONS": str(subscriptions)}
    assert _run(env, "test", "libya_monitor_ingest")["state"] == "success"
    digest = _run(env, "test", "libya_monitor_digest")
    assert digest["state"] == "success", digest
    digests = [p for p in fake_slack.posts() if p["metadata"]["event_payload"]["alert_key"].split(":")[1] == "digest"]
    assert sorted(p["channel"] for p in digests) == ["#libya-ceasefire", "C-ALERTS"]
    assert len(fake_slack.state.files) == 2 and all(f.get("channel") for f in fake_slack.state.files)
    assert all(body.startswith(b"\x89PNG") for body in fake_slack.state.uploads.values())
