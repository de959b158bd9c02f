"""Health and readiness, and what happens while the database is down."""

from collections.abc import Iterator

import httpx
import pytest
from conformance import DocumentChecker
from conftest import Service, client_for
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
def offline(
    request: pytest.FixtureRequest,
    offline_services: dict[str, Service],
    document_checker: DocumentChecker,
) -> Iterator[httpx.Client]:
    """A client for each service, started with its database down."""
    with client_for(offline_services[request.param], document_checker) as client:
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


def test_list_users_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.get("/users")

    assert_problem(response, 503, problem(503))


def test_update_user_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.patch("/users/1", json={"name": "Ada"})

    assert_problem(response, 503, problem(503))


def test_delete_user_without_database_returns_503(offline: httpx.Client) -> None:
    response = offline.delete("/users/1")

    assert_problem(response, 503, problem(503))
