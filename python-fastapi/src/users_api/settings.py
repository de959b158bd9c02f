"""Configuration from the environment, with the same names as the Go service."""

import os
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def usable_cpus() -> int:
    """The number of CPUs this process may run on (a container's CPU quota aside)."""
    return len(os.sched_getaffinity(0))


class Settings(BaseSettings):
    """Everything the service reads from its environment.

    ``DATABASE_URL`` has no default: a service that quietly connected to a
    database nobody named would be worse than one that refuses to start.
    """

    model_config = SettingsConfigDict(case_sensitive=False, frozen=True)

    database_url: str
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    log_level: Literal["debug", "info", "warn", "error"] = "info"
    database_pool_size: Annotated[int, Field(ge=1)] = 10
    # uvicorn worker processes; each has its own pool of database_pool_size.
    # The name is the one uvicorn and gunicorn read.
    web_concurrency: Annotated[int, Field(ge=1, default_factory=usable_cpus)]


@lru_cache
def get_settings() -> Settings:
    """Read the environment once; tests build Settings(...) directly instead."""
    return Settings()
