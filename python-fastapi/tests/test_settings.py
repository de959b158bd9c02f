"""Settings from the environment: names, defaults and refusals."""

import os

import pytest
from pydantic import ValidationError
from users_api.settings import Settings

DATABASE_URL = "postgresql://users@127.0.0.1:5432/users"


def test_defaults_are_the_tuned_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    for name in ("PORT", "LOG_LEVEL", "DATABASE_POOL_SIZE", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)

    settings = Settings()

    assert settings.port == 8000
    assert settings.log_level == "info"
    assert settings.database_pool_size == 10
    assert settings.web_concurrency == len(os.sched_getaffinity(0))


def test_web_concurrency_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")

    assert Settings().web_concurrency == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEB_CONCURRENCY", "0"), ("DATABASE_POOL_SIZE", "0"), ("PORT", "65536"), ("LOG_LEVEL", "x")],
)
def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv("DATABASE_URL", DATABASE_URL)
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError, match=name.lower()):
        Settings()


def test_database_url_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    with pytest.raises(ValidationError, match="database_url"):
        Settings()
