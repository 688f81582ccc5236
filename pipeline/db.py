"""Engines, sessions, schema upgrades and the dialect-neutral upserts every write goes through."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pipeline.config import PACKAGE_DIR
from pipeline.errors import ConfigError
from pipeline.models import Base

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets the crawl subprocess write while the cycle reads; busy_timeout absorbs overlaps.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True, connect_args=_connect_timeout(parsed))


def _connect_timeout(url: Any) -> dict[str, Any]:
    return {"connect_timeout": 10} if url.get_backend_name() == "postgresql" else {}


@cache
def _cached_engine(url: str) -> Engine:
    return make_engine(url)


def get_engine(url: str) -> Engine:
    """One engine per URL and process (engines own connection pools)."""
    return _cached_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    factory = sessionmaker(engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision`; a no-op when already there."""
    from alembic import command

    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(url: str) -> Engine:
    """The engine for `url`, migrated to head (what every entry point calls first)."""
    upgrade(url)
    return get_engine(url)


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()


def _insert_for(session: Session, model: type[Base]) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise ConfigError(f"unsupported database dialect {dialect!r} (use SQLite or PostgreSQL)")


def insert_ignore(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> int:
    """INSERT … ON CONFLICT (keys) DO NOTHING; returns how many rows were new.

    With no `keys`, a conflict on any unique constraint makes the row a no-op.
    """
    if not rows:
        return 0
    primary_key = list(model.__table__.primary_key.columns)  # type: ignore[attr-defined]
    statement = (
        _insert_for(session, model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=list(keys) or None)
        .returning(*primary_key)
    )
    # RETURNING yields only the rows inserted; rowcount is not reliable across drivers.
    return len(session.execute(statement).all())


def upsert(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET the `update` columns."""
    if not rows:
        return
    statement = _insert_for(session, model).values(list(rows))
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={col: statement.excluded[col] for col in update}
    )
    session.execute(statement)
