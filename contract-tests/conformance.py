"""Check every response of the suite against the OpenAPI document.

The suite's HTTP clients call ``DocumentChecker.check`` on each response (an
httpx event hook). A response to a documented operation must have a documented
status, content type, headers and body schema; the statuses seen are recorded,
so that the session can fail when a documented status was never exercised.
"""

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import openapi
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from werkzeug.datastructures import Headers, ImmutableMultiDict


@dataclass
class _Request:
    """An httpx request, shaped as openapi-core reads requests."""

    request: httpx.Request
    parameters: RequestParameters = field(default_factory=RequestParameters)

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        content_type: str = self.request.headers.get("content-type", "")
        return content_type.lower()


@dataclass
class _Response:
    """An httpx response, shaped as openapi-core reads responses."""

    response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        content_type: str = self.response.headers.get("content-type", "")
        return content_type

    @property
    def headers(self) -> Headers:
        return Headers(list(self.response.headers.items()))

    @property
    def data(self) -> bytes:
        return self.response.content


class DocumentChecker:
    """Validates responses against openapi.yaml and remembers which statuses it saw."""

    def __init__(self) -> None:
        self.document = openapi.load()
        # openapi-core parses application/json only; problems are JSON too.
        config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
        self._openapi = OpenAPI.from_dict(self.document, config=config)
        self.seen: set[tuple[str, str, str, str]] = set()

    def check(self, response: httpx.Response, service: str) -> None:
        """Raise if ``response`` breaks the document; record its status if documented."""
        if response.request.method in ("HEAD", "OPTIONS"):
            return  # not operations of the document: their rules are in CONTRACT.md
        if not response.request.url.path.isprintable():
            return  # openapi-core, like Starlette, lets "/healthz\n" match "/healthz"

        response.read()
        request = _Request(response.request)
        request.parameters.query = ImmutableMultiDict(response.request.url.params.multi_items())
        try:
            self._openapi.validate_response(request, _Response(response))
        except (PathNotFound, OperationNotFound):
            return  # an unknown path or method: 404 and 405 are checked by the tests

        template = self._template(response.request)
        self.seen.add((service, response.request.method, template, str(response.status_code)))

    def documented(self) -> set[tuple[str, str, str]]:
        """Every (method, path template, status) the document lists."""
        statuses = set()
        for template, item in self.document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    for status in operation["responses"]:
                        statuses.add((method.upper(), template, status))
        return statuses

    def unexercised(self, service: str) -> list[tuple[str, str, str]]:
        """The documented statuses no response from ``service`` has shown yet."""
        seen = {entry[1:] for entry in self.seen if entry[0] == service}
        return sorted(self.documented() - seen)

    def _template(self, request: httpx.Request) -> str:
        path = request.url.path
        if path.startswith("/users/"):
            return "/users/{id}"
        return path


def check_all(checker: DocumentChecker, service: str) -> dict[str, Any]:
    """httpx event hooks that check every response of a client for ``service``."""
    return {"response": [lambda response: checker.check(response, service)]}
