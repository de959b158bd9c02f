"""Routing: exact paths, 404, 405 with Allow, HEAD, OPTIONS and method names."""

import httpx
import pytest
from conftest import Service
from expected import assert_headers_clean, assert_problem, problem, raw_request

ALLOW = {
    "/users": "GET, HEAD, OPTIONS, POST",
    "/users/1": "DELETE, GET, HEAD, OPTIONS, PATCH",
    "/healthz": "GET, HEAD, OPTIONS",
    "/readyz": "GET, HEAD, OPTIONS",
}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/user",
        "/users/",
        "//users",
        "/users/1/",
        "/users/1/x",
        "/USERS/1",
        "/healthz/",
        "/users/%2F1",
        "/redoc",
        "/favicon.ico",
        "/%00",
    ],
)
def test_unknown_path_returns_404_without_redirect(api: httpx.Client, path: str) -> None:
    response = api.get(path)

    assert_problem(response, 404, problem(404))
    assert "location" not in response.headers
    assert_headers_clean(response)


def test_post_with_trailing_slash_returns_404(api: httpx.Client) -> None:
    response = api.post("/users/", json={"name": "Ada", "email": "ada@example.com"})

    assert_problem(response, 404, problem(404))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/users"),
        ("DELETE", "/users"),
        ("PATCH", "/users"),
        ("POST", "/users/1"),
        ("PUT", "/users/1"),
        ("TRACE", "/users/1"),
        ("COPY", "/users"),
        ("PROPFIND", "/users/1"),
        ("QUERY", "/users"),
        ("POST", "/healthz"),
        ("DELETE", "/readyz"),
    ],
)
def test_wrong_method_returns_405_with_allow(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path)

    assert response.status_code == 405
    assert response.headers["allow"] == ALLOW[path]
    assert response.headers["content-type"] == "application/problem+json"
    assert response.content == problem(405)


@pytest.mark.parametrize(
    ("method", "status"), [("PUT", 405), ("OPTIONS", 204), ("PATCH", 404), ("DELETE", 404)]
)
def test_bad_user_id_is_read_only_after_the_method(
    api: httpx.Client, method: str, status: int
) -> None:
    # /users/{anything} exists: an unsupported method is judged first (405, or 204 for
    # OPTIONS); a supported one goes on to read the id, which names nothing (404).
    response = api.request(method, "/users/abc")

    assert response.status_code == status
    if status == 404:
        assert response.content == problem(404)
    else:
        assert response.headers["allow"] == ALLOW["/users/1"]


@pytest.mark.parametrize("path", ALLOW.keys())
def test_options_returns_204_with_allow(api: httpx.Client, path: str) -> None:
    response = api.options(path)

    assert response.status_code == 204
    assert response.headers["allow"] == ALLOW[path]
    assert response.content == b""
    assert "content-type" not in response.headers
    assert_headers_clean(response)


def test_options_unknown_path_returns_404(api: httpx.Client) -> None:
    response = api.options("/nothing")

    assert_problem(response, 404, problem(404))


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/users", "/users/1", "/users/0", "/users?limit=0", "/nothing"]
)
def test_head_answers_like_get_without_body(api: httpx.Client, path: str) -> None:
    api.post("/users", json={"name": "Ada", "email": "head@example.com"})
    get = api.get(path)

    head = api.head(path)

    assert head.status_code == get.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "allow", "location"):
        assert head.headers.get(name) == get.headers.get(name), name


@pytest.mark.parametrize("method", ["FOO", "get", "Get", "GETS", "DESCRIBE", "PRI", "SETUP"])
def test_unknown_method_name_returns_400_plain_text(service: Service, method: str) -> None:
    request = f"{method} /users/1 HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"

    response = raw_request(service.base_url, request.encode())

    assert response.status == 400
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["connection"] == "close"
    assert response.body == b"Invalid HTTP request received."


def test_query_string_is_ignored(api: httpx.Client) -> None:
    response = api.get("/healthz?verbose=1&x")

    assert response.status_code == 200
    assert response.content == b'{"status":"ok"}'


@pytest.mark.parametrize("path", ["/healthz%0A", "/users%0A", "/users/1%0A", "/docs%0a"])
def test_path_with_trailing_newline_returns_404(api: httpx.Client, path: str) -> None:
    response = api.get(path)

    assert_problem(response, 404, problem(404))


def test_fragment_in_request_target_is_dropped(service: Service) -> None:
    request = b"GET /healthz#x?y HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"

    response = raw_request(service.base_url, request)

    assert response.status == 200
    assert response.body == b'{"status":"ok"}'


@pytest.mark.parametrize(
    "target",
    [b"/users/\xd9\xa3", b"/healthz?x=\xc3\xa9", b"/h\xc3\xa9althz"],
    ids=["path", "query", "word"],
)
def test_target_outside_ascii_returns_400_plain_text(service: Service, target: bytes) -> None:
    request = b"GET " + target + b" HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"

    response = raw_request(service.base_url, request)

    assert response.status == 400
    assert response.body == b"Invalid HTTP request received."


def test_websocket_upgrade_is_an_ordinary_request(service: Service) -> None:
    request = (
        b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )

    response = raw_request(service.base_url, request, timeout=5)

    assert response.status == 200
    assert response.body == b'{"status":"ok"}'
