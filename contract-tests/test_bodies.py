"""The request-body pipeline: 415, then 413, then 400, in that order."""

import httpx
import pytest
from conftest import Service
from expected import MAX_BODY_BYTES, assert_problem, problem, raw_request

VALID_JSON = b'{"name":"Ada","email":"ada@example.com"}'


def post(
    api: httpx.Client, body: bytes, content_type: str | None = "application/json"
) -> httpx.Response:
    headers = {} if content_type is None else {"Content-Type": content_type}
    return api.post("/users", content=body, headers=headers)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json-patch+json",
        "application/problem+json",
        "application/merge-patch+json",
        "json",
        "application/ json",
        "application/json,text/plain",
    ],
)
def test_create_user_without_json_media_type_returns_415(
    api: httpx.Client, content_type: str | None
) -> None:
    response = post(api, VALID_JSON, content_type)

    assert_problem(response, 415, problem(415))


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=latin-1",
        "application/json \t; x=y",
        "application/json;",
    ],
)
def test_create_user_json_media_type_variants_are_accepted(
    api: httpx.Client, content_type: str
) -> None:
    # The body is invalid on purpose: reaching 422 proves the media type passed.
    response = post(api, b'{"name":""}', content_type)

    assert response.status_code == 422, response.text


def test_create_user_wrong_media_type_wins_over_bad_body(api: httpx.Client) -> None:
    response = post(api, b"x" * (MAX_BODY_BYTES + 1), "text/plain")

    assert_problem(response, 415, problem(415))


def test_create_user_body_of_exactly_1_mib_is_read(api: httpx.Client) -> None:
    body = b'{"name":"' + b"a" * (MAX_BODY_BYTES - len(b'{"name":""}')) + b'"}'
    assert len(body) == MAX_BODY_BYTES

    response = post(api, body)

    assert response.status_code == 422, response.text


def test_create_user_body_over_1_mib_returns_413(service: Service) -> None:
    body = b" " * (MAX_BODY_BYTES + 1)
    head = (
        "POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )

    response = raw_request(service.base_url, head.encode() + body)

    assert response.status == 413
    assert response.body == problem(413)


@pytest.mark.parametrize(("method", "path"), [("POST", "/users"), ("PATCH", "/users/1")])
def test_body_over_1_mib_sent_by_a_client_returns_413(
    api: httpx.Client, method: str, path: str
) -> None:
    response = api.request(
        method,
        path,
        content=b" " * (MAX_BODY_BYTES + 1),
        headers={"Content-Type": "application/json"},
    )

    assert_problem(response, 413, problem(413))


def test_create_user_declared_length_over_1_mib_returns_413_unread(
    service: Service,
) -> None:
    head = (
        "POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Content-Length: 1073741824\r\nConnection: close\r\n\r\n"
    )

    response = raw_request(service.base_url, head.encode() + b"{}")

    assert response.status == 413
    assert response.body == problem(413)


def test_create_user_chunked_body_over_1_mib_returns_413(service: Service) -> None:
    chunk = b" " * 65536
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(17))
    head = (
        "POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )

    response = raw_request(service.base_url, head.encode() + chunks + b"0\r\n\r\n")

    assert response.status == 413
    assert response.body == problem(413)


def test_create_user_chunked_body_under_1_mib_is_read(service: Service) -> None:
    body = b'{"name":"","email":"ada@example.com"}'
    head = (
        "POST /users HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]))

    response = raw_request(service.base_url, head.encode() + chunks + b"0\r\n\r\n")

    assert response.status == 422


MALFORMED = {
    "empty": b"",
    "whitespace": b" \r\n\t ",
    "truncated": b'{"name":"Ada"',
    "trailing-garbage": VALID_JSON + b"x",
    "two-values": VALID_JSON + VALID_JSON,
    "trailing-comma": b'{"name":"Ada","email":"ada@example.com",}',
    "single-quotes": b"{'name':'Ada'}",
    "unquoted-key": b'{name:"Ada"}',
    "comment": b'{"name":"Ada"/* hi */}',
    "nan": b'{"name":NaN}',
    "infinity": b'{"name":Infinity}',
    "minus-infinity": b'{"name":-Infinity}',
    "leading-zero": b'{"name":01}',
    "plus-number": b'{"name":+1}',
    "hex-number": b'{"name":0x1}',
    "bom": b"\xef\xbb\xbf" + VALID_JSON,
    "utf-16": VALID_JSON.decode().encode("utf-16"),
    "utf-16-le-no-bom": VALID_JSON.decode().encode("utf-16-le"),
    "invalid-utf-8": b'{"name":"Ad\xff","email":"ada@example.com"}',
    "overlong-utf-8": b'{"name":"\xc0\xaf","email":"ada@example.com"}',
    "utf-8-surrogate": b'{"name":"\xed\xa0\x80","email":"ada@example.com"}',
    "latin-1": '{"name":"Ad\u00e9","email":"ada@example.com"}'.encode("latin-1"),
    "lone-high-surrogate": b'{"name":"\\ud800","email":"ada@example.com"}',
    "lone-low-surrogate": b'{"name":"\\udc00","email":"ada@example.com"}',
    "reversed-surrogates": b'{"name":"\\udc00\\ud800","email":"ada@example.com"}',
    "lone-surrogate-in-key": b'{"\\ud800":1}',
    "lone-surrogate-nested": b'{"x":[["\\ud83d"]]}',
    "bad-escape": b'{"name":"\\x41"}',
    "raw-control-character": b'{"name":"A\x01da"}',
    "raw-newline-in-string": b'{"name":"A\nda"}',
    "duplicate-name": b'{"name":"Ada","name":"Bob","email":"ada@example.com"}',
    "duplicate-nested": b'{"x":{"a":1,"a":2}}',
    "duplicate-escaped": b'{"name":"Ada","n\\u0061me":"Bob","email":"ada@example.com"}',
    "depth-33": b"[" * 33 + b"]" * 33,
    "depth-33-in-object": b'{"x":' + b"[" * 32 + b"]" * 32 + b"}",
    "depth-5000": b"[" * 5000 + b"]" * 5000,
    "unclosed-deep": b"[" * 100000,
    "nul-byte": b"\x00",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_create_user_malformed_json_returns_400(api: httpx.Client, body: bytes) -> None:
    response = post(api, body)

    assert_problem(response, 400, problem(400))


WELL_FORMED = {
    "depth-32": b"[" * 32 + b"]" * 32,
    "depth-32-in-object": b'{"x":' + b"[" * 31 + b"]" * 31 + b"}",
    "surrounding-whitespace": b" \r\n\t" + b"{}" + b" \r\n\t",
    "escaped-pair": b'{"name":"\\ud83d\\ude00","x":1}',
    "huge-integer": b'{"name":' + b"9" * 10000 + b"}",
    "huge-exponent": b'{"name":1e999999}',
    "negative-zero": b'{"name":-0.0e-0}',
    "escaped-nul": b'{"name":"\\u0000"}',
    "all-escapes": b'{"name":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}',
    "non-characters": '{"name":"\ufffe\uffff\U0010ffff"}'.encode(),
}


@pytest.mark.parametrize("body", WELL_FORMED.values(), ids=WELL_FORMED.keys())
def test_create_user_well_formed_json_is_validated(api: httpx.Client, body: bytes) -> None:
    response = post(api, body)

    assert response.status_code == 422, response.text
