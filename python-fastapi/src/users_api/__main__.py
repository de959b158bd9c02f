"""Run the service: ``python -m users_api`` (or the ``users-api`` script)."""

import sys

import uvicorn
from pydantic import ValidationError

from users_api.logs import configure_logging
from users_api.settings import get_settings


def main() -> None:
    """Read the settings, then serve until SIGINT or SIGTERM."""
    try:
        settings = get_settings()
    except ValidationError as err:
        sys.exit(f"invalid configuration: {err}")

    configure_logging(settings.log_level)
    uvicorn.run(
        # An import path, not an app: each worker process builds its own.
        "users_api.main:create_app_from_environment",
        factory=True,
        workers=settings.web_concurrency,
        host="0.0.0.0",  # noqa: S104 -- a service in a container listens on all interfaces
        port=settings.port,
        loop="uvloop",
        http="httptools",
        # No WebSockets: uvicorn would otherwise answer upgrade requests itself.
        ws="none",
        log_config=None,
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
