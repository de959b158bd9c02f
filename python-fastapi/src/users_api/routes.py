"""The HTTP surface of the users API: every route, in one place."""

import re
from functools import cache
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import PlainValidator

from users_api.bodies import read_json, validate_body
from users_api.errors import RouteNotFound
from users_api.pagination import PageRequest, read_page_request
from users_api.repository import UserRepository
from users_api.schemas import Status, User, UserCreate, UserPage, UserUpdate

router = APIRouter()

_USER_ID = re.compile(r"[1-9][0-9]{0,18}")
_MAX_USER_ID = 2**63 - 1


def user_id_from_path(user_id: str) -> int:
    """Read ``{user_id}`` as a positive 64-bit integer in canonical form.

    Anything else (0, -1, 01, +1, 1e3, 2**63) can name no user, so the URL
    itself is not found: 404, never a framework's 422 or an overflow.
    """
    if not _USER_ID.fullmatch(user_id) or int(user_id) > _MAX_USER_ID:
        # Not a ValueError: pydantic lets it through, to the handler of errors.py.
        raise RouteNotFound
    return int(user_id)


def users_of(request: Request) -> UserRepository:
    """The repository the lifespan created."""
    users: UserRepository = request.state.users
    return users


# The id is a validated type and the body is read inside the endpoint, not
# through Depends(), for two reasons: the contract reads the id first (a bad id
# is 404 whatever the body), while FastAPI solves dependencies before path
# parameters; and solving one costs about 10 µs per request, a tenth of a
# whole GET (python-fastapi/README.md, "Performance").
UserId = Annotated[int, PlainValidator(user_id_from_path)]
Page = Annotated[PageRequest, Depends(read_page_request)]


@router.api_route("/users", methods=["GET", "HEAD"])
async def list_users(page: Page, request: Request) -> UserPage:
    """List users by increasing id, ``limit`` at a time, after the id ``after``.

    ``next`` is the path of the following page, or null on the last one.
    """
    # One row more than the page tells whether another page follows.
    found = await users_of(request).list(after=page.after, limit=page.limit + 1)

    shown = found[: page.limit]
    more = len(found) > page.limit
    return UserPage(users=shown, next=page.next_link(shown[-1].id) if more else None)


@router.post("/users", status_code=status.HTTP_201_CREATED)
async def create_user(request: Request, response: Response) -> User:
    """Create a user and point ``Location`` at it.

    The e-mail address is stored normalized; one already in use, in any case,
    is 409 Conflict.
    """
    new = validate_body(UserCreate, await read_json(request))
    user = await users_of(request).create(new)
    response.headers["Location"] = f"/users/{user.id}"
    return user


@router.api_route("/users/{user_id}", methods=["GET", "HEAD"])
async def get_user(user_id: UserId, request: Request) -> User:
    """Return one user, or 404 when no user has this id."""
    return await users_of(request).get(user_id)


@router.patch("/users/{user_id}")
async def update_user(user_id: UserId, request: Request) -> User:
    """Change the name and/or e-mail of a user; members left out stay as they are.

    The body is validated before the user is looked up: 422 wins over 404. An
    address another user has is 409 Conflict.
    """
    changes = validate_body(UserUpdate, await read_json(request))
    return await users_of(request).update(user_id, changes)


# response_class=Response: a 204 has no body, so it gets no Content-Type either.
@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
async def delete_user(user_id: UserId, request: Request) -> None:
    """Delete a user for good: 204, then 404 for every later request."""
    await users_of(request).delete(user_id)


@router.api_route("/healthz", methods=["GET", "HEAD"])
async def healthz() -> Status:
    """Say the process is alive, without asking the database."""
    return Status(status="ok")


@router.api_route("/readyz", methods=["GET", "HEAD"])
async def readyz(request: Request) -> Status:
    """Say the service can do its work: 503 while the database is unreachable."""
    await users_of(request).ping()
    return Status(status="ok")


@router.api_route("/openapi.json", methods=["GET", "HEAD"])
async def openapi_document() -> Response:
    """Serve the hand-written OpenAPI document, the same bytes as the Go service."""
    return Response(_packaged("openapi.json"), media_type="application/json")


@router.api_route("/docs", methods=["GET", "HEAD"])
async def docs() -> Response:
    """Serve Swagger UI on that document (FastAPI's own would show a generated one)."""
    return Response(_packaged("docs.html"), media_type="text/html; charset=utf-8")


@cache
def _packaged(name: str) -> bytes:
    # Copies of the repository's openapi.yaml, made by `make openapi`.
    return files("users_api").joinpath(name).read_bytes()
