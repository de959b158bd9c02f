"""Keyset pagination of ``GET /users``: reading ``limit`` and ``after``, linking pages."""

import re
from dataclasses import dataclass

from fastapi import Request

from users_api.errors import FieldError, InvalidRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_ID = 2**63 - 1

_CANONICAL_INTEGER = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class PageRequest:
    """Which page to list: at most ``limit`` users with ids greater than ``after``."""

    limit: int = DEFAULT_LIMIT
    after: int = 0

    def next_link(self, last_id: int) -> str:
        """The path of the page after the one that ended with ``last_id``."""
        return f"/users?limit={self.limit}&after={last_id}"


def read_page_request(request: Request) -> PageRequest:
    """Read ``limit`` and ``after`` from the query string, or raise InvalidRequest."""
    errors: list[FieldError] = []
    limit = _read_integer(request, "limit", range(1, MAX_LIMIT + 1), errors)
    after = _read_integer(request, "after", range(MAX_ID + 1), errors)

    if errors:
        raise InvalidRequest(errors)
    return PageRequest(
        limit=DEFAULT_LIMIT if limit is None else limit,
        after=0 if after is None else after,
    )


def _read_integer(
    request: Request, name: str, valid: range, errors: list[FieldError]
) -> int | None:
    """The parameter's value, or None when it is absent or wrong (adding to ``errors``)."""
    values = request.query_params.getlist(name)
    if not values:
        return None

    loc = ["query", name]
    highest = valid.stop - 1
    value = values[0]
    if len(values) > 1:
        errors.append({"loc": loc, "code": "repeated", "message": "must be given at most once"})
    elif not _CANONICAL_INTEGER.fullmatch(value):
        errors.append({"loc": loc, "code": "type", "message": "must be an integer"})
    # Lengths first: int() refuses strings of more than 4,300 digits.
    elif len(value) > len(str(highest)) or int(value) not in valid:
        message = f"must be between {valid.start} and {highest}"
        if not valid.start:
            message = f"must be at most {highest}"
        errors.append({"loc": loc, "code": "out_of_range", "message": message})
    else:
        return int(value)
    return None
