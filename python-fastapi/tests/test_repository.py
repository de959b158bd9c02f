"""UserRepository against a real PostgreSQL with the shared schema."""

import asyncio

import pytest
from users_api.errors import EmailTaken, UserNotFound
from users_api.repository import UserRepository
from users_api.schemas import UserCreate

pytestmark = pytest.mark.anyio


async def test_create_returns_the_stored_user(repository: UserRepository) -> None:
    user = await repository.create(UserCreate(name="Ada", email="ada@example.com"))

    assert user.id == 1
    assert user.name == "Ada"
    assert user.email == "ada@example.com"
    assert user.created_at == user.updated_at
    assert user.created_at.utcoffset() is not None


async def test_get_returns_what_create_stored(repository: UserRepository) -> None:
    created = await repository.create(UserCreate(name="Ada", email="ada@example.com"))

    assert await repository.get(created.id) == created


async def test_get_unknown_id_raises_user_not_found(repository: UserRepository) -> None:
    with pytest.raises(UserNotFound) as caught:
        await repository.get(42)

    assert caught.value.detail == "User 42 does not exist."


async def test_create_duplicate_email_in_other_case_raises_email_taken(
    repository: UserRepository,
) -> None:
    await repository.create(UserCreate(name="Ada", email="Ada@example.com"))

    with pytest.raises(EmailTaken):
        await repository.create(UserCreate(name="Imposter", email="ada@EXAMPLE.com"))


async def test_create_concurrently_with_one_email_lets_exactly_one_win(
    repository: UserRepository,
) -> None:
    new = UserCreate(name="Racer", email="race@example.com")

    results = await asyncio.gather(
        *(repository.create(new) for _ in range(50)), return_exceptions=True
    )

    assert sum(not isinstance(result, BaseException) for result in results) == 1
    assert sum(isinstance(result, EmailTaken) for result in results) == 49
