"""The application factory: settings in, a configured FastAPI app out."""

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from users_api.errors import DatabaseUnavailable, install_error_handlers
from users_api.logs import RequestLogger, configure_logging
from users_api.repository import UserRepository, connect
from users_api.routes import router
from users_api.settings import Settings, get_settings

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the users API for ``settings`` (by default, the environment's)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, UserRepository]]:
        database = connect(settings.database_url, settings.database_pool_size)
        await database.connect()
        users = UserRepository(database)
        await _warn_if_unreachable(users)

        logger.info("server starting", extra={"port": settings.port})
        yield {"users": users}

        await database.disconnect()
        logger.info("server stopped")

    app = FastAPI(
        title="Users API (FastAPI)",
        lifespan=lifespan,
        # The routes themselves, not include_router(): errors.allowed_methods
        # needs to see every route of the app to build an Allow header.
        routes=router.routes,
        # The contract: /users/ is not /users, and the only documents served
        # are the ones both services serve.
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # The service ships no OpenTelemetry SDK, so FastAPI's native telemetry
        # would only ask for the global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    _match_paths_exactly(app)
    install_error_handlers(app)
    if settings.log_level == "debug":
        app.add_middleware(RequestLogger)

    return app


def create_app_from_environment() -> FastAPI:
    """What each uvicorn worker process runs: settings and logs from the environment."""
    settings = get_settings()
    configure_logging(settings.log_level)
    return create_app(settings)


async def _warn_if_unreachable(users: UserRepository) -> None:
    try:
        await users.ping()
    except DatabaseUnavailable as err:
        logger.warning("database unreachable", extra={"error": repr(err.__cause__)})


def _match_paths_exactly(app: FastAPI) -> None:
    """Make every route's pattern end at the end of the path, not before a final newline.

    Starlette ends its patterns with ``$``, which in Python also matches just before
    a trailing ``\n``: ``/healthz%0A`` would be ``/healthz``. The contract says
    paths match exactly, as they do in Gin.
    """
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.pattern.endswith("$"):
            route.path_regex = re.compile(route.path_regex.pattern[:-1] + r"\Z")
