"""Start PostgreSQL and both services once, and hand every test a client per service.

Every test that takes the ``api`` fixture runs twice, with ids ``[fastapi]`` and
``[gin]``. The database comes from testcontainers (image: ``POSTGRES_IMAGE``),
the schema from db/migrations through the same migration tool as ``make
migrate``. A service runs from its container image when ``FASTAPI_IMAGE`` or
``GIN_IMAGE`` names one (``make test-contract``), and as a local process
otherwise (``make test-contract-local``, the quicker loop while editing).

To test services that are already running, set ``FASTAPI_BASE_URL`` and/or
``GIN_BASE_URL``; such a service is used as it is and nothing is started for it.
"""

import contextlib
import os
import re
import subprocess
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import stack
from conformance import DocumentChecker, check_all
from testcontainers.core.network import Network

SERVICES = ("fastapi", "gin")

# Nothing listens on port 1 of the loopback address: a database that is down.
UNREACHABLE_DATABASE_URL = "postgresql://users:secret@127.0.0.1:1/users?sslmode=disable"


@dataclass(frozen=True)
class Service:
    """A running service under test."""

    name: str
    base_url: str


@pytest.fixture(scope="session")
def network() -> Iterator[Network | None]:
    """The Docker network that service containers share with PostgreSQL, if any runs."""
    if not any(stack.service_image(name) for name in SERVICES):
        yield None
        return
    with Network() as created:
        yield created


@pytest.fixture(scope="session")
def database_url(network: Network | None) -> Iterator[str]:
    """Start PostgreSQL, apply the migrations, and yield its URL."""
    with stack.postgres(network) as url:
        yield url


@pytest.fixture(scope="session")
def gin_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Gin service's binary, built once per session unless GIN_BINARY names one."""
    return stack.build_gin(tmp_path_factory.mktemp("gin"))


@pytest.fixture(scope="session")
def start_service(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    network: Network | None,
) -> Iterator[Callable[[str, str], Service]]:
    """Start services from their images or as processes; stop them all at the end of the session."""
    processes: list[subprocess.Popen[bytes]] = []
    containers = contextlib.ExitStack()

    def start(name: str, database_url: str) -> Service:
        if image := stack.service_image(name):
            # A container reaches the session's PostgreSQL by its alias on the network, not by
            # the port published on this machine; any other URL means the same inside.
            url = stack.url_on_network(database_url, request.getfixturevalue("database_url"))
            try:
                container = stack.service_container(name, image, url, network)
                return Service(name, containers.enter_context(container))
            except stack.StackError as err:
                pytest.fail(f"{name}: {err}")

        gin_binary = request.getfixturevalue("gin_binary") if name == "gin" else Path()
        command = stack.service_command(name, gin_binary)
        port = stack.free_port()
        log_path = tmp_path_factory.mktemp(name) / "service.log"

        try:
            processes.append(stack.start_service(command, database_url, port, log_path))
        except stack.StackError as err:
            pytest.fail(f"{name}: {err}")
        return Service(name, f"http://127.0.0.1:{port}")

    with containers:
        yield start

    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def services(
    request: pytest.FixtureRequest, start_service: Callable[[str, str], Service]
) -> dict[str, Service]:
    """Both services, started here or given by ``<NAME>_BASE_URL``."""
    running = {}
    for name in SERVICES:
        if base_url := os.environ.get(f"{name.upper()}_BASE_URL"):
            running[name] = Service(name, base_url.rstrip("/"))
        else:
            url = request.getfixturevalue("database_url")
            running[name] = start_service(name, url)
    return running


@pytest.fixture(scope="session")
def offline_services(
    start_service: Callable[[str, str], Service],
) -> dict[str, Service]:
    """Both services started against a database that does not answer."""
    return {name: start_service(name, UNREACHABLE_DATABASE_URL) for name in SERVICES}


