"""Start the whole stack: PostgreSQL, the migrations, and both services.

The contract suite's fixtures use these functions, and ``make run`` runs this
module to put both services side by side on one database:

    uv run python contract-tests/stack.py

With ``DATABASE_URL`` set it uses that database; otherwise it starts one with
testcontainers (image: ``POSTGRES_IMAGE``, default ``postgres:17``), which needs
Docker.

The suite can also run each service from its container image (``service_image``):
the containers then share a Docker network with PostgreSQL and reach it by the
alias ``postgres``, while the tests reach them on ports published on this machine.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import httpx

if TYPE_CHECKING:
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.network import Network

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "db" / "migrations"
DEFAULT_POSTGRES_IMAGE = "postgres:17"

# How service containers reach PostgreSQL: by this alias, on the network they share with it.
DATABASE_ALIAS = "postgres"

# The port each service's image listens on when PORT is not set (its EXPOSE).
CONTAINER_PORTS = {"fastapi": 8000, "gin": 8080}


class StackError(Exception):
    """Something the stack needs is missing or did not start."""


@contextlib.contextmanager
def postgres(network: "Network | None" = None) -> Iterator[str]:
    """Start PostgreSQL in a container and yield its URL, schema applied.

    The URL is for this machine (a published port). Given a network, the container
    also joins it as ``DATABASE_ALIAS``, where containers reach it by the URL that
    ``url_on_network`` makes.
    """
    # Imported here so that `make run` with DATABASE_URL works without Docker.
    from testcontainers.community.postgres import PostgresContainer  # noqa: PLC0415

    image = os.environ.get("POSTGRES_IMAGE", DEFAULT_POSTGRES_IMAGE)
    # A throwaway database on a random loopback port: the password protects nothing.
    container = PostgresContainer(image, username="users", password="users", dbname="users")  # noqa: S106
    if network is not None:
        container.with_network(network).with_network_aliases(DATABASE_ALIAS)
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
        wait_until_alive(f"http://127.0.0.1:{port}", lambda: process.poll() is None)
    except StackError as err:
        process.kill()
        raise StackError(f"{err}; its log:\n{log_path.read_text()}") from None
    return process


def url_on_network(url: str, database_url: str) -> str:
    """``url`` as a container on the network must write it.

    A URL of the server at ``database_url`` (the same host and port, whatever the
    database) names it by its alias instead; any other URL is returned as it is.
    """
    parts, server = urlsplit(url), urlsplit(database_url)
    if (parts.hostname, parts.port) != (server.hostname, server.port):
        return url

    credentials, _, _ = parts.netloc.rpartition("@")
    address = f"{DATABASE_ALIAS}:5432"
    return urlunsplit(parts._replace(netloc=f"{credentials}@{address}" if credentials else address))


def service_image(name: str) -> str | None:
    """The image to run service ``name`` from (``<NAME>_IMAGE``), or None for a local process."""
    return os.environ.get(f"{name.upper()}_IMAGE") or None


@contextlib.contextmanager
def service_container(
    name: str, image: str, database_url: str, network: "Network | None"
) -> Iterator[str]:
    """Run service ``name`` from ``image`` and yield its URL once /healthz answers.

    The container listens on its image's own port, published on a random port of this
    machine, and is removed on exit. If it does not come up, StackError carries its log.
    """
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415

    port = CONTAINER_PORTS[name]
    container = DockerContainer(image).with_env("DATABASE_URL", database_url)
    container.with_exposed_ports(port)
    if network is not None:
        container.with_network(network)

    with container:
        # Any failure here, from Docker or from the service, is best explained by the log.
        try:
            host, published = container.get_container_host_ip(), container.get_exposed_port(port)
            base_url = f"http://{host}:{published}"
            wait_until_alive(base_url, lambda: is_running(container))
        except Exception as err:
            log = container.get_wrapped_container().logs().decode(errors="replace")
            raise StackError(f"{image}: {err}; its log:\n{log}") from None
        yield base_url


def is_running(container: "DockerContainer") -> bool:
    """Whether Docker still reports the container as running (it has not exited)."""
    container.reload()
    return container.status == "running"


def wait_until_alive(base_url: str, is_alive: Callable[[], bool], timeout: float = 30) -> None:
    """Poll /healthz until it answers 200, or raise StackError.

    ``is_alive`` says whether the process or container is still there to wait for.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_alive():
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
