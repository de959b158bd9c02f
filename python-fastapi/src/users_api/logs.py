"""JSON log lines with the same fields as the Go service's log/slog output."""

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import ClassVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

# slog's level names, so both services can be read by one log query.
_LEVELS = {"WARNING": "WARN", "CRITICAL": "ERROR"}


class JSONFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, msg, then its extras."""

    _standard: ClassVar[frozenset[str]] = frozenset(
        vars(logging.makeLogRecord({})).keys() | {"message", "asctime", "taskName"}
    )

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, object] = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": _LEVELS.get(record.levelname, record.levelname),
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._standard:
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)

        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    """Send every logger's records to stdout as JSON lines at ``level``."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JSONFormatter())
    logging.basicConfig(
        level=level.upper().replace("WARN", "WARNING"), handlers=[handler], force=True
    )

    # Start-up chatter of uvicorn and databases has no counterpart in the Go
    # service; their warnings and errors still come through.
    for chatty in ("uvicorn.error", "databases"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


class RequestLogger:
    """Log one "request completed" event per request, as the Go service does.

    It is installed only at debug level: at the default level it would cost
    every request a timer and a closure for a line nobody sees.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.debug(
                "request completed",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round(elapsed_ms, 3),
                },
            )
