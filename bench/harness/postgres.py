"""A PostgreSQL server of the benchmark's own: a local process, a fresh data directory.

Why a local process and not the project's Docker image: the harness reads the CPU time of the
server's whole process tree from /proc, and a container would put Docker's port proxy, which
burns CPU of its own on every packet, between the clients and the server. Debian's binaries run
the same server without either. The data directory lives in a temporary directory and the
server listens on a port of its own on 127.0.0.1, so nothing else shares it.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness import ROOT

MIGRATIONS = ROOT / "db" / "migrations"

# Settings that differ from PostgreSQL's defaults, and why. Everything else is the default,
# including fsync=on and synchronous_commit=on: a POST waits for its commit to reach the disk,
# as it would in production.
SERVER_SETTINGS = {
    # pgbench runs with as many clients as wrk has connections, up to 1,000; the services
    # themselves never use more than their pool size.
    "max_connections": "1100",
    # No checkpoint in the middle of a measured run: the harness checkpoints after every reset.
    "checkpoint_timeout": "30min",
    "max_wal_size": "8GB",
    "listen_addresses": "127.0.0.1",
    "logging_collector": "off",
}

# Settings the report states, read back from the running server.
REPORTED_SETTINGS = (
    "server_version",
    "max_connections",
    "shared_buffers",
    "synchronous_commit",
    "fsync",
    "wal_level",
    "checkpoint_timeout",
    "max_wal_size",
    "autovacuum",
    "jit",
)

USER = "bench"
DATABASE = "bench"

# Seconds the server gets to start and to stop.
START_TIMEOUT = 60
STOP_TIMEOUT = 60


class PostgresError(Exception):
    """The server could not be found, started or queried."""


@dataclass(frozen=True)
class Server:
    """A running server: how to reach it and which process is its root."""

    bindir: Path
    port: int
    pid: int
    logfile: Path

    @property
    def url(self) -> str:
        """The URL the services and the migration tool connect with, over TCP."""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}?sslmode=disable"

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run ``sql`` with psql and return what it prints, unaligned and without headers."""
        command = [
            str(self.bindir / "psql"),
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", database),
            *("-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PostgresError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def settings(self) -> dict[str, str]:
        """The values of REPORTED_SETTINGS."""
        return {name: self.psql(f"SHOW {name}") for name in REPORTED_SETTINGS}


def find_bindir() -> Path:
    """Where initdb, postgres, psql and pgbench are: BENCH_PG_BINDIR, else Debian's newest."""
    if configured := os.environ.get("BENCH_PG_BINDIR"):
        return Path(configured)

    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return candidates[-1].parent
    if found := shutil.which("postgres"):
        return Path(found).parent
    raise PostgresError(
        "PostgreSQL's server binaries were not found: install Debian's `postgresql` package "
        "(bench.mk does, as root) or set BENCH_PG_BINDIR"
    )


@contextlib.contextmanager
def running(port: int, migrate: Path) -> Iterator[Server]:
    """Start a server on a new data directory, apply db/migrations, stop it at the end."""
    bindir = find_bindir()
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        workdir = Path(tmp)
        owner = _server_owner()
        if owner is not None:
            os.chown(workdir, owner.pw_uid, owner.pw_gid)

        datadir = workdir / "data"
        _run_as(
            owner,
            [
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        )

        logfile = workdir / "postgres.log"
        options = [f"-c{name}={value}" for name, value in SERVER_SETTINGS.items()]
        options += [f"-cport={port}", f"-cunix_socket_directories={workdir}"]
        with logfile.open("wb") as log:
            process = subprocess.Popen(
                [str(bindir / "postgres"), "-D", str(datadir), *options],
                stdout=log,
                stderr=subprocess.STDOUT,
                user=owner.pw_uid if owner else None,
                group=owner.pw_gid if owner else None,
                start_new_session=True,
            )

        server = Server(bindir=bindir, port=port, pid=process.pid, logfile=logfile)
        try:
            _wait_until_ready(server, process)
            server.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
            _migrate(migrate, server.url)
            yield server
        finally:
            _stop(process)


def reset_table(server: Server, rows: int) -> None:
    """Empty the users table and fill it with ``rows`` users, ids 1 to ``rows``.

    Then vacuum, analyze and checkpoint, so that every round starts from the same table, with
    fresh statistics, and no checkpoint is pending when the measurements start.
    """
    fill = (
        "INSERT INTO users (name, email) "
        "SELECT 'User ' || n, 'user' || n || '@example.com' FROM generate_series(1, %d) n"
    )
    server.psql("TRUNCATE users RESTART IDENTITY; " + fill % rows)
    server.psql("VACUUM ANALYZE users")
    server.psql("CHECKPOINT")


def _server_owner() -> pwd.struct_passwd | None:
    # PostgreSQL refuses to run as root; as root, run it as the `postgres` user that Debian's
    # packages create.
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresError("running as root, but there is no `postgres` user to run as") from None


def _run_as(owner: pwd.struct_passwd | None, command: list[str]) -> None:
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        user=owner.pw_uid if owner else None,
        group=owner.pw_gid if owner else None,
    )
    if result.returncode != 0:
        raise PostgresError(f"{Path(command[0]).name} failed:\n{result.stdout}{result.stderr}")


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    ready = [str(server.bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(server.port)]
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PostgresError(f"postgres exited; its log:\n{server.logfile.read_text()}")
        if subprocess.run(ready, check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise PostgresError(f"postgres did not start within {START_TIMEOUT}s")


def _migrate(migrate: Path, url: str) -> None:
    command = [str(migrate), "-path", str(MIGRATIONS), "-database", url, "up"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresError(f"migrations failed:\n{result.stderr}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    # SIGINT is PostgreSQL's "fast shutdown": roll back what is open, then stop.
    process.send_signal(2)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
