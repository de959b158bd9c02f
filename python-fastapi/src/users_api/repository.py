"""Users in PostgreSQL, through the `databases` library and SQLAlchemy Core.

This is the only module that knows about `databases` and asyncpg. `databases`
0.9 is no longer maintained upstream, so everything it touches stays here: the
rest of the service sees `UserRepository` and the domain errors of errors.py.

Where the time goes, measured by `make bench` (bench/README.md): handed a
SQLAlchemy statement, `databases` compiles it anew on every call and wraps
every row in a record of its own, which cost about half of the service's CPU
time on `GET /users/{id}`. So each statement here is built with SQLAlchemy Core
and compiled once, at import; `databases` still lends each request its
connection from the pool, and the compiled SQL runs on that connection's
asyncpg driver, which prepares it once per connection and caches it.
"""

import asyncio
from collections.abc import Mapping, Sequence

import asyncpg
import sqlalchemy as sa
from databases import Database
from sqlalchemy.dialects.postgresql import asyncpg as asyncpg_dialect
from sqlalchemy.sql.compiler import SQLCompiler

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

# Seconds. Long enough for a busy database, short enough that a client waiting
# on a dead one gets its 503 before it gives up itself.
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 5.0

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


class Statement:
    """A SQLAlchemy Core statement, compiled once to SQL for asyncpg.

    Values are bound by name, as in the statement: ``bindparam("id")`` takes
    ``id=...``.
    """

    _dialect = asyncpg_dialect.dialect()  # type: ignore[no-untyped-call]

    def __init__(self, statement: sa.ClauseElement) -> None:
        compiled = statement.compile(dialect=self._dialect)
        assert isinstance(compiled, SQLCompiler), "statements compile to SQL"
        self.sql = str(compiled)
        self._names = tuple(compiled.positiontup or ())

    def arguments(self, values: Mapping[str, object]) -> list[object]:
        """Put ``values`` in the order of the statement's ``$n`` placeholders."""
        return [values[name] for name in self._names]


GET_USER = Statement(sa.select(users).where(users.c.id == sa.bindparam("id")))

CREATE_USER = Statement(
    sa.insert(users)
    .values(name=sa.bindparam("name"), email=sa.bindparam("email"))
    .returning(*users.columns)
)

# The page is ordered by id, the key of the cursor: keyset pagination, which
# costs the same on the last page as on the first.
LIST_USERS = Statement(
    sa.select(users)
    .where(users.c.id > sa.bindparam("after"))
    .order_by(users.c.id)
    .limit(sa.bindparam("limit"))
)

# One statement for every combination of changes: a NULL value keeps the column
# as it is (a JSON null never gets this far, schemas.UserUpdate refuses it).
UPDATE_USER = Statement(
    sa.update(users)
    .where(users.c.id == sa.bindparam("id"))
    .values(
        name=sa.func.coalesce(sa.bindparam("name", type_=sa.Text), users.c.name),
        email=sa.func.coalesce(sa.bindparam("email", type_=sa.Text), users.c.email),
        updated_at=sa.func.now(),
    )
    .returning(*users.columns)
)

DELETE_USER = Statement(
    sa.delete(users).where(users.c.id == sa.bindparam("id")).returning(users.c.id)
)

PING = Statement(sa.select(sa.literal_column("1")))


def connect(url: str, pool_size: int) -> Database:
    """Describe the connection pool; ``await database.connect()`` opens it.

    min_size=0: the pool connects on first use, so the service starts, and
    answers /healthz, while the database is still down.
    """
    return Database(
        url,
        min_size=0,
        max_size=pool_size,
        timeout=CONNECT_TIMEOUT,
        command_timeout=COMMAND_TIMEOUT,
        reset=_keep_session,
    )


async def _keep_session(_: asyncpg.Connection) -> None:
    # By default asyncpg sends "RESET ALL; UNLISTEN *; CLOSE ALL; ..." each
    # time a connection goes back to the pool: a second round trip for every
    # request. This service never changes session state (no SET, LISTEN,
    # cursors or advisory locks), and asyncpg still rolls back a transaction
    # left open before it calls this, so there is nothing to reset.
    return


class UserRepository:
    """Reads and writes users; raises the domain errors of errors.py."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, user_id: int) -> User:
        """Return the user with ``user_id``, or raise UserNotFound."""
        rows = await self._fetch(GET_USER, id=user_id)

        if not rows:
            raise UserNotFound(user_id)
        return _user(rows[0])

    async def create(self, new: UserCreate) -> User:
        """Insert a user, or raise EmailTaken if the address is in use."""
        rows = await self._fetch(CREATE_USER, name=new.name, email=new.email)

        return _user(rows[0])

    async def list(self, after: int, limit: int) -> list[User]:
        """Return at most ``limit`` users with ids greater than ``after``, by id."""
        rows = await self._fetch(LIST_USERS, after=after, limit=limit)

        return [_user(row) for row in rows]

    async def update(self, user_id: int, changes: UserUpdate) -> User:
        """Apply ``changes`` and stamp ``updated_at``; raise UserNotFound or EmailTaken."""
        rows = await self._fetch(UPDATE_USER, id=user_id, name=changes.name, email=changes.email)

        if not rows:
            raise UserNotFound(user_id)
        return _user(rows[0])

    async def delete(self, user_id: int) -> None:
        """Delete the user with ``user_id``, or raise UserNotFound."""
        deleted = await self._fetch(DELETE_USER, id=user_id)

        if not deleted:
            raise UserNotFound(user_id)

    async def ping(self) -> None:
        """Run ``SELECT 1``, or raise DatabaseUnavailable after PING_TIMEOUT seconds."""
        try:
            async with asyncio.timeout(PING_TIMEOUT):
                await self._fetch(PING)
        except TimeoutError as err:
            raise DatabaseUnavailable from err

    async def _fetch(self, statement: Statement, **values: object) -> Sequence[asyncpg.Record]:
        """Run ``statement`` on the request's pooled connection; return its rows."""
        try:
            async with self._database.connection() as connection:
                driver: asyncpg.Connection = connection.raw_connection
                return await driver.fetch(statement.sql, *statement.arguments(values))
        except asyncpg.UniqueViolationError as err:
            # The unique index on lower(email) is the one arbiter of duplicates:
            # checking first and inserting second would let two concurrent
            # requests both pass the check.
            if err.constraint_name == EMAIL_INDEX:
                raise EmailTaken from err
            raise
        except _CONNECTION_ERRORS as err:
            raise DatabaseUnavailable from err


def _user(row: asyncpg.Record) -> User:
    return User.model_validate(dict(row.items()))
