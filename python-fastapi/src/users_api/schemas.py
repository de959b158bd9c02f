"""The shapes the API reads and writes, and their validation rules.

Validation is strict: a JSON string is the only thing that is a string, and
unknown members are errors. Each rule reports a stable code (see CONTRACT.md)
through PydanticCustomError, so that errors.py can render it without guessing.
"""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from users_api.emails import MAX_LENGTH as EMAIL_MAX_LENGTH
from users_api.emails import InvalidEmail, normalize_email

# The characters with the Unicode White_Space property: exactly what Go's
# unicode.IsSpace accepts. str.isspace() would also count U+001C..U+001F.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _check_name(name: str) -> str:
    if not name.strip(WHITE_SPACE):
        raise PydanticCustomError("blank", "must not be blank")
    if "\x00" in name:
        raise PydanticCustomError("forbidden_character", "must not contain U+0000")
    return name


def _check_email(address: str) -> str:
    try:
        return normalize_email(address)
    except InvalidEmail:
        raise PydanticCustomError("invalid_email", "must be a valid e-mail address") from None


def _format_timestamp(moment: datetime) -> str:
    # RFC 3339 in UTC with exactly six fractional digits, as Go's layout
    # "2006-01-02T15:04:05.000000Z" writes it (pydantic would drop ".000000").
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


Name = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_check_name)]
Email = Annotated[str, StringConstraints(max_length=EMAIL_MAX_LENGTH), AfterValidator(_check_email)]
Timestamp = Annotated[datetime, PlainSerializer(_format_timestamp, return_type=str)]


class UserCreate(BaseModel):
    """The body of ``POST /users``: a name and an e-mail address."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: Name
    email: Email


class UserUpdate(BaseModel):
    """The body of ``PATCH /users/{id}``: the members to change.

    A member left out stays as it is, so None here means "unchanged"; a JSON
    ``null`` is refused before it could be mistaken for that.
    """

    model_config = ConfigDict(strict=True, extra="forbid")

    name: Name | None = None
    email: Email | None = None

    @field_validator("name", "email", mode="before")
    @classmethod
    def _refuse_null(cls, value: object) -> object:
        if value is None:
            raise PydanticCustomError("type", "must be a string")
        return value


class User(BaseModel):
    """A stored user, as every endpoint renders it."""

    id: int
    name: str
    email: str
    created_at: Timestamp
    updated_at: Timestamp


class UserPage(BaseModel):
    """One page of ``GET /users`` and the path of the next one, if any."""

    users: list[User]
    next: str | None


class Status(BaseModel):
    """The body of the health and readiness probes."""

    status: str
