"""Runs Airflow work for the test suite in a separate process (Airflow's configuration and ORM
are process-global). Usage: python tests/airflow_runner.py load | imports | test DAG_ID.
The last line printed is a JSON result."""

from __future__ import annotations

import json
import socket
import sqlite3
import sys
from pathlib import Path

DAGS = Path(__file__).resolve().parents[1] / "dags"


def load() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "tags": sorted(dag.tags),
            "doc_md": bool(dag.doc_md and dag.doc_md.strip()),
            "retries": [task.retries for task in dag.tasks],
            "max_active_runs": dag.max_active_runs,
            "catchup": dag.catchup,
            "schedule": str(getattr(dag, "schedule", "")),
            "tasks": sorted(t.task_id for t in dag.tasks),
        }
    return {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": dags}


# Our code, and what would mean work or a database at parse time: psycopg connects from C,
# where no Python socket hook sees it, so importing it at all is what is forbidden.
HEAVY = ("pipeline", "scrapers", "scrapy", "trafilatura", "sqlalchemy", "psycopg", "matplotlib")


def imports() -> dict:
    """Import every DAG file with sockets and database connections forbidden."""
    import runpy

    import airflow.sdk  # noqa: F401 - Airflow itself may set up at import; our files may not

    opened: list[str] = []
    real_connect, real_sqlite = socket.socket.connect, sqlite3.connect

    def no_socket(self, address):  # type: ignore[no-untyped-def]
        opened.append(f"socket {address}")
        return real_connect(self, address)

    def no_sqlite(*args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(f"sqlite {args[:1]}")
        return real_sqlite(*args, **kwargs)

    socket.socket.connect = no_socket  # type: ignore[method-assign]
    sqlite3.connect = no_sqlite  # type: ignore[assignment]
    sys.path.insert(0, str(DAGS))
    heavy_before = {m.split(".")[0] for m in sys.modules if m.split(".")[0] in HEAVY}
    try:
        for path in sorted(DAGS.glob("*.py")):
            runpy.run_path(str(path), run_name=path.stem)
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        sqlite3.connect = real_sqlite  # type: ignore[assignment]
    heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in HEAVY} - heavy_before)
    return {"opened": opened, "heavy_imports": heavy}


def test(dag_id: str) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    dag = bag.get_dag(dag_id)
    run = dag.test()
    states = {}
    for ti in run.get_task_instances():
        key = ti.task_id + (f"[{ti.map_index}]" if ti.map_index >= 0 else "")
        states[key] = str(ti.state)
    return {"state": str(run.state), "tasks": states}


if __name__ == "__main__":
    command = sys.argv[1]
    result = {"load": load, "imports": imports}[command]() if command != "test" else test(sys.argv[2])
    print(json.dumps(result))
