"""A throwaway PostgreSQL 15 cluster with PostGIS for the tests.

:func:`start_cluster` runs ``initdb`` in a temporary directory and starts the
server on a free loopback port (Unix sockets off, trust authentication, fsync
off: test data only). PostgreSQL refuses to run as root, so when the tests
run as root the directory is handed to the ``postgres`` OS user and every
server command runs through ``runuser -u postgres --``. :func:`postgis_or_fail`
skips the tests locally when the binaries or the PostGIS extension are missing,
and fails them when ``CI`` is set (``.ci/run`` must install them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("FELTKART_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
OS_USER = "postgres"
START_TIMEOUT_S = 60


def postgis_or_fail() -> None:
    """Skip (locally) or fail (under CI) unless PostgreSQL 15 and PostGIS are installed."""
    missing = [str(p) for p in (PG_BIN / "initdb", PG_BIN / "pg_ctl", POSTGIS_CONTROL) if not p.exists()]
    if os.geteuid() == 0 and not missing and shutil.which("runuser") is None:
        missing.append("runuser (util-linux)")
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{', '.join(missing)} missing: .ci/run must install postgresql postgresql-15-postgis-3")
    pytest.skip(f"{', '.join(missing)} not installed (apt-get install postgresql postgresql-15-postgis-3)")


@dataclass
class Cluster:
    """A running test cluster; :meth:`url` gives a connection URL for a database."""

    directory: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database ``name`` with PostGIS enabled; returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def stop(self) -> None:
        _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop"],
                         check=False)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_cluster() -> Cluster:
    """initdb + pg_ctl start on a free loopback port in a new temporary directory."""
    directory = Path(tempfile.mkdtemp(prefix="feltkart-pg-"))
    data = directory / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(directory, OS_USER, OS_USER)
        shutil.chown(data, OS_USER, OS_USER)
    directory.chmod(0o755)
    data.chmod(0o700)
    _run_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", OS_USER, "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8"])
    port = _free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off " \
              "-c synchronous_commit=off -c full_page_writes=off"
    _run_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"), "-o", options,
                      "-w", "-t", str(START_TIMEOUT_S), "start"])
    return Cluster(directory=directory, port=port)


def _run_as_postgres(command: list[str], *, check: bool = True) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", OS_USER, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, cwd="/")
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(cluster: Cluster) -> None:
    """Block until the server accepts connections (pg_ctl -w already waits; this is a guard)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", cluster.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not accept connections on port {cluster.port}")
