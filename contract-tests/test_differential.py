"""Replay one request sequence against both services and compare every answer.

The two services write to one database, so each gets its own e-mail addresses
and its own user ids; normalizing those away, the responses must be identical:
status, the headers that matter, and the body byte for byte.
"""

import re
import uuid
from dataclasses import dataclass, field

import httpx

JSON = {"Content-Type": "application/json"}


@dataclass
class Step:
    """One request; ``{email}``/``{email2}`` and ``{id}``/``{id2}`` are filled per service."""

    method: str
    path: str
    body: str | bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


SEQUENCE = [
    Step("GET", "/healthz"),
    Step("GET", "/readyz"),
    Step("POST", "/users", '{"name":"Ada","email":"{email}"}'),
    Step("GET", "/users/{id}"),
    Step("HEAD", "/users/{id}"),
    Step("POST", "/users", '{"name":"Ada again","email":"{EMAIL}"}'),
    Step("POST", "/users", '{"name":"Bob <b> & \\u2028","email":"{email2}"}'),
    Step("GET", "/users/{id2}"),
    Step("GET", "/users/{id}/"),
    Step("GET", "/users/0{id}"),
    Step("PUT", "/users/{id}", '{"name":"x"}'),
    Step("OPTIONS", "/users/{id}"),
    Step("OPTIONS", "/users"),
    Step("GET", "/users"),
    Step("DELETE", "/users"),
    Step(
        "POST",
        "/users",
        '{"name":"Ada","email":"{email3}"}',
        {"Content-Type": "text/json"},
    ),
    Step("POST", "/users", '{"name":"Ada","email":"{email3}"}', {}),
    Step("POST", "/users", '{"name":"Ada","email":"{email3}",}'),
    Step("POST", "/users", '{"name":"Ada","name":"Ada","email":"{email3}"}'),
    Step("POST", "/users", b'{"name":"\xff","email":"x@example.com"}'),
    Step("POST", "/users", '{"name":"\\udfff","email":"x@example.com"}'),
    Step("POST", "/users", "[]"),
    Step("POST", "/users", "null"),
    Step("POST", "/users", '{"name":null,"email":null,"id":1,"created_at":"now"}'),
    Step("POST", "/users", '{"name":" \\u3000 ","email":"Ada <ada@example.com>"}'),
    Step("POST", "/users", '{"name":"\\u0000","email":"\\"ada\\"@example.com"}'),
    Step("POST", "/users", '{"name":"ok","email":"ada@xn--bcher-kva.example"}'),
    Step("POST", "/users", '{"name":"ok","email":"ad\u00e9@example.com"}'),
    Step("POST", "/users", '{"name":"ok","email":"ada@localhost"}'),
    Step("POST", "/users", '{"name":"ok","email":"ada@[127.0.0.1]"}'),
    Step("POST", "/users", '{"name":"' + "n" * 101 + '","email":"' + "e" * 255 + '"}'),
    Step(
        "POST",
        "/users",
        '{"name":"Zed","email":"{email3}"}',
        {"Content-Type": "APPLICATION/JSON; charset=UTF-8"},
    ),
    Step("GET", "/users/{id3}"),
    Step("PATCH", "/users/{id3}", '{"name":"Zed Renamed"}'),
    Step("PATCH", "/users/{id3}", '{"email":"{EMAIL}"}'),
    Step("PATCH", "/users/{id3}", '{"email":null,"nick":1}'),
    Step("PATCH", "/users/{id3}", "{}", {"Content-Type": "text/plain"}),
    Step("PATCH", "/users/{id3}", '{"name":"x"}{}'),
    Step("PATCH", "/users/abc", '{"name":"x"}'),
    Step("DELETE", "/users/{id3}"),
    Step("DELETE", "/users/{id3}"),
    Step("PATCH", "/users/{id3}", '{"name":"Gone"}'),
    Step("GET", "/users?limit=0&after=-1"),
    Step("GET", "/users?limit=3&limit=4&after=9223372036854775807"),
    Step("GET", "/users?after=9223372036854775807"),
    Step("HEAD", "/users?after=9223372036854775807"),
    Step("OPTIONS", "/users/abc"),
    Step("GET", "/users/9223372036854775807"),
    Step("GET", "/users/9223372036854775808"),
    Step("GET", "/nothing?x=1"),
]


@dataclass
class Replay:
    """The values one service's run substitutes, and how to normalize them back."""

    client: httpx.Client
    token: str
    ids: dict[str, str] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        for n, suffix in ((1, ""), (2, "2"), (3, "3")):
            text = text.replace("{id" + suffix + "}", self.ids.get(f"id{suffix}", "999999999999"))
            address = f"{self.token}-{'xyz'[n - 1]}@example.com"
            text = text.replace("{email" + suffix + "}", address)
            text = text.replace("{EMAIL" + suffix + "}", address.upper())
        return text

    def normalize(self, text: str) -> str:
        # Only where ids appear: a bare number search could hit a status code.
        for key, value in self.ids.items():
            placeholder = "{" + key + "}"
            text = text.replace(f'"id":{value},', f'"id":{placeholder},')
            text = text.replace(f"/users/{value}", f"/users/{placeholder}")
            text = text.replace(f"User {value} does", f"User {placeholder} does")
        text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", "<timestamp>", text)
        return text.replace(self.token, "<token>").replace(self.token.upper(), "<TOKEN>")

    def send(self, step: Step) -> dict[str, object]:
        body = step.body
        if isinstance(body, str):
            body = self.fill(body).encode()
        response = self.client.request(
            step.method, self.fill(step.path), content=body, headers=step.headers
        )
        if response.status_code == 201:
            key = "id" if not self.ids else f"id{len(self.ids) + 1}"
            self.ids[key] = str(response.json()["id"])

        return {
            "request": f"{step.method} {step.path}",
            "status": response.status_code,
            "content-type": response.headers.get("content-type"),
            "allow": response.headers.get("allow"),
            "location": self.normalize(response.headers.get("location", "")),
            "body": self.normalize(response.content.decode("utf-8", "replace")),
        }


def test_replayed_sequence_gets_identical_responses(
    clients: dict[str, httpx.Client],
) -> None:
    run = uuid.uuid4().hex[:8]
    fastapi = Replay(clients["fastapi"], f"diff-{run}-a")
    gin = Replay(clients["gin"], f"diff-{run}-b")

    for step in SEQUENCE:
        expected = fastapi.send(step)
        got = gin.send(step)

        assert got == expected
