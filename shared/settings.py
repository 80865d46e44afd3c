"""Settings read once from environment variables (pydantic-settings)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "conduit-twins-development-key-do-not-use-in-production"


class Settings(BaseSettings):
    """Configuration shared by both apps; every field maps to an upper-case env var."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'conduit.db'}"
    secret_key: str = DEVELOPMENT_SECRET_KEY
    token_lifetime_seconds: int = 24 * 60 * 60
    log_level: str = "INFO"
    # argon2id cost (RFC 9106 low-memory defaults); the tests lower it to keep the suite fast.
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 65536
    password_hash_parallelism: int = 4
    # Link previews (GET /api/articles/{slug}/links): the same resilience policy in both apps.
    link_preview_timeout_seconds: float = 2.0
    link_preview_deadline_seconds: float = 5.0
    link_preview_retries: int = 2
    link_preview_backoff_seconds: float = 0.1
    link_preview_breaker_threshold: int = 5
    link_preview_breaker_cooldown_seconds: float = 30.0
    # Upstream calls in flight per process (the bulkhead): 50 requests x 10 links at once, so it
    # never binds before one worker's CPU does; within a 1024-descriptor limit with clients.
    link_preview_concurrency: int = 500
    link_preview_max_bytes: int = 256 * 1024
    link_preview_max_redirects: int = 3
    link_preview_allowed_hosts: str = ""
    link_preview_cache_seconds: int = 24 * 60 * 60
    # Shared state across worker processes (breakers, stale cache); memory when unset.
    redis_url: str | None = None
    # Pools are per process (a gunicorn or uvicorn worker is one process) and, on PostgreSQL,
    # per engine: reads and writes have one each. An async worker has no thread limit on its
    # concurrent requests, and requests that wait for a connection are not served in order,
    # so the pool keeps as many connections as a worker carries concurrent requests: an
    # overflow connection is closed when it comes back, and reconnecting costs far more.
    # Connections open on first need, so a thread-limited worker never opens more than it uses.
    database_pool_size: int = 40
    database_max_overflow: int = 10
    database_pool_recycle_seconds: int = 30 * 60
    # The tag list and the number of articles are cached per process this long (0: off);
    # see shared.caching.
    read_cache_seconds: float = 5.0

    @model_validator(mode="after")
    def refuse_development_key_in_production(self) -> "Settings":
        """Fail at start-up rather than sign production tokens with a published key."""
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET_KEY:
            raise ValueError("SECRET_KEY must be set when ENVIRONMENT=production")
        if len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
