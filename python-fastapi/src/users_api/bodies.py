"""Reading request bodies exactly as CONTRACT.md says, in its order of checks.

FastAPI's own body handling would answer 422 for everything and accept what
Python's json module accepts (NaN, duplicate names, a byte-order mark, UTF-16),
so the API reads its bodies here: media type (415), size (413), I-JSON (400),
then the pydantic model (422).
"""

import json
import re
from decimal import Decimal
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from starlette.requests import ClientDisconnect

from users_api.errors import (
    BodyTooLarge,
    FieldError,
    InvalidRequest,
    MalformedJSON,
    UnsupportedMediaType,
)

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32

Model = TypeVar("Model", bound=BaseModel)

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


async def read_json(request: Request) -> object:
    """Return the request's JSON body, or raise the error the contract names."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0]
    if media_type.strip(" \t").lower() != "application/json":
        raise UnsupportedMediaType

    return parse_json(await _read_limited(request))


def parse_json(raw: bytes) -> object:
    """Parse one I-JSON text (RFC 7493), or raise MalformedJSON."""
    try:
        value = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_object_without_duplicates,
            parse_constant=_reject_constant,
            # Numbers are never valid values here, but they must parse: int()
            # refuses more than 4300 digits, Decimal keeps any length.
            parse_int=Decimal,
        )
        _check_tree(value, depth=1)
    except (ValueError, RecursionError) as err:
        # UnicodeDecodeError and JSONDecodeError are ValueErrors too.
        raise MalformedJSON from err

    return value


def validate_body(model: type[Model], data: object) -> Model:
    """Validate parsed JSON against ``model``, or raise InvalidRequest."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise InvalidRequest([_field_error(error) for error in err.errors()]) from None


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLarge(MAX_BODY_BYTES)

    # Chunked bodies carry no length up front: count while reading.
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                raise BodyTooLarge(MAX_BODY_BYTES)
    except ClientDisconnect:
        # A body cut short is not JSON; nobody may be left to read the answer.
        raise MalformedJSON from None

    return bytes(body)


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member name")
    return obj


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _check_tree(value: object, depth: int) -> None:
    """Reject nesting deeper than MAX_DEPTH and escaped lone surrogates."""
    if isinstance(value, str):
        if _LONE_SURROGATE.search(value):
            raise ValueError("lone surrogate")
        return

    if isinstance(value, dict | list) and depth > MAX_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_tree(key, depth)
            _check_tree(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_tree(item, depth + 1)


def _field_error(error: ErrorDetails) -> FieldError:
    loc = ["body", *(str(part) for part in error["loc"])]
    context = error.get("ctx", {})

    match error["type"]:
        case "missing":
            code, message = "required", "field required"
        case "extra_forbidden":
            code, message = "unknown_field", "unknown field"
        case "model_type":
            code, message = "type", "must be a JSON object"
        case "string_type":
            code, message = "type", "must be a string"
        case "string_too_short":
            code = "too_short"
            message = f"must be at least {context['min_length']} character"
        case "string_too_long":
            code = "too_long"
            message = f"must be at most {context['max_length']} characters"
        case custom:
            # Our own rules (blank, forbidden_character, invalid_email) raise
            # PydanticCustomError with the contract's code and message.
            code, message = custom, error["msg"]

    return {"loc": loc, "code": code, "message": message}
