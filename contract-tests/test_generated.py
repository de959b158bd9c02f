"""Property-based differential testing: generated request sequences, both services.

Hypothesis builds sequences of requests, valid and hostile, and sends each one to
both services. Each service has a database of its own, emptied before every
sequence, so the two see the same state and hand out the same ids: apart from
the clock, their answers must be identical, byte for byte.
"""

import json
import os
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest
from conformance import DocumentChecker
from conftest import Service, client_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
MAX_EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "200"))

# CI replays the same examples every run; a developer's run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass
class Twin:
    """A service on a database of its own, and how many requests it was sent."""

    client: httpx.Client
    database: psycopg.Connection[Any]
    sent: int = 0


@pytest.fixture(scope="module")
def twins(
    database_url: str,
    start_service: Any,
    document_checker: DocumentChecker,
    report_line: Callable[[str], None],
) -> Iterator[dict[str, Twin]]:
    """Both services, each on its own empty copy of the schema."""
    import stack  # noqa: PLC0415

    twins = {}
    with psycopg.connect(database_url, autocommit=True) as admin:
        for name in ("fastapi", "gin"):
            admin.execute(f"DROP DATABASE IF EXISTS twin_{name}")
            admin.execute(f"CREATE DATABASE twin_{name}")

    urls = {name: database_url.replace("/users?", f"/twin_{name}?") for name in ("fastapi", "gin")}
    for name, url in urls.items():
        stack.migrate(url)
        service: Service = start_service(name, url)
        twins[name] = Twin(
            client_for(service, document_checker), psycopg.connect(url, autocommit=True)
        )

    yield twins

    for name, twin in twins.items():
        report_line(f"differential: {twin.sent} generated requests to {name}")
        twin.client.close()
        twin.database.close()


# --- what a request can look like ------------------------------------------------------------

ATEXT = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~."
DOMAINS = [
    "example.com",
    "EXAMPLE.org",
    "a.b.example.net",
    "localhost",
    "example",
    "x--y.io",
    "xn--bcher-kva.example",
    "[127.0.0.1]",
    "ex ample.com",
    "example.test",
    "123.com",
]

names = st.one_of(
    st.text(max_size=110),
    st.text(alphabet=" \t\n\u3000\u2028\u00a0\u200b\ufeff\x00", max_size=5),
    st.sampled_from(["Ada", "a" * 100, "a" * 101, "\U0001f600" * 100, "e\u0301" * 50]),
)
emails = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(ATEXT, max_size=70),
        st.sampled_from(DOMAINS),
    ),
    st.sampled_from(
        [
            "ada@example.com",
            "ADA@Example.com",
            "Postmaster@example.com",
            "Ada <ada@example.com>",
            '"ada"@example.com',
            "ad\u00e9@example.com",
            "",
        ]
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
user_objects = st.fixed_dictionaries(
    {}, optional={"name": names | json_values, "email": emails | json_values, "extra": json_values}
)
bodies = st.one_of(
    user_objects.map(lambda body: json.dumps(body).encode()),
    user_objects.map(lambda body: json.dumps(body, ensure_ascii=False).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=40),
    st.sampled_from([b"", b"{", b'{"name":"a","name":"b"}', b'{"name":"\\ud800"}', b"[" * 40]),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "APPLICATION/JSON",
        "text/plain",
        "application/problem+json",
        "",
    ]
)
ids = st.one_of(
    st.integers(min_value=1, max_value=6).map(str),
    st.sampled_from(["0", "-1", "01", "abc", "9223372036854775807", "9223372036854775808", "1.0"]),
)
query_values = st.one_of(
    st.integers(min_value=-2, max_value=120).map(str), st.sampled_from(["", "05", "x", "+1", "1e2"])
)
queries = st.lists(
    st.tuples(st.sampled_from(["limit", "after", "other"]), query_values), max_size=3
).map(lambda pairs: "&".join(f"{key}={value}" for key, value in pairs))
paths = st.one_of(
    st.just("/users"),
    queries.map(lambda query: f"/users?{query}"),
    ids.map(lambda user_id: f"/users/{user_id}"),
    st.sampled_from(["/users/", "/healthz", "/readyz", "/nope", "/users/1/x"]),
)


@dataclass(frozen=True)
class Step:
    """One generated request."""

    method: str
    path: str
    body: bytes | None
    content_type: str


steps = st.builds(
    Step,
    method=st.sampled_from(
        ["GET", "GET", "POST", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "PUT"]
    ),
    path=paths,
    body=st.none() | bodies,
    content_type=content_types,
)
# Creating users first makes the later reads, updates and deletes find something.
creates = st.builds(
    Step,
    method=st.just("POST"),
    path=st.just("/users"),
    body=user_objects.map(lambda body: json.dumps(body).encode()),
    content_type=st.just("application/json"),
)
sequences = st.tuples(st.lists(creates, max_size=4), st.lists(steps, min_size=1, max_size=8))


def answer(twin: Twin, step: Step) -> dict[str, object]:
    headers = {"Content-Type": step.content_type} if step.content_type else {}
    twin.sent += 1
    response = twin.client.request(step.method, step.path, content=step.body, headers=headers)
    return {
        "status": response.status_code,
        "headers": {
            name: response.headers.get(name)
            for name in ("content-type", "content-length", "allow", "location")
        },
        "body": TIMESTAMP.sub(b"<timestamp>", response.content),
    }


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=sequences)
def test_generated_sequences_get_identical_responses(
    twins: dict[str, Twin], sequence: tuple[list[Step], list[Step]]
) -> None:
    for twin in twins.values():
        twin.database.execute("TRUNCATE users RESTART IDENTITY")

    for step in [*sequence[0], *sequence[1]]:
        fastapi = answer(twins["fastapi"], step)
        gin = answer(twins["gin"], step)

        assert fastapi == gin, step
        assert fastapi["status"] in {200, 201, 204, 400, 404, 405, 409, 413, 415, 422}
