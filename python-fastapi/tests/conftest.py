"""Fixtures: an app that needs no database, and a real PostgreSQL for the repository."""

import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from databases import Database
from fastapi.testclient import TestClient
from users_api.main import create_app
from users_api.repository import UserRepository
from users_api.settings import Settings

SERVICE_ROOT = Path(__file__).resolve().parent.parent

# Nothing listens on port 1 of the loopback address: a database that is down.
UNREACHABLE_DATABASE_URL = "postgresql://users:secret@127.0.0.1:1/users"


@pytest.fixture
def client() -> Iterator[TestClient]:
    """The app, started against a database that does not answer.

    Routing, bodies and validation never reach the database, so they can be
    tested here; anything that does reach it answers 503.
    """
    settings = Settings(database_url=UNREACHABLE_DATABASE_URL)
    with TestClient(create_app(settings)) as client:
        yield client


def find_migrations() -> Path:
    """db/migrations of the monorepo, or MIGRATIONS_DIR for a copied-out service."""
    configured = os.environ.get("MIGRATIONS_DIR")
    return Path(configured) if configured else SERVICE_ROOT.parent / "db" / "migrations"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A PostgreSQL from testcontainers, with the shared schema applied."""
    docker = pytest.importorskip("docker")
    try:
        docker.from_env().ping()
    except docker.errors.DockerException as err:
        pytest.skip(f"repository tests need Docker, which is not reachable: {err}")

    from testcontainers.community.postgres import PostgresContainer  # noqa: PLC0415

    image = os.environ.get("POSTGRES_IMAGE", "postgres:17")
    with PostgresContainer(image, username="t", password="t", dbname="t") as pg:  # noqa: S106
        url = pg.get_connection_url(driver=None) + "?sslmode=disable"
        tool = os.environ.get("MIGRATE") or shutil.which("migrate") or "migrate"
        migrate = [tool, "-path", str(find_migrations()), "-database", url, "up"]
        subprocess.run(migrate, check=True, capture_output=True)  # noqa: S603
        yield url


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio, the loop the service runs on (through uvloop)."""
    return "asyncio"


@pytest.fixture
async def repository(database_url: str) -> AsyncIterator[UserRepository]:
    """A repository over its own connection pool, on an empty users table."""
    database = Database(database_url, min_size=0, max_size=60)
    await database.connect()
    await database.execute("TRUNCATE users RESTART IDENTITY")

    yield UserRepository(database)

    await database.disconnect()
