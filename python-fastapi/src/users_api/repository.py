"""Users in PostgreSQL, through the `databases` library and SQLAlchemy Core.

This is the only module that knows about `databases` and asyncpg. `databases`
0.9 is no longer maintained upstream, so everything it touches stays here: the
rest of the service sees `UserRepository` and the domain errors of errors.py.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import sqlalchemy as sa
from databases import Database

from users_api.errors import DatabaseUnavailable, EmailTaken, UserNotFound
from users_api.schemas import User, UserCreate, UserUpdate

# Names for building queries, not a second schema: the table is defined once,
# in db/migrations.
users = sa.table(
    "users",
    sa.column("id", sa.BigInteger),
    sa.column("name", sa.Text),
    sa.column("email", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)

EMAIL_INDEX = "users_email_lower_key"

# Seconds a health check waits for the database before calling it unreachable.
PING_TIMEOUT = 2.0

# What asyncpg raises when there is no usable connection to the server, as
# opposed to an error in the statement itself.
_CONNECTION_ERRORS = (
    OSError,  # refused, unreachable, reset
    TimeoutError,  # connect or command timeout
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    asyncpg.AdminShutdownError,  # 57P01
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.InterfaceError,  # e.g. the connection closed mid-query
)


class UserRepository:
    """Reads and writes users; raises the domain errors of errors.py."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, user_id: int) -> User:
        """Return the user with ``user_id``, or raise UserNotFound."""
        query = sa.select(users).where(users.c.id == user_id)

        async with _translate_errors():
            row = await self._database.fetch_one(query)

        if row is None:
            raise UserNotFound(user_id)
        return _user(row._mapping)

    async def create(self, new: UserCreate) -> User:
        """Insert a user, or raise EmailTaken if the address is in use."""
        query = sa.insert(users).values(name=new.name, email=new.email).returning(*users.columns)

        async with _translate_errors():
            row = await self._database.fetch_one(query)

        assert row is not None, "INSERT ... RETURNING returns the row"
        return _user(row._mapping)

    async def list(self, after: int, limit: int) -> list[User]:
        """Return at most ``limit`` users with ids greater than ``after``, by id."""
        query = sa.select(users).where(users.c.id > after).order_by(users.c.id).limit(limit)

        async with _translate_errors():
            rows = await self._database.fetch_all(query)

        return [_user(row._mapping) for row in rows]

    async def update(self, user_id: int, changes: UserUpdate) -> User:
        """Apply ``changes`` and stamp ``updated_at``; raise UserNotFound or EmailTaken."""
        query = (
            sa.update(users)
            .where(users.c.id == user_id)
            .values(**changes.model_dump(exclude_none=True), updated_at=sa.func.now())
            .returning(*users.columns)
        )

        async with _translate_errors():
            row = await self._database.fetch_one(query)

        if row is None:
            raise UserNotFound(user_id)
        return _user(row._mapping)

    async def delete(self, user_id: int) -> None:
        """Delete the user with ``user_id``, or raise UserNotFound."""
        query = sa.delete(users).where(users.c.id == user_id).returning(users.c.id)

        async with _translate_errors():
            deleted = await self._database.fetch_one(query)

        if deleted is None:
            raise UserNotFound(user_id)

    async def ping(self) -> None:
        """Run ``SELECT 1``, or raise DatabaseUnavailable after PING_TIMEOUT seconds."""
        async with _translate_errors(), asyncio.timeout(PING_TIMEOUT):
            await self._database.execute(sa.text("SELECT 1"))


@asynccontextmanager
async def _translate_errors() -> AsyncIterator[None]:
    try:
        yield
    except asyncpg.UniqueViolationError as err:
        # The unique index on lower(email) is the one arbiter of duplicates:
        # checking first and inserting second would let two concurrent requests
        # both pass the check.
        if err.constraint_name == EMAIL_INDEX:
            raise EmailTaken from err
        raise
    except _CONNECTION_ERRORS as err:
        raise DatabaseUnavailable from err


def _user(row: Mapping[str, Any]) -> User:
    return User.model_validate(dict(row))