@pytest.fixture(params=SERVICES)
def service(request: pytest.FixtureRequest, services: dict[str, Service]) -> Service:
    """Each service in turn: the test runs once per service."""
    return services[request.param]


_CHECKER = pytest.StashKey[DocumentChecker]()


@pytest.fixture(scope="session")
def document_checker(request: pytest.FixtureRequest) -> DocumentChecker:
    """Checks every response the suite's clients receive against openapi.yaml."""
    checker = DocumentChecker()
    request.config.stash[_CHECKER] = checker
    return checker


def client_for(service: Service, checker: DocumentChecker) -> httpx.Client:
    """An HTTP client whose every response is checked against the document."""
    return httpx.Client(
        base_url=service.base_url, timeout=30, event_hooks=check_all(checker, service.name)
    )


@pytest.fixture
def api(service: Service, document_checker: DocumentChecker) -> Iterator[httpx.Client]:
    """An HTTP client for the service under test."""
    with client_for(service, document_checker) as client:
        yield client


@pytest.fixture
def clients(
    services: dict[str, Service], document_checker: DocumentChecker
) -> Iterator[dict[str, httpx.Client]]:
    """One client per service, for tests that compare or mix the two."""
    with (
        client_for(services["fastapi"], document_checker) as fastapi,
        client_for(services["gin"], document_checker) as gin,
    ):
        yield {"fastapi": fastapi, "gin": gin}


_REPORT = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def report_line(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Add a line to the summary printed at the end of the run (request counts, say)."""
    return request.config.stash.setdefault(_REPORT, []).append


@pytest.fixture
def email() -> str:
    """An address no other test uses: the services share one database."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest) -> Iterator[psycopg.Connection[Any]]:
    """A direct connection to the services' database, for setting up and checking.

    With services given by URL, the database is ``CONTRACT_DATABASE_URL``; tests
    that need it are skipped, saying so, when it is not set.
    """
    if all(os.environ.get(f"{name.upper()}_BASE_URL") for name in SERVICES):
        url = os.environ.get("CONTRACT_DATABASE_URL")
        if not url:
            pytest.skip("services given by URL and CONTRACT_DATABASE_URL is not set")
    else:
        url = request.getfixturevalue("database_url")

    with psycopg.connect(url, autocommit=True) as connection:
        yield connection


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail a full, green run in which some documented status was never exercised."""
    checker = session.config.stash.get(_CHECKER, None)
    option = session.config.option
    full_run = not option.keyword and not option.markexpr and not option.deselect
    if checker is None or not full_run or session.testsfailed:
        return

    missing = {name: checker.unexercised(name) for name in SERVICES}
    session.config.stash[_UNEXERCISED] = missing
    if any(missing.values()):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_UNEXERCISED = pytest.StashKey[dict[str, list[tuple[str, str, str]]]]()
_SERVICE_ID = re.compile(r"\[(fastapi|gin)[-\]]")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how many contract tests ran against each service, and how they ended."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in SERVICES}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            match = _SERVICE_ID.search(getattr(report, "nodeid", ""))
            if match and (report.when == "call" or outcome != "passed"):
                counts[match[1]][outcome] += 1

    terminalreporter.section("contract tests per service")
    for name, count in counts.items():
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(count.items()))
        terminalreporter.write_line(f"{name}: {summary or 'none ran'}")

    for line in terminalreporter.config.stash.get(_REPORT, []):
        terminalreporter.write_line(line)

    checker = terminalreporter.config.stash.get(_CHECKER, None)
    if checker is not None:
        documented = len(checker.documented())
        for name in SERVICES:
            seen = len({entry[1:] for entry in checker.seen if entry[0] == name})
            terminalreporter.write_line(
                f"{name}: {seen} of {documented} documented statuses seen in checked responses"
            )
    for name, missing in terminalreporter.config.stash.get(_UNEXERCISED, {}).items():
        for method, path, status in missing:
            terminalreporter.write_line(f"FAILED {name}: {method} {path} never answered {status}")
