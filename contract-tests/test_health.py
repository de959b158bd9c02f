"""Health and readiness, and what happens while the database is down."""

import httpx
import pytest
from conftest import Service
from expected import assert_problem, field_error, invalid, problem


def test_healthz_returns_200(api: httpx.Client) -> None:
    response = api.get("/healthz")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == b'{"status":"ok"}'


def test_readyz_returns_200_when_database_answers(api: httpx.Client) -> None:
    response = api.get("/readyz")

    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'


@pytest.fixture(params=["fastapi", "gin"])
def offline(request: pytest.FixtureRequest, offline_services: dict[str, Service]):  # type: ignore[no-untyped-def]
    """A client for each service, started with its database down."""
    with httpx.Client(base_url=offline_services[request.param].base_url, timeout=30) as client:
        yield client


def test_healthz_without_database_returns_200(offline: httpx.Client) -> None:
    response = offline.get("/healthz")

    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'


def test_readyz_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.get("/readyz")

    assert_problem(response, 503, problem(503))


def test_get_user_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.get("/users/1")

    assert_problem(response, 503, problem(503))


def test_create_user_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.post("/users", json={"name": "Ada", "email": "ada@example.com"})

    assert_problem(response, 503, problem(503))


def test_create_user_without_database_still_validates_first(
    offline: httpx.Client,
) -> None:
    response = offline.post("/users", json={"name": "", "email": "ada@example.com"})

    assert_problem(response, 422, invalid(field_error("name", "too_short")))


def test_unknown_path_without_database_returns_404(offline: httpx.Client) -> None:
    response = offline.get("/users/0")

    assert_problem(response, 404, problem(404))
