"""A real PostgreSQL server for the test session, started from the machine's binaries.

`initdb` refuses to run as root, so under root the cluster is created and run as the `postgres`
system user (which the Debian package creates), in a fresh directory, listening only on a Unix
socket there. `LIBYA_MONITOR_TEST_PG_URL` points the suite at an existing server instead: a URL
whose user may create databases; each test still gets a fresh database of its own.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bin_dir() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    bin_dir: Path
    data_dir: Path
    socket_dir: Path
    port: int
    run_as: str | None

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["su", self.run_as, "-s", "/bin/sh", "-c", " ".join(_quote(c) for c in command)]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)

    def start(self) -> None:
        result = self._run("initdb", "-D", str(self.data_dir), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C")
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        result = self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.data_dir / "log"), "-w", "start")
        if result.returncode != 0:
            log = (self.data_dir / "log").read_text() if (self.data_dir / "log").exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr.strip()} {log[-500:]}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "stop", timeout=30)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        deadline = time.monotonic() + 20
        while True:
            try:
                with psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres", autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                    conn.execute(f'CREATE DATABASE "{name}"')
                return self.url(name)
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


@dataclass(frozen=True)
class ExternalServer:
    """An existing server: fresh databases are created through `admin_url`'s database."""

    admin_url: str

    def create_database(self, name: str) -> str:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return url.set(database=name).render_as_string(hide_password=False)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def start_server() -> PostgresServer:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("no PostgreSQL server binaries (apt-get install postgresql)")
    run_as = None
    root = Path(tempfile.mkdtemp(prefix="libya-monitor-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from exc
        run_as = "postgres"
        os.chown(root, user.pw_uid, user.pw_gid)
    data_dir, socket_dir = root / "data", root
    server = PostgresServer(bin_dir, data_dir, socket_dir, _free_port(), run_as)
    server.start()
    return server
