"""
### Libya monitor: daily digest

Once a day at `LIBYA_MONITOR_DIGEST_CRON` (default `0 7 * * *`) in Libya time (Africa/Tripoli):
one digest per enabled subscription with the last 24 hours of developments by event type, the
sources that went silent or keep failing, and a chart of ceasefire-related articles per day over
30 days. Each digest is keyed by subscription and day, so a retried task posts nothing twice.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pendulum
from airflow.sdk import dag, task

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared module beside this file
from libya_monitor_common import DEFAULT_ARGS, monitor_settings

SCHEDULE = os.environ.get("LIBYA_MONITOR_DIGEST_CRON") or "0 7 * * *"


@dag(
    dag_id="libya_monitor_digest",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz="Africa/Tripoli"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["libya-monitor", "digest"],
    doc_md=__doc__,
)
def libya_monitor_digest() -> None:
    @task
    def subscriptions() -> list[str]:
        from pipeline.digest import subscription_ids

        return subscription_ids(monitor_settings())

    @task
    def send(subscription_id: str, data_interval_end: pendulum.DateTime | None = None) -> dict[str, str]:
        from pipeline.digest import send_digest

        return send_digest(monitor_settings(), subscription_id, until=data_interval_end)

    send.expand(subscription_id=subscriptions())


libya_monitor_digest()
