"""What the contract says responses look like, as exact bytes where it can.

Tests compare with these rather than with one service's output, so a difference
between the services shows up as a failure of one of them against CONTRACT.md.
"""

import contextlib
import json
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
MAX_BODY_BYTES = 1024 * 1024

TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

DETAILS = {
    400: "The request body is not valid JSON.",
    404: "No route matches this path.",
    405: "This method is not allowed on this resource.",
    409: "A user with this e-mail already exists.",
    413: "The request body is larger than 1048576 bytes.",
    415: "The request body must be application/json.",
    422: "The request did not validate.",
    503: "The database is unavailable.",
}

MESSAGES = {
    "required": "field required",
    "too_short": "must be at least 1 character",
    "blank": "must not be blank",
    "forbidden_character": "must not contain U+0000",
    "invalid_email": "must be a valid e-mail address",
    "unknown_field": "unknown field",
}


def compact(value: object) -> bytes:
    """Serialize like both services: compact, UTF-8, minimal escaping."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def problem(status: int, detail: str | None = None, errors: list[object] | None = None) -> bytes:
    """The exact body of a problem response."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": TITLES[status],
        "status": status,
        "detail": detail or DETAILS[status],
    }
    if errors is not None:
        body["errors"] = errors
    return compact(body)


def field_error(field: str | None, code: str) -> dict[str, object]:
    """One entry of a 422's ``errors``; ``field`` None means the whole body."""
    loc = ["body"] if field is None else ["body", field]
    if code == "type":
        message = "must be a JSON object" if field is None else "must be a string"
    elif code == "too_long":
        limit = 254 if field == "email" else 100
        message = f"must be at most {limit} characters"
    else:
        message = MESSAGES[code]
    return {"loc": loc, "code": code, "message": message}


def invalid(*errors: dict[str, object]) -> bytes:
    """The exact body of a 422 with ``errors``, in the contract's order."""
    ordered = sorted(errors, key=lambda error: error["loc"])  # type: ignore[arg-type, return-value]
    return problem(422, errors=list(ordered))


def assert_problem(response: httpx.Response, status: int, body: bytes) -> None:
    """Check status, media type and the exact bytes of a problem response."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.content == body


def assert_headers_clean(response: httpx.Response) -> None:
    """Headers no response of either service may carry."""
    assert "server" not in response.headers
    assert not any(name.startswith("access-control-") for name in response.headers)
    if "content-length" in response.headers:
        assert int(response.headers["content-length"]) == len(response.content)


@dataclass
class RawResponse:
    """A response read off a socket, for requests httpx will not send."""

    status: int
    headers: dict[str, str]
    body: bytes


def raw_request(base_url: str, data: bytes, timeout: float = 10) -> RawResponse:
    """Send ``data`` as-is and read one response until the server closes or goes quiet.

    The server may answer (and close) before the whole request is sent, as it
    should for a body that is too large; that is not an error here.
    """
    url = urlsplit(base_url)
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        received = _read_response(sock)

    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return RawResponse(int(status_line.split()[1]), headers, body)


def _read_response(sock: socket.socket) -> bytes:
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        except TimeoutError:
            break
        if not chunk:
            break
        received += chunk
        if _complete(received):
            break
    return received


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False
