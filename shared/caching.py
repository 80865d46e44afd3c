"""Per-process caches of answers that every Conduit page asks for and that only change when
articles do: the tag list (`GET /api/tags`) and the number of articles (`articlesCount` of
the unfiltered `GET /api/articles`).

Each app keeps one `ArticleCaches` per process and clears it after every article it creates,
updates or deletes, so its own writes show at once; writes made through another worker process
show within `seconds` (READ_CACHE_SECONDS; 0 turns the caches off).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic
from typing import TypeVar

from shared.settings import Settings

T = TypeVar("T")


class Cached(Generic[T]):
    """One value, reused for `seconds`."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._value: T | None = None
        self._expires_at = 0.0
        self._generation = 0

    def fresh(self) -> T | None:
        """The cached value while it is fresh, else None (the caller loads and `store`s it)."""
        value = self._value
        if value is None or self._clock() >= self._expires_at:
            return None
        return value

    def generation(self) -> int:
        """Taken before loading, passed to `store`: a clear() in between wins over the load."""
        return self._generation

    def store(self, value: T, generation: int) -> T:
        with self._lock:
            if self.seconds > 0 and generation == self._generation:
                self._value = value
                self._expires_at = self._clock() + self.seconds
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None


@dataclass(frozen=True)
class ArticleCaches:
    """The caches one app keeps in one process; `clear()` after any article write."""

    tags: Cached[tuple[str, ...]]
    article_count: Cached[int]

    @classmethod
    def from_settings(cls, settings: Settings) -> "ArticleCaches":
        seconds = settings.read_cache_seconds
        return cls(tags=Cached(seconds), article_count=Cached(seconds))

    def clear(self) -> None:
        self.tags.clear()
        self.article_count.clear()
