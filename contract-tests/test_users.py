"""Creating and reading users: the happy paths and the database's verdicts."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from conftest import Service
from expected import TIMESTAMP, assert_headers_clean, assert_problem, compact, problem

MAX_ID = 2**63 - 1


def create(api: httpx.Client, name: str, email: str) -> httpx.Response:
    return api.post("/users", json={"name": name, "email": email})


def test_create_user_returns_201_with_location_and_user(api: httpx.Client, email: str) -> None:
    response = create(api, "Ada Lovelace", email)

    assert response.status_code == 201, response.text
    assert response.headers["content-type"] == "application/json"
    user = response.json()
    assert list(user) == ["id", "name", "email", "created_at", "updated_at"]
    assert response.headers["location"] == f"/users/{user['id']}"
    assert user["name"] == "Ada Lovelace"
    assert user["email"] == email
    assert_headers_clean(response)


def test_create_user_writes_timestamps_in_utc_with_microseconds(
    api: httpx.Client, email: str
) -> None:
    user = create(api, "Ada", email).json()

    assert TIMESTAMP.fullmatch(user["created_at"]), user["created_at"]
    assert user["updated_at"] == user["created_at"]


def test_create_user_renders_compact_json_in_member_order(api: httpx.Client, email: str) -> None:
    response = create(api, "Ada", email)
    user = response.json()

    assert response.content == compact(user)
    assert response.content.startswith(b'{"id":%d,"name":"Ada","email":' % user["id"])


def test_get_user_returns_what_create_returned(api: httpx.Client, email: str) -> None:
    created = create(api, "Grace Hopper", email)

    response = api.get(created.headers["location"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content == created.content
    assert_headers_clean(response)


def test_get_user_unknown_id_returns_404(api: httpx.Client) -> None:
    response = api.get(f"/users/{MAX_ID}")

    assert_problem(response, 404, problem(404, f"User {MAX_ID} does not exist."))


@pytest.mark.parametrize(
    "raw_id",
    [
        "0",
        "-1",
        "01",
        "+1",
        "1e3",
        "1.0",
        "0x10",
        "abc",
        "1_000",
        "%201",
        "1%20",
        "%EF%BC%91",  # fullwidth digit one
        "%D9%A3",  # Arabic-Indic digit three
        str(MAX_ID + 1),
        "99999999999999999999999999",
        "1" * 1000,
    ],
)
def test_get_user_id_that_names_no_user_returns_404(api: httpx.Client, raw_id: str) -> None:
    response = api.get(f"/users/{raw_id}")

    assert_problem(response, 404, problem(404))


def test_get_user_percent_encoded_id_is_decoded(api: httpx.Client, email: str) -> None:
    user = create(api, "Ada", email).json()
    encoded = "".join(f"%{ord(digit):02X}" for digit in str(user["id"]))

    response = api.get(f"/users/{encoded}")

    assert response.status_code == 200
    assert response.json() == user


def test_create_user_duplicate_email_returns_409(api: httpx.Client, email: str) -> None:
    assert create(api, "First", email).status_code == 201

    response = create(api, "Second", email)

    assert_problem(response, 409, problem(409))


def test_create_user_duplicate_email_in_other_case_returns_409(
    api: httpx.Client, email: str
) -> None:
    assert create(api, "First", email).status_code == 201

    response = create(api, "Second", email.upper())

    assert_problem(response, 409, problem(409))


def test_create_user_stores_domain_lowercased_and_local_part_as_sent(
    api: httpx.Client, email: str
) -> None:
    local, _, domain = email.partition("@")
    sent = f"{local.upper()}@{domain.upper()}"

    user = create(api, "Ada", sent).json()

    assert user["email"] == f"{local.upper()}@{domain}"


def test_create_user_stores_name_exactly_as_sent(api: httpx.Client, email: str) -> None:
    name = '  Ada\t<Lovelace> & \u2028 \x7f "quoted" \\ \u00e9\U0001f600  '

    created = create(api, name, email)

    assert created.status_code == 201, created.text
    assert created.json()["name"] == name
    assert api.get(created.headers["location"]).json()["name"] == name


def test_create_user_concurrent_same_email_exactly_one_wins(service: Service, email: str) -> None:
    attempts = 50
    start = threading.Barrier(attempts)

    def attempt(index: int) -> int:
        with httpx.Client(base_url=service.base_url, timeout=60) as client:
            start.wait()
            return create(client, f"Racer {index}", email).status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        statuses = list(pool.map(attempt, range(attempts)))

    assert sorted(statuses) == [201] + [409] * (attempts - 1)
