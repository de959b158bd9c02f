"""A calibration baseline for the benchmark, not a product.

It answers the two requests the benchmark sends, ``GET /users/{id}`` and
``POST /users``, with the least code FastAPI and a raw asyncpg pool allow: the
same SQL statements as the service, the same pool settings (no reset query on
release) and the same uvicorn settings (uvloop, httptools, WEB_CONCURRENCY
workers, one per usable CPU by default, no access log, no Server header; no
native telemetry), and
none of the contract's checks (no I-JSON checks, no e-mail validation, no
problem documents). The service's throughput divided by this one's is the price
of ``databases``, SQLAlchemy Core, pydantic and the contract; it is measured,
not guessed.

It reads DATABASE_URL, PORT (8001), DATABASE_POOL_SIZE (10 per worker) and
WEB_CONCURRENCY, and serves
``/readyz`` so that the harness can time its startup as it times the services'.
"""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import uvicorn
from fastapi import FastAPI, Request, Response

# The statements of python-fastapi's repository, as SQLAlchemy renders them.
GET_USER = "SELECT id, name, email, created_at, updated_at FROM users WHERE id = $1"
CREATE_USER = (
    "INSERT INTO users (name, email) VALUES ($1, $2) "
    "RETURNING id, name, email, created_at, updated_at"
)

# The service's timeouts (python-fastapi/src/users_api/main.py), in seconds.
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 5.0


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, asyncpg.Pool]]:
    """Open the pool as the service does: no connection until the first query."""
    pool = await asyncpg.create_pool(
        os.environ["DATABASE_URL"],
        min_size=0,
        max_size=int(os.environ.get("DATABASE_POOL_SIZE", "10")),
        timeout=CONNECT_TIMEOUT,
        command_timeout=COMMAND_TIMEOUT,
        reset=_keep_session,
    )
    yield {"pool": pool}
    await pool.close()


async def _keep_session(_: asyncpg.Connection) -> None:
    """Skip asyncpg's reset query on release, as the service does."""


app = FastAPI(
    lifespan=lifespan,
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
    telemetry={"tracing": False, "metrics": False, "logs": False},
)


@app.get("/users/{user_id}")
async def get_user(user_id: int, request: Request) -> Response:
    """Return one user as JSON, or a bare 404."""
    row = await request.state.pool.fetchrow(GET_USER, user_id)
    if row is None:
        return Response(status_code=404)
    return _json(row, 200)


@app.post("/users")
async def create_user(request: Request) -> Response:
    """Insert the user the body describes, unchecked, and return it with 201."""
    body = await request.json()
    row = await request.state.pool.fetchrow(CREATE_USER, body["name"], body["email"])
    return _json(row, 201, headers={"Location": f"/users/{row['id']}"})


@app.get("/readyz")
async def readyz(request: Request) -> Response:
    """Answer once the database does."""
    await request.state.pool.execute("SELECT 1")
    return Response(b'{"status":"ok"}', media_type="application/json")


def _json(row: asyncpg.Record, status: int, headers: dict[str, str] | None = None) -> Response:
    user: dict[str, Any] = dict(row)
    user["created_at"] = _timestamp(user["created_at"])
    user["updated_at"] = _timestamp(user["updated_at"])
    body = json.dumps(user, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


if __name__ == "__main__":
    uvicorn.run(
        "fastapi_asyncpg:app",
        app_dir=os.path.dirname(__file__),
        workers=int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0)))),
        host="0.0.0.0",  # noqa: S104 -- the same as the service; the harness only uses loopback
        port=int(os.environ.get("PORT", "8001")),
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        server_header=False,
    )
