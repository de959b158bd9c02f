"""Reading bodies: what is JSON here, and how validation errors are reported."""

import pytest
from users_api.bodies import parse_json, validate_body
from users_api.errors import InvalidRequest, MalformedJSON
from users_api.schemas import UserCreate


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"{}x",
        b"\xef\xbb\xbf{}",
        b'{"a":NaN}',
        b'{"a":1,"a":2}',
        b'["\\ud800"]',
        b'{"\\udc00":1}',
        b'"\xff"',
        b"[" * 33 + b"]" * 33,
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "empty",
        "truncated",
        "trailing",
        "bom",
        "nan",
        "duplicate",
        "lone-surrogate",
        "surrogate-key",
        "bad-utf8",
        "depth-33",
        "depth-100000",
    ],
)
def test_parse_json_rejects_what_is_not_i_json(raw: bytes) -> None:
    with pytest.raises(MalformedJSON):
        parse_json(raw)


def test_parse_json_accepts_depth_32_and_huge_numbers() -> None:
    assert parse_json(b"[" * 32 + b"]" * 32) is not None
    assert parse_json(b"[" + b"9" * 5000 + b"]") is not None


def test_validate_body_reports_every_problem_sorted_by_location() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_body(UserCreate, {"name": " ", "email": 5, "b": 1, "a": 2})

    assert caught.value.errors == [
        {"loc": ["body", "a"], "code": "unknown_field", "message": "unknown field"},
        {"loc": ["body", "b"], "code": "unknown_field", "message": "unknown field"},
        {"loc": ["body", "email"], "code": "type", "message": "must be a string"},
        {"loc": ["body", "name"], "code": "blank", "message": "must not be blank"},
    ]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "too_short"),
        ("x" * 101, "too_long"),
        ("\u3000\u2028", "blank"),
        ("a\x00", "forbidden_character"),
    ],
)
def test_validate_body_name_rules(name: str, code: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_body(UserCreate, {"name": name, "email": "ada@example.com"})

    assert [error["code"] for error in caught.value.errors] == [code]


def test_validate_body_counts_code_points_not_bytes() -> None:
    user = validate_body(UserCreate, {"name": "\U0001f600" * 100, "email": "a@example.com"})

    assert len(user.name) == 100


def test_validate_body_does_not_coerce() -> None:
    with pytest.raises(InvalidRequest) as caught:
        validate_body(UserCreate, {"name": 123, "email": "a@example.com"})

    assert caught.value.errors[0]["code"] == "type"
