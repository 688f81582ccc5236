"""
### Libya monitor: ingest

Every 10 minutes by default (`LIBYA_MONITOR_INGEST_SCHEDULE`, a cron expression): crawl each
enabled source of the catalogue in its own mapped task (`scrapy crawl` in a subprocess, with a
timeout), then classify new articles, group them into developments, and deliver alerts.

A source that crashes or times out fails its own task; the others carry on and the following
steps run on what was collected (`trigger_rule=all_done`). Zero new articles is not a failure.
Every task can be retried: storage, labels, developments and the alert outbox are keyed so that
nothing is stored or sent twice. Runs never overlap (`max_active_runs=1`).

Configuration: connection `libya_monitor_db` (or `LIBYA_MONITOR_DATABASE_URL`), connection
`slack_alerts` (password: bot token; extras `base_url`, `channel`, `ops_channel`) or
`SLACK_BOT_TOKEN`. Task failures are posted to the ops channel.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Asset, TriggerRule, dag, task

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared module beside this file
from libya_monitor_common import DEFAULT_ARGS, monitor_settings

ARTICLES = Asset("libya-monitor://articles")
SCHEDULE = os.environ.get("LIBYA_MONITOR_INGEST_SCHEDULE") or "*/10 * * * *"
CRAWL_TIMEOUT = timedelta(seconds=float(os.environ.get("LIBYA_MONITOR_CRAWL_TIMEOUT") or 900))


@dag(
    dag_id="libya_monitor_ingest",
    schedule=SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["libya-monitor", "ingest"],
    doc_md=__doc__,
)
def libya_monitor_ingest() -> None:
    @task
    def enabled_sources() -> list[dict[str, str]]:
        from pipeline.jobs import enabled_sources as sources

        return sources(monitor_settings())

    @task(outlets=[ARTICLES], execution_timeout=CRAWL_TIMEOUT + timedelta(minutes=2), max_active_tis_per_dag=8)
    def crawl(source: dict[str, str], run_id: str | None = None) -> dict[str, Any]:
        from pipeline.jobs import crawl_one_source

        return crawl_one_source(monitor_settings(), source["id"], cycle_id=f"airflow-{run_id}")

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def classify() -> dict[str, int]:
        from pipeline.jobs import classify_new

        duplicates, report = classify_new(monitor_settings())
        return {"near_duplicates": duplicates, "classified": report.classified, "developments": report.developments}

    @task
    def group() -> dict[str, int]:
        from pipeline.jobs import group_new

        report = group_new(monitor_settings())
        return {"created": len(report.created), "updated": len(report.updated), "escalated": len(report.escalated)}

    @task
    def alert() -> dict[str, int]:
        from pipeline.jobs import alert_step

        return alert_step(monitor_settings()).summary()

    crawled = crawl.expand(source=enabled_sources())
    crawled >> classify() >> group() >> alert()


libya_monitor_ingest()
