"""UserRepository against a real PostgreSQL with the shared schema."""

import asyncio

import pytest
from users_api.errors import EmailTaken, UserNotFound
from users_api.repository import UserRepository
from users_api.schemas import UserCreate, UserUpdate

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


async def test_list_returns_users_after_the_cursor_by_id(repository: UserRepository) -> None:
    created = [
        await repository.create(UserCreate(name=f"U{n}", email=f"u{n}@example.com"))
        for n in range(5)
    ]

    page = await repository.list(after=created[1].id, limit=2)

    assert page == created[2:4]


async def test_update_changes_only_what_is_given(repository: UserRepository) -> None:
    user = await repository.create(UserCreate(name="Ada", email="ada@example.com"))

    updated = await repository.update(user.id, UserUpdate(name="Ada Lovelace"))

    assert updated.name == "Ada Lovelace"
    assert updated.email == user.email
    assert updated.created_at == user.created_at
    assert updated.updated_at > user.updated_at


async def test_update_to_a_taken_email_raises_email_taken(repository: UserRepository) -> None:
    await repository.create(UserCreate(name="Ada", email="ada@example.com"))
    bob = await repository.create(UserCreate(name="Bob", email="bob@example.com"))

    with pytest.raises(EmailTaken):
        await repository.update(bob.id, UserUpdate(email="ADA@example.com"))


async def test_update_unknown_user_raises_user_not_found(repository: UserRepository) -> None:
    with pytest.raises(UserNotFound):
        await repository.update(7, UserUpdate(name="Nobody"))


async def test_delete_removes_the_user_once(repository: UserRepository) -> None:
    user = await repository.create(UserCreate(name="Ada", email="ada@example.com"))

    await repository.delete(user.id)

    with pytest.raises(UserNotFound):
        await repository.delete(user.id)
    with pytest.raises(UserNotFound):
        await repository.get(user.id)
