"""Listing, updating and deleting users."""

import time
from typing import Any

import httpx
import pytest
from expected import assert_problem, field_error, invalid, problem


def create(api: httpx.Client, name: str, email: str) -> dict[str, Any]:
    response = api.post("/users", json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


def make_users(api: httpx.Client, email: str, count: int) -> list[dict[str, Any]]:
    local, _, domain = email.partition("@")
    return [create(api, f"User {n}", f"{local}.{n}@{domain}") for n in range(count)]


# --- listing -------------------------------------------------------------------------------


def test_list_users_walks_every_page_in_id_order(api: httpx.Client, email: str) -> None:
    created = make_users(api, email, 7)
    path: str | None = f"/users?limit=3&after={created[0]['id'] - 1}"

    seen: list[dict[str, Any]] = []
    pages = 0
    while path is not None and len(seen) < len(created):
        response = api.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        page = response.json()
        assert list(page) == ["users", "next"]
        seen.extend(page["users"])
        path = page["next"]
        pages += 1

    assert pages == 3
    assert seen[: len(created)] == created


def test_list_users_next_link_names_limit_and_last_id(api: httpx.Client, email: str) -> None:
    created = make_users(api, email, 3)

    page = api.get(f"/users?after={created[0]['id'] - 1}&limit=2").json()

    assert page["next"] == f"/users?limit=2&after={created[1]['id']}"


def test_list_users_last_page_has_no_next(api: httpx.Client, email: str) -> None:
    last = make_users(api, email, 1)[0]

    page = api.get(f"/users?after={last['id'] - 1}&limit=1").json()

    # Another test run may add users later, but none exist after this one now.
    assert page["users"] == [last]
    assert page["next"] is None


def test_list_users_defaults_to_20_from_the_start(api: httpx.Client, email: str) -> None:
    make_users(api, email, 21)

    page = api.get("/users").json()

    assert len(page["users"]) == 20
    ids = [user["id"] for user in page["users"]]
    assert ids == sorted(ids)
    assert page["next"] == f"/users?limit=20&after={ids[-1]}"


def test_list_users_after_the_largest_id_is_empty(api: httpx.Client) -> None:
    response = api.get("/users?after=9223372036854775807")

    assert response.content == b'{"users":[],"next":null}'


def test_list_users_ignores_unknown_parameters(api: httpx.Client) -> None:
    response = api.get("/users?after=9223372036854775807&sort=name&limit=5&x")

    assert response.content == b'{"users":[],"next":null}'


def query_error(name: str, code: str) -> dict[str, object]:
    messages = {
        "repeated": "must be given at most once",
        "type": "must be an integer",
        ("out_of_range", "limit"): "must be between 1 and 100",
        ("out_of_range", "after"): "must be at most 9223372036854775807",
    }
    message = messages.get(code) or messages[(code, name)]
    return {"loc": ["query", name], "code": code, "message": message}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("limit=0", [query_error("limit", "out_of_range")]),
        ("limit=101", [query_error("limit", "out_of_range")]),
        ("limit=99999999999999999999999", [query_error("limit", "out_of_range")]),
        ("limit=" + "9" * 5000, [query_error("limit", "out_of_range")]),
        ("limit=-1", [query_error("limit", "type")]),
        ("limit=+5", [query_error("limit", "type")]),
        ("limit=%2B5", [query_error("limit", "type")]),
        ("limit=05", [query_error("limit", "type")]),
        ("limit=5.0", [query_error("limit", "type")]),
        ("limit=1e1", [query_error("limit", "type")]),
        ("limit=", [query_error("limit", "type")]),
        ("limit", [query_error("limit", "type")]),
        ("limit=%20", [query_error("limit", "type")]),
        ("limit=5%ZZ", [query_error("limit", "type")]),
        ("limit=5;after=1", [query_error("limit", "type")]),
        ("limit=%EF%BC%95", [query_error("limit", "type")]),
        ("limit=ten", [query_error("limit", "type")]),
        ("limit=5&limit=5", [query_error("limit", "repeated")]),
        ("lim%69t=5&limit=6", [query_error("limit", "repeated")]),
        ("after=-1", [query_error("after", "type")]),
        ("after=abc", [query_error("after", "type")]),
        ("after=9223372036854775808", [query_error("after", "out_of_range")]),
        ("after=1&after=2", [query_error("after", "repeated")]),
        (
            "limit=0&after=x",
            [query_error("after", "type"), query_error("limit", "out_of_range")],
        ),
    ],
)
def test_list_users_bad_parameters_return_422(
    api: httpx.Client, query: str, errors: list[dict[str, object]]
) -> None:
    response = api.get(f"/users?{query}")

    assert_problem(response, 422, invalid(*errors))


