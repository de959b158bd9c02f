"""Errors of the users API, and the one place that turns them into HTTP.

Every error a client can see is an RFC 9457 problem (``application/problem+json``)
with the fixed ``detail`` texts of CONTRACT.md. The exceptions form one tree:

    APIError
    ├── RouteNotFound          404  the path names nothing (also bad user ids)
    ├── UserNotFound           404
    ├── EmailTaken             409
    ├── DatabaseUnavailable    503
    ├── UnsupportedMediaType   415
    ├── BodyTooLarge           413
    ├── MalformedJSON          400
    └── InvalidRequest         422  carries the list of field errors

The repository raises the first four; the request readers (bodies.py, and
routes.py for paths and queries) raise the rest. Routing
errors raised by Starlette (404, 405) are rendered here too, so that a client
never sees a framework's default error body.
"""

import json
import logging
from http import HTTPStatus
from typing import TypedDict

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(TypedDict):
    """One validation problem: where it is, a stable code and a message."""

    loc: list[str]
    code: str
    message: str


class APIError(Exception):
    """Base class of the errors the API reports to clients."""

    status = HTTPStatus.INTERNAL_SERVER_ERROR
    detail = "An unexpected error occurred."


class RouteNotFound(APIError):
    """The path matches no route, or names a user id that cannot exist."""

    status = HTTPStatus.NOT_FOUND
    detail = "No route matches this path."


class UserNotFound(APIError):
    """No user has this id."""

    status = HTTPStatus.NOT_FOUND

    def __init__(self, user_id: int) -> None:
        super().__init__(user_id)
        self.detail = f"User {user_id} does not exist."


class EmailTaken(APIError):
    """Another user already has this e-mail address, compared case-insensitively."""

    status = HTTPStatus.CONFLICT
    detail = "A user with this e-mail already exists."


class DatabaseUnavailable(APIError):
    """The database could not be reached; the request may succeed later."""

    status = HTTPStatus.SERVICE_UNAVAILABLE
    detail = "The database is unavailable."


class UnsupportedMediaType(APIError):
    """The request body is not declared as application/json."""

    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    detail = "The request body must be application/json."


class BodyTooLarge(APIError):
    """The request body is larger than the API accepts."""

    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.detail = f"The request body is larger than {limit} bytes."


class MalformedJSON(APIError):
    """The request body is not one well-formed I-JSON text."""

    status = HTTPStatus.BAD_REQUEST
    detail = "The request body is not valid JSON."


class InvalidRequest(APIError):
    """The body or the query string breaks the validation rules."""

    status = HTTPStatus.UNPROCESSABLE_ENTITY
    detail = "The request did not validate."

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors)
        self.errors = sorted(errors, key=lambda error: error["loc"])


# Python names some statuses by their older RFC 7231 phrases; the contract uses
# the RFC 9110 ones.
_TITLES = {
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "Content Too Large",
    HTTPStatus.UNPROCESSABLE_ENTITY: "Unprocessable Content",
}


class ProblemResponse(Response):
    """A response whose body is an RFC 9457 problem document."""

    media_type = PROBLEM_MEDIA_TYPE


def problem(
    status: HTTPStatus,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    """Render a problem with the members in the contract's order."""
    body: dict[str, object] = {
        "type": "about:blank",
        "title": _TITLES.get(status, status.phrase),
        "status": status.value,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors

    content = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return ProblemResponse(content, status_code=status.value, headers=headers)


def allowed_methods(request: Request) -> str:
    """List, for the ``Allow`` header, every method routed at the request's path.

    Starlette gives a 405 the methods of the first route that matched the path
    only, and FastAPI makes one route per decorated function; so ask every route.
    """
    methods = {"OPTIONS"}
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())

    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error as a problem."""

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> Response:
        errors = exc.errors if isinstance(exc, InvalidRequest) else None
        return problem(exc.status, exc.detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def routing_error(request: Request, exc: StarletteHTTPException) -> Response:
        # The router raises only 404 (no route) and 405 (no such method here).
        if exc.status_code != HTTPStatus.METHOD_NOT_ALLOWED:
            return problem(HTTPStatus.NOT_FOUND, RouteNotFound.detail)

        allow = {"Allow": allowed_methods(request)}
        if request.method == "OPTIONS":
            return Response(status_code=HTTPStatus.NO_CONTENT, headers=allow)
        detail = "This method is not allowed on this resource."
        return problem(HTTPStatus.METHOD_NOT_ALLOWED, detail, headers=allow)

    app.add_middleware(CatchUnexpectedErrors)


class CatchUnexpectedErrors:
    """Answer any exception nobody handled with a 500 problem, logged once.

    Starlette's own last-resort handler re-raises after answering, so the server
    logs the same error a second time in its own format; this middleware ends
    the story here, with one "unexpected error" event like the Go service's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        response_started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal response_started
            response_started |= message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception:
            logger.exception(
                "unexpected error",
                extra={"method": scope["method"], "path": scope["path"]},
            )
            if response_started:
                raise
            response = problem(HTTPStatus.INTERNAL_SERVER_ERROR, APIError.detail)
            await response(scope, receive, send)
