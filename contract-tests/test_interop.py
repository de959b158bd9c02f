"""Both services share one database: what one writes, the other reads."""

from typing import Any

import httpx
import psycopg
import pytest
from expected import assert_problem, problem

PAIRS = [("fastapi", "gin"), ("gin", "fastapi")]


@pytest.mark.parametrize(("writer", "reader"), PAIRS, ids=["fastapi-to-gin", "gin-to-fastapi"])
def test_user_created_by_one_service_is_read_identically_by_the_other(
    clients: dict[str, httpx.Client], email: str, writer: str, reader: str
) -> None:
    created = clients[writer].post("/users", json={"name": "Ada \u00e9\U0001f600", "email": email})

    read_back = clients[reader].get(created.headers["location"])

    assert read_back.status_code == 200
    assert read_back.content == created.content


@pytest.mark.parametrize(("writer", "reader"), PAIRS, ids=["fastapi-to-gin", "gin-to-fastapi"])
def test_email_taken_through_one_service_is_taken_for_the_other(
    clients: dict[str, httpx.Client], email: str, writer: str, reader: str
) -> None:
    assert clients[writer].post("/users", json={"name": "A", "email": email}).status_code == 201

    response = clients[reader].post("/users", json={"name": "B", "email": email.upper()})

    assert_problem(response, 409, problem(409))


def test_database_rejects_duplicate_email_in_any_case(
    database: psycopg.Connection[Any], email: str
) -> None:
    local, _, domain = email.partition("@")
    database.execute("INSERT INTO users (name, email) VALUES ('A', %s)", [email])

    with pytest.raises(psycopg.errors.UniqueViolation):
        database.execute(
            "INSERT INTO users (name, email) VALUES ('B', %s)", [f"{local.upper()}@{domain}"]
        )


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("", "ok@example.com"),
        ("a" * 101, "ok@example.com"),
        ("   ", "ok@example.com"),
        ("Ada", "no-at-sign"),
        ("Ada", "ada@EXAMPLE.com"),
        ("Ada", "a" * 250 + "@example.com"),
    ],
    ids=[
        "empty-name",
        "long-name",
        "blank-name",
        "no-at",
        "upper-domain",
        "long-email",
    ],
)
def test_database_constraints_back_up_validation(
    database: psycopg.Connection[Any], name: str, email: str
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        database.execute("INSERT INTO users (name, email) VALUES (%s, %s)", [name, email])