@pytest.mark.parametrize("query", ["limit=%35", "limit=5&&", "&limit=5", "limit=5&limit2=1"])
def test_list_users_query_decoding_is_shared(api: httpx.Client, query: str) -> None:
    response = api.get(f"/users?{query}&after=9223372036854775807")

    assert response.status_code == 200
    assert response.json()["next"] is None


# --- updating ------------------------------------------------------------------------------


def test_update_user_changes_name_and_keeps_the_rest(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)
    time.sleep(0.01)

    response = api.patch(f"/users/{user['id']}", json={"name": "Ada Lovelace"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    updated = response.json()
    assert updated["name"] == "Ada Lovelace"
    assert updated["email"] == user["email"]
    assert updated["created_at"] == user["created_at"]
    assert updated["updated_at"] > user["updated_at"]
    assert api.get(f"/users/{user['id']}").json() == updated


def test_update_user_normalizes_a_new_email(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)
    local, _, domain = email.partition("@")

    response = api.patch(f"/users/{user['id']}", json={"email": f"New.{local}@{domain.upper()}"})

    assert response.json()["email"] == f"New.{local}@{domain}"


def test_update_user_empty_object_only_touches_updated_at(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)
    time.sleep(0.01)

    updated = api.patch(f"/users/{user['id']}", json={}).json()

    assert {**updated, "updated_at": None} == {**user, "updated_at": None}
    assert updated["updated_at"] > user["updated_at"]


def test_update_user_own_email_in_other_case_is_no_conflict(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)

    response = api.patch(f"/users/{user['id']}", json={"email": email.upper()})

    assert response.status_code == 200
    assert response.json()["email"] == email.upper().replace("EXAMPLE.COM", "example.com")


def test_update_user_email_of_another_user_returns_409(api: httpx.Client, email: str) -> None:
    first, second = make_users(api, email, 2)

    response = api.patch(f"/users/{second['id']}", json={"email": first["email"].upper()})

    assert_problem(response, 409, problem(409))


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"name": None}, [field_error("name", "type")]),
        ({"email": None}, [field_error("email", "type")]),
        ({"name": ""}, [field_error("name", "too_short")]),
        ({"name": " "}, [field_error("name", "blank")]),
        ({"email": "nope"}, [field_error("email", "invalid_email")]),
        ({"id": 1}, [field_error("id", "unknown_field")]),
        (
            {"name": 1, "created_at": "x"},
            [field_error("created_at", "unknown_field"), field_error("name", "type")],
        ),
        ([], [field_error(None, "type")]),
    ],
    ids=["null-name", "null-email", "empty-name", "blank-name", "bad-email", "id", "two", "array"],
)
def test_update_user_invalid_body_returns_422(
    api: httpx.Client, email: str, body: object, errors: list[dict[str, object]]
) -> None:
    user = create(api, "Ada", email)

    response = api.patch(f"/users/{user['id']}", json=body)

    assert_problem(response, 422, invalid(*errors))


def test_update_user_validates_before_looking_the_user_up(api: httpx.Client) -> None:
    response = api.patch("/users/9223372036854775807", json={"name": ""})

    assert_problem(response, 422, invalid(field_error("name", "too_short")))


def test_update_unknown_user_returns_404(api: httpx.Client) -> None:
    response = api.patch("/users/9223372036854775807", json={"name": "Ada"})

    assert_problem(response, 404, problem(404, "User 9223372036854775807 does not exist."))


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"name":"x"}', "text/plain", 415),
        (b'{"name":"x","name":"y"}', "application/json", 400),
        (b"", "application/json", 400),
    ],
)
def test_update_user_reads_its_body_like_create(
    api: httpx.Client, email: str, content: bytes, content_type: str, status: int
) -> None:
    user = create(api, "Ada", email)

    response = api.patch(
        f"/users/{user['id']}", content=content, headers={"Content-Type": content_type}
    )

    assert_problem(response, status, problem(status))


# --- deleting ------------------------------------------------------------------------------


def test_delete_user_returns_204_then_404(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)

    first = api.delete(f"/users/{user['id']}")
    second = api.delete(f"/users/{user['id']}")

    assert first.status_code == 204
    assert first.content == b""
    assert "content-type" not in first.headers
    assert_problem(second, 404, problem(404, f"User {user['id']} does not exist."))
    assert api.get(f"/users/{user['id']}").status_code == 404


def test_delete_user_frees_the_email(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email)
    api.delete(f"/users/{user['id']}")

    again = api.post("/users", json={"name": "Ada", "email": email})

    assert again.status_code == 201
