"""Start the whole stack: PostgreSQL, the migrations, and both services.

The contract suite's fixtures use these functions, and ``make run`` runs this
module to put both services side by side on one database:

    uv run python contract-tests/stack.py

With ``DATABASE_URL`` set it uses that database; otherwise it starts one with
testcontainers (image: ``POSTGRES_IMAGE``, default ``postgres:17``), which needs
Docker.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "db" / "migrations"
DEFAULT_POSTGRES_IMAGE = "postgres:17"


class StackError(Exception):
    """Something the stack needs is missing or did not start."""


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """Start PostgreSQL in a container and yield its URL, schema applied."""
    # Imported here so that `make run` with DATABASE_URL works without Docker.
    from testcontainers.community.postgres import PostgresContainer  # noqa: PLC0415

    image = os.environ.get("POSTGRES_IMAGE", DEFAULT_POSTGRES_IMAGE)
    # A throwaway database on a random loopback port: the password protects nothing.
    container = PostgresContainer(image, username="users", password="users", dbname="users")  # noqa: S106
    with container:
        url = container.get_connection_url(driver=None) + "?sslmode=disable"
        migrate(url)
        yield url


def migrate(database_url: str) -> None:
    """Apply db/migrations with golang-migrate, exactly as ``make migrate`` does."""
    tool = os.environ.get("MIGRATE") or shutil.which("migrate") or str(ROOT / ".bin" / "migrate")
    if not Path(tool).exists():
        raise StackError(f"golang-migrate not found at {tool}: run `make tools`")

    result = subprocess.run(
        [tool, "-path", str(MIGRATIONS), "-database", database_url, "up"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"migrations failed:\n{result.stderr}")


def build_gin(directory: Path) -> Path:
    """The Gin service's binary: ``GIN_BINARY``, or built from go-gin/ now."""
    if binary := os.environ.get("GIN_BINARY"):
        return Path(binary)

    target = directory / "users-gin"
    subprocess.run(
        ["go", "build", "-o", str(target), "./cmd/server"],
        cwd=ROOT / "go-gin",
        check=True,
    )
    return target


def service_command(name: str, gin_binary: Path) -> list[str]:
    """The command that runs service ``name`` in the foreground."""
    if name == "fastapi":
        return [sys.executable, "-m", "users_api"]
    return [str(gin_binary)]


def free_port() -> int:
    """Ask the kernel for a free TCP port on the loopback address."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_service(
    command: list[str], database_url: str, port: int, log_path: Path
) -> subprocess.Popen[bytes]:
    """Start one service and return once its /healthz answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    try:
        wait_until_alive(f"http://127.0.0.1:{port}", process)
    except StackError as err:
        process.kill()
        raise StackError(f"{err}; its log:\n{log_path.read_text()}") from None
    return process


def wait_until_alive(base_url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Poll /healthz until it answers 200, or raise StackError."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)

    raise StackError(f"{base_url} did not become alive")


def main() -> int:
    """Run both services on one database until Ctrl-C."""
    ports = {
        "fastapi": int(os.environ.get("FASTAPI_PORT", "8000")),
        "gin": int(os.environ.get("GIN_PORT", "8080")),
    }

    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if database_url:
            migrate(database_url)
        else:
            print("Starting PostgreSQL with testcontainers...", flush=True)
            database_url = stack.enter_context(postgres())

        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        gin_binary = build_gin(workdir)
        processes = []
        for name, port in ports.items():
            command = service_command(name, gin_binary)
            log_path = workdir / f"{name}.log"
            processes.append(start_service(command, database_url, port, log_path))
            print(f"{name:>8}: http://127.0.0.1:{port}  (log: {log_path})", flush=True)

        print("Both services are up. Ctrl-C stops everything.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()

        for process in processes:
            process.terminate()
            process.wait(timeout=15)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StackError as err:
        sys.exit(f"error: {err}")
    except Exception as err:
        if "docker" not in type(err).__module__.lower():
            raise
        sys.exit(
            f"error: no database: {err}\n"
            "Start Docker, or set DATABASE_URL to a PostgreSQL you run yourself."
        )
