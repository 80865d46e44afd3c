"""The resilience policy both apps apply to upstream calls, read from settings."""

from dataclasses import dataclass

from tenacity import wait_exponential_jitter

from shared.links.guard import parse_allowed_hosts
from shared.settings import Settings

RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    timeout: float
    deadline: float
    retries: int
    backoff: float
    breaker_threshold: int
    breaker_cooldown: float
    concurrency: int
    max_bytes: int
    max_redirects: int
    allowed_hosts: frozenset[str]
    cache_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "LinkPolicy":
        return cls(
            timeout=settings.link_preview_timeout_seconds,
            deadline=settings.link_preview_deadline_seconds,
            retries=settings.link_preview_retries,
            backoff=settings.link_preview_backoff_seconds,
            breaker_threshold=settings.link_preview_breaker_threshold,
            breaker_cooldown=settings.link_preview_breaker_cooldown_seconds,
            concurrency=settings.link_preview_concurrency,
            max_bytes=settings.link_preview_max_bytes,
            max_redirects=settings.link_preview_max_redirects,
            allowed_hosts=parse_allowed_hosts(settings.link_preview_allowed_hosts),
            cache_seconds=settings.link_preview_cache_seconds,
        )

    def retry_wait(self) -> wait_exponential_jitter:
        """Exponential backoff with jitter, both scaled by `backoff`: waits of about 1x, 2x."""
        return wait_exponential_jitter(
            multiplier=self.backoff, max=self.backoff * 8, jitter=self.backoff
        )
