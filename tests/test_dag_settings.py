"""The DAGs' settings helpers, without Airflow: connection fields to a database URL."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dags"))
from libya_monitor_common import database_url_from


def test_postgres_connection_with_special_characters_in_the_password() -> None:
    connection = SimpleNamespace(
        conn_type="postgres", login="monitor", password="p@ss/w:rd", host="db.internal", port=5432,
        schema="monitor", extra_dejson={},
    )
    url = make_url(database_url_from(connection))
    assert (url.username, url.password, url.host, url.port, url.database) == ("monitor", "p@ss/w:rd", "db.internal", 5432, "monitor")
    assert url.drivername == "postgresql+psycopg"


def test_sqlalchemy_url_extra_wins() -> None:
    connection = SimpleNamespace(conn_type="postgres", extra_dejson={"sqlalchemy_url": "sqlite:///x.db"})
    assert database_url_from(connection) == "sqlite:///x.db"
