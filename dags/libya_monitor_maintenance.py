"""
### Libya monitor: weekly maintenance

Re-labels the archive when the classifier version changed, prunes stored raw HTML older than
`LIBYA_MONITOR_RAW_HTML_DAYS` (default 90), and runs the database's maintenance (ANALYZE, and
VACUUM on SQLite). Every step is safe to repeat.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared module beside this file
from libya_monitor_common import DEFAULT_ARGS, monitor_settings

RETENTION_DAYS = int(os.environ.get("LIBYA_MONITOR_RAW_HTML_DAYS") or 90)


@dag(
    dag_id="libya_monitor_maintenance",
    schedule=os.environ.get("LIBYA_MONITOR_MAINTENANCE_CRON") or "0 3 * * 0",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["libya-monitor", "maintenance"],
    doc_md=__doc__,
)
def libya_monitor_maintenance() -> None:
    @task
    def reclassify() -> dict[str, int]:
        from pipeline.maintenance import relabel_archive

        return relabel_archive(monitor_settings())

    @task
    def prune_raw_html() -> int:
        from pipeline.maintenance import prune_raw_pages

        return prune_raw_pages(monitor_settings(), older_than_days=RETENTION_DAYS)

    @task
    def database_maintenance() -> str:
        from pipeline.maintenance import database_maintenance as run

        return run(monitor_settings())

    reclassify() >> prune_raw_html() >> database_maintenance()


libya_monitor_maintenance()
