"""What the benchmark measures: the two services, the two calibration baselines, pgbench.

A target that is not a product is labelled as calibration everywhere it appears: it exists to
turn the services' figures into ratios (how much of the floor that net/http, FastAPI or
PostgreSQL alone would reach), not to be compared with them as an alternative.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness import BENCH, ROOT, procs

# Seconds a service gets to answer /readyz after it is started, and to exit after SIGTERM.
READY_TIMEOUT = 60
STOP_TIMEOUT = 15

# How often startup polls /readyz, in seconds: the resolution of the startup time.
READY_POLL = 0.005


class TargetError(Exception):
    """A service did not start."""


@dataclass(frozen=True)
class Target:
    """One thing the load is sent to."""

    name: str
    label: str
    calibration: bool
    # The command that runs it in the foreground, or None for pgbench, which has no server.
    # "{port}" in it is replaced by the port it is to listen on, which is also in PORT.
    command: tuple[str, ...] | None = None
    # Its source files (globs under the repository), for the lines-of-code count.
    sources: tuple[str, ...] = ()
    # The tag of its container image, if the project builds one.
    image: str | None = None
    env: dict[str, str] = field(default_factory=dict)


def all_targets(gin_binary: Path, baseline_binary: Path) -> list[Target]:
    """The targets in the order of the first round (later rounds alternate it)."""
    python = sys.executable
    return [
        Target(
            name="fastapi",
            label="FastAPI",
            calibration=False,
            command=(python, "-m", "users_api"),
            sources=("python-fastapi/src/users_api/*.py",),
            image="fastapi-vs-gin/python-fastapi",
        ),
        Target(
            name="gin",
            label="Gin",
            calibration=False,
            command=(str(gin_binary),),
            sources=("go-gin/cmd/server/*.go", "go-gin/internal/*/*.go"),
            image="fastapi-vs-gin/go-gin",
        ),
        Target(
            name="fastapi-asyncpg",
            label="FastAPI + raw asyncpg (calibration)",
            calibration=True,
            command=(python, str(BENCH / "baselines" / "fastapi_asyncpg.py")),
            sources=("bench/baselines/fastapi_asyncpg.py",),
        ),
        Target(
            name="nethttp-pgx",
            label="net/http + pgx (calibration)",
            calibration=True,
            command=(str(baseline_binary),),
            sources=("bench/baselines/nethttp_pgx/*.go",),
        ),
        Target(name="pgbench", label="pgbench, no HTTP (calibration)", calibration=True),
        *experiments(python, gin_binary),
    ]


def experiments(python: str, gin_binary: Path) -> list[Target]:
    """Variants of the services that `make bench` does not run: ask for them with --targets.

    They measure what a tuning buys, or would buy, against the services' defaults: one uvicorn
    worker instead of one per CPU, and the cost of debug logging (a "request completed" line
    per request).
    """
    fastapi_sources = ("python-fastapi/src/users_api/*.py",)
    return [
        Target(
            name="fastapi-1-worker",
            label="FastAPI, 1 uvicorn worker (experiment)",
            calibration=True,
            command=(python, "-m", "users_api"),
            sources=fastapi_sources,
            env={"WEB_CONCURRENCY": "1"},
        ),
        Target(
            name="fastapi-debug-log",
            label="FastAPI, LOG_LEVEL=debug (experiment)",
            calibration=True,
            command=(python, "-m", "users_api"),
            sources=fastapi_sources,
            env={"LOG_LEVEL": "debug"},
        ),
        Target(
            name="gin-debug-log",
            label="Gin, LOG_LEVEL=debug (experiment)",
            calibration=True,
            command=(str(gin_binary),),
            sources=("go-gin/cmd/server/*.go", "go-gin/internal/*/*.go"),
            env={"LOG_LEVEL": "debug"},
        ),
    ]


@dataclass
class Running:
    """A started service."""

    target: Target
    process: subprocess.Popen[bytes]
    port: int
    startup_seconds: float

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The pid of the process the harness started, the root of the service's tree."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.process.poll() is None


@contextlib.contextmanager
def started(target: Target, env: dict[str, str], log: Path) -> Iterator[Running]:
    """Start ``target``, time it from exec to its first ready /readyz, stop it at the end."""
    running = start(target, env, log)
    try:
        yield running
    finally:
        stop(running)


def start(target: Target, env: dict[str, str], log: Path) -> Running:
    """Start ``target`` and return once /readyz answers 200."""
    assert target.command is not None, f"{target.name} has no server to start"
    port = free_port()
    full_env = {**os.environ, **env, **target.env, "PORT": str(port)}
    with log.open("ab") as out:
        began = time.perf_counter()
        process = subprocess.Popen(
            [part.replace("{port}", str(port)) for part in target.command],
            env=full_env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    try:
        _wait_until_ready(port, process)
    except TargetError as err:
        _kill(process)
        raise TargetError(f"{target.name}: {err}; its log:\n{log.read_text()[-4000:]}") from None
    return Running(target, process, port, time.perf_counter() - began)


def stop(running: Running) -> None:
    """SIGTERM, as a container runtime would send; SIGKILL if it is not gone in time."""
    if not running.alive():
        return
    running.process.send_signal(signal.SIGTERM)
    try:
        running.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill(running.process)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def lifetime_peak_rss(pid: int) -> int:
    """The peak RSS (VmHWM) of every process in the tree, added up: an upper bound."""
    total = 0
    for member in procs.tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
    return total


def _wait_until_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise TargetError(f"exited with status {process.returncode} before it was ready")
        if _ready(port):
            return
        time.sleep(READY_POLL)
    raise TargetError(f"/readyz did not answer 200 within {READY_TIMEOUT}s")


def _ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == http.HTTPStatus.OK
    except OSError:
        return False
    finally:
        connection.close()


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
