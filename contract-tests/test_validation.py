"""422: what a valid user is, rule by rule, with the exact error lists."""

import json
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from expected import assert_problem, field_error, invalid

EMAIL_CASES = json.loads(
    (Path(__file__).parent / "testdata" / "email_cases.json").read_text(encoding="utf-8")
)
OK_EMAIL = "valid@example.com"
JSON = {"Content-Type": "application/json"}

# (id, body, expected errors). Bodies are sent as JSON; none of them is valid,
# so none of them writes to the database.
CASES: list[tuple[str, Any, list[dict[str, object]]]] = [
    (
        "empty-object",
        {},
        [field_error("email", "required"), field_error("name", "required")],
    ),
    ("name-missing", {"email": OK_EMAIL}, [field_error("name", "required")]),
    ("email-missing", {"name": "Ada"}, [field_error("email", "required")]),
    ("name-number", {"name": 123, "email": OK_EMAIL}, [field_error("name", "type")]),
    ("name-float", {"name": 1.5, "email": OK_EMAIL}, [field_error("name", "type")]),
    ("name-true", {"name": True, "email": OK_EMAIL}, [field_error("name", "type")]),
    ("name-null", {"name": None, "email": OK_EMAIL}, [field_error("name", "type")]),
    ("name-list", {"name": ["Ada"], "email": OK_EMAIL}, [field_error("name", "type")]),
    (
        "name-object",
        {"name": {"a": 1}, "email": OK_EMAIL},
        [field_error("name", "type")],
    ),
    ("email-number", {"name": "Ada", "email": 5}, [field_error("email", "type")]),
    ("email-null", {"name": "Ada", "email": None}, [field_error("email", "type")]),
    ("name-empty", {"name": "", "email": OK_EMAIL}, [field_error("name", "too_short")]),
    (
        "name-101",
        {"name": "a" * 101, "email": OK_EMAIL},
        [field_error("name", "too_long")],
    ),
    (
        "name-101-code-points",
        {"name": "\U0001f600" * 101, "email": OK_EMAIL},
        [field_error("name", "too_long")],
    ),
    (
        "name-long-and-blank",
        {"name": " " * 101, "email": OK_EMAIL},
        [field_error("name", "too_long")],
    ),
    ("name-space", {"name": " ", "email": OK_EMAIL}, [field_error("name", "blank")]),
    (
        "name-unicode-white-space",
        {
            "name": "\t\n\v\f\r \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000",
            "email": OK_EMAIL,
        },
        [field_error("name", "blank")],
    ),
    (
        "name-nul",
        {"name": "Ada\x00", "email": OK_EMAIL},
        [field_error("name", "forbidden_character")],
    ),
    (
        "name-only-nul",
        {"name": "\x00", "email": OK_EMAIL},
        [field_error("name", "forbidden_character")],
    ),
    (
        "name-blank-and-nul",
        {"name": " \x00 ", "email": OK_EMAIL},
        [field_error("name", "forbidden_character")],
    ),
    (
        "email-empty",
        {"name": "Ada", "email": ""},
        [field_error("email", "invalid_email")],
    ),
    (
        "email-255",
        {"name": "Ada", "email": "a" * 243 + "@example.com"},
        [field_error("email", "too_long")],
    ),
    (
        "email-255-non-ascii",
        {"name": "Ada", "email": "\u00e9" * 255},
        [field_error("email", "too_long")],
    ),
    (
        "unknown-field",
        {"name": "Ada", "email": OK_EMAIL, "id": 5},
        [field_error("id", "unknown_field")],
    ),
    (
        "unknown-fields-sorted",
        {"zeta": 1, "name": "Ada", "email": OK_EMAIL, "Alpha": 2, "created_at": "x"},
        [
            field_error("Alpha", "unknown_field"),
            field_error("created_at", "unknown_field"),
            field_error("zeta", "unknown_field"),
        ],
    ),
    (
        "unknown-field-odd-names",
        {
            "name": "Ada",
            "email": OK_EMAIL,
            "": 1,
            "<\u2028>": 2,
            "\u00e9": 3,
            "\x7f": 4,
        },
        [
            field_error("", "unknown_field"),
            field_error("<\u2028>", "unknown_field"),
            field_error("\x7f", "unknown_field"),
            field_error("\u00e9", "unknown_field"),
        ],
    ),
    (
        "every-problem-at-once",
        {"name": "  ", "email": "nope", "extra": None},
        [
            field_error("email", "invalid_email"),
            field_error("extra", "unknown_field"),
            field_error("name", "blank"),
        ],
    ),
    ("body-array", [], [field_error(None, "type")]),
    ("body-string", "Ada", [field_error(None, "type")]),
    ("body-number", 42, [field_error(None, "type")]),
    ("body-null", None, [field_error(None, "type")]),
    ("body-true", True, [field_error(None, "type")]),
]


@pytest.mark.parametrize(
    ("body", "errors"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_create_user_invalid_body_returns_422(
    api: httpx.Client, body: object, errors: list[dict[str, object]]
) -> None:
    # Not json=body: httpx sends no body at all for json=None.
    response = api.post("/users", content=json.dumps(body), headers=JSON)

    assert_problem(response, 422, invalid(*errors))


def test_create_user_name_of_100_code_points_is_valid(api: httpx.Client, email: str) -> None:
    name = "\U0001f600" * 100

    response = api.post("/users", json={"name": name, "email": email})

    assert response.status_code == 201, response.text
    assert response.json()["name"] == name


@pytest.mark.parametrize(
    "case",
    [case for case in EMAIL_CASES if not case["valid"]],
    ids=lambda case: case["why"],
)
def test_create_user_email_outside_policy_returns_422(
    api: httpx.Client, case: dict[str, Any]
) -> None:
    response = api.post("/users", json={"name": "Ada", "email": case["address"]})

    code = "too_long" if len(case["address"]) > 254 else "invalid_email"
    assert_problem(response, 422, invalid(field_error("email", code)))


@pytest.mark.parametrize(
    "case",
    [case for case in EMAIL_CASES if case["valid"]],
    ids=lambda case: case["why"],
)
def test_create_user_email_inside_policy_is_stored_normalized(
    api: httpx.Client, database: psycopg.Connection[Any], case: dict[str, Any]
) -> None:
    # The table's addresses are fixed, so free each one before using it.
    database.execute("DELETE FROM users WHERE lower(email) = lower(%s)", [case["normalized"]])

    response = api.post("/users", json={"name": "Ada", "email": case["address"]})

    assert response.status_code == 201, response.text
    assert response.json()["email"] == case["normalized"]
