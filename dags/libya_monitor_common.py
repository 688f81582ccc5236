"""Shared by the monitor's DAGs: settings from Airflow connections, and failure notices.

Kept light: DAG files import it at parse time, so it imports nothing but the standard library
and `airflow.sdk`; the monitor's own code is imported inside the functions, at run time.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

DB_CONNECTION = "libya_monitor_db"
SLACK_CONNECTION = "slack_alerts"
log = logging.getLogger(__name__)



def _connection(conn_id: str) -> Any | None:
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except Exception:  # noqa: BLE001 - Airflow raises its own not-found error types; absent means "use env"
        return None


def database_url_from(connection: Any) -> str:
    extra = connection.extra_dejson or {}
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    kind = (connection.conn_type or "").lower()
    if kind == "sqlite":
        return f"sqlite:///{connection.host}"
    if kind in ("postgres", "postgresql"):
        from sqlalchemy.engine import URL  # escapes a password with "@" or "/" in it

        url = URL.create(
            "postgresql+psycopg", username=connection.login or None, password=connection.password or None,
            host=connection.host or None, port=connection.port or None, database=connection.schema or None,
        )
        return url.render_as_string(hide_password=False)
    raise ValueError(f"connection {DB_CONNECTION}: unsupported type {connection.conn_type!r} (use postgres or sqlite)")


def monitor_settings() -> Any:
    """The monitor's settings: environment first, overridden by Airflow connections
    `libya_monitor_db` and `slack_alerts` when they exist. Never Airflow's own database."""
    from pipeline.config import SLACK_DEFAULT_BASE_URL, Settings

    settings = Settings.from_env()
    database = _connection(DB_CONNECTION)
    if database is not None:
        settings = settings.with_changes(database_url=database_url_from(database))
    slack = _connection(SLACK_CONNECTION)
    if slack is not None and slack.password:
        extra = slack.extra_dejson or {}
        settings = settings.with_changes(
            slack_bot_token=slack.password,
            slack_base_url=extra.get("base_url") or settings.slack_base_url or SLACK_DEFAULT_BASE_URL,
            slack_channel=extra.get("channel") or settings.slack_channel,
            ops_channel=extra.get("ops_channel") or settings.ops_channel,
        )
    return settings


def notify_ops(context: dict[str, Any]) -> None:
    """on_failure_callback: tell the ops channel which task failed and why."""
    task_instance = context.get("task_instance") or context.get("ti")
    dag_id = getattr(task_instance, "dag_id", "?")
    task_id = getattr(task_instance, "task_id", "?")
    map_index = getattr(task_instance, "map_index", -1)
    where = f"{dag_id}.{task_id}" + (f"[{map_index}]" if map_index not in (None, -1) else "")
    error = context.get("exception")
    text = f":x: Libya monitor task {where} failed: {error}"
    log.error(text)
    try:
        from pipeline.jobs import post_ops_notice

        post_ops_notice(monitor_settings(), text, key=f"ops:{where}:{context.get('run_id', '')}")
    except Exception as exc:  # noqa: BLE001 - a failing notice must not hide the task's own failure
        log.error("could not notify the ops channel: %s", exc)


# Every task of every DAG: retried with backoff, and its failure posted to the ops channel.
DEFAULT_ARGS: dict[str, Any] = {
    "owner": "libya-monitor",
    "retries": int(os.environ.get("LIBYA_MONITOR_TASK_RETRIES") or 2),
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "on_failure_callback": notify_ops,
}
