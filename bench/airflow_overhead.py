"""Airflow's overhead: wall time of a `dag.test()` ingest run versus `libya-monitor run` on the
same demo site, each on a fresh database. Prints figures.

    .venv/bin/python -m bench.airflow_overhead   (needs the airflow extra: make setup-dev)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.demo.server import SiteServer
from pipeline.demo.site import catalogue_yaml, load_site, serve_site

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-airflow-"))
    home = folder / "airflow"
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"), "PYTHONWARNINGS": "ignore",
           "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, capture_output=True, check=True, timeout=600)
    print(f"airflow db migrate (once per installation): {time.perf_counter() - start:.1f}s")
    with SiteServer() as server:
        serve_site(server, load_site())
        catalogue = folder / "sources.yaml"
        catalogue.write_text(catalogue_yaml(load_site(), server.base_url), encoding="utf-8")
        cli_env = {**env, "LIBYA_MONITOR_DATA_DIR": str(folder / "cli"), "LIBYA_MONITOR_SOURCES": str(catalogue)}
        start = time.perf_counter()
        subprocess.run([str(ROOT / ".venv/bin/libya-monitor"), "run"], env=cli_env, capture_output=True, check=True, timeout=900)
        cli = time.perf_counter() - start
        dag_env = {**env, "LIBYA_MONITOR_DATA_DIR": str(folder / "dag"), "LIBYA_MONITOR_SOURCES": str(catalogue)}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(ROOT / "tests/airflow_runner.py"), "test", "libya_monitor_ingest"],
                              env=dag_env, capture_output=True, text=True, check=True, timeout=1800)
        dag = time.perf_counter() - start
        state = json.loads(done.stdout.strip().splitlines()[-1])["state"]
    print(f"libya-monitor run (one crawl process for all sources): {cli:.1f}s")
    print(f"dag.test() ingest ({state}; one `scrapy crawl` task per source): {dag:.1f}s  -> overhead {dag - cli:.1f}s ({dag / cli:.1f}x)")


if __name__ == "__main__":
    main()
