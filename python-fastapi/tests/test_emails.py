"""The e-mail policy: a few cases of its own, and the table shared with the Go service."""

import json
from pathlib import Path
from typing import Any

import pytest
from users_api.emails import InvalidEmail, normalize_email

SHARED_TABLE = (
    Path(__file__).resolve().parents[2] / "contract-tests" / "testdata" / "email_cases.json"
)


def shared_cases() -> list[Any]:
    if not SHARED_TABLE.exists():
        # A service copied out of the monorepo keeps only its own cases.
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no {SHARED_TABLE}"))]
    cases = json.loads(SHARED_TABLE.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["why"]) for case in cases]


@pytest.mark.parametrize(
    ("address", "stored"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada.Lovelace+tag@Example.COM", "Ada.Lovelace+tag@example.com"),
        ("POSTMASTER@example.com", "postmaster@example.com"),
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
    ],
)
def test_normalize_email_valid_returns_stored_form(address: str, stored: str) -> None:
    assert normalize_email(address) == stored


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ada",
        "ada@example",
        "Ada <ada@example.com>",
        '"ada"@example.com',
        "ada@[127.0.0.1]",
        "ada@localhost",
        "ada@xn--bcher-kva.example",
        "ad\u00e9@example.com",
        " ada@example.com",
        "a" * 65 + "@example.com",
        "a" * 60 + "@" + "b" * 190 + ".com",
    ],
)
def test_normalize_email_invalid_raises(address: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(address)


@pytest.mark.parametrize("case", shared_cases())
def test_normalize_email_agrees_with_shared_table(case: dict[str, Any]) -> None:
    if case["valid"]:
        assert normalize_email(case["address"]) == case["normalized"]
    else:
        with pytest.raises(InvalidEmail):
            normalize_email(case["address"])
