"""The HTTP surface, with the database down: routing, errors and 503."""

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def test_healthz_answers_without_database(client: TestClient) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'


@pytest.mark.parametrize("path", ["/readyz", "/users/1"])
def test_database_down_returns_503(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "The database is unavailable."


@pytest.mark.parametrize("path", ["/users/", "/users/0", "/users/01", "/users/9223372036854775808"])
def test_path_naming_nothing_returns_404(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.content == (
        b'{"type":"about:blank","title":"Not Found","status":404,'
        b'"detail":"No route matches this path."}'
    )


@pytest.mark.parametrize("body", [b"", b"[", b'{"name": 1}'])
def test_bad_id_is_404_before_the_body_is_read(client: TestClient, body: bytes) -> None:
    response = client.patch("/users/0", content=body, headers={"Content-Type": "text/plain"})

    assert response.status_code == 404


def test_wrong_method_returns_405_with_every_method_of_the_path(client: TestClient) -> None:
    response = client.put("/users/1")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    assert response.headers["content-type"] == PROBLEM


def test_options_returns_204_with_allow(client: TestClient) -> None:
    response = client.options("/users")

    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, OPTIONS, POST"
    assert response.content == b""


def test_create_user_validates_before_touching_database(client: TestClient) -> None:
    response = client.post("/users", json={"name": "", "email": "ada@example.com"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "name"], "code": "too_short", "message": "must be at least 1 character"}
    ]


def test_create_user_requires_json_media_type(client: TestClient) -> None:
    response = client.post("/users", content=b"{}", headers={"Content-Type": "text/plain"})

    assert response.status_code == 415


@pytest.mark.parametrize(
    ("query", "code"),
    [("limit=0", "out_of_range"), ("limit=05", "type"), ("after=1&after=2", "repeated")],
)
def test_list_users_checks_its_query_before_touching_database(
    client: TestClient, query: str, code: str
) -> None:
    response = client.get(f"/users?{query}")

    assert response.status_code == 422
    assert [error["code"] for error in response.json()["errors"]] == [code]


def test_update_user_refuses_null(client: TestClient) -> None:
    response = client.patch("/users/1", json={"email": None})

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "type"


def test_openapi_json_is_the_packaged_copy(client: TestClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["openapi"].startswith("3.1.")
    assert set(response.json()["paths"]) >= {"/users", "/users/{id}", "/healthz", "/readyz"}


def test_docs_serves_swagger_ui(client: TestClient) -> None:
    response = client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "/openapi.json" in response.text
