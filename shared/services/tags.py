"""Tags: the list of tags in use, and the per-process cache that serves it."""

import threading
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.models import article_tags
from shared.models import tag_table

_TAGS_IN_USE = select(tag_table.c.name).where(
    select(article_tags.c.tag_id).where(article_tags.c.tag_id == tag_table.c.id).exists()
)


def list_tags(session: Session) -> tuple[str, ...]:
    """Every tag that is on at least one article, sorted by code point like tagList.

    Sorted here rather than by ORDER BY, whose order depends on the database's collation.
    """
    return tuple(sorted(session.execute(_TAGS_IN_USE).scalars()))


class TagListCache:
    """The tag list, reused for `seconds` by one app in one process.

    Every Conduit page asks for the tags, and they change only when an article's tags do. The
    app clears the cache after each such change it makes, so its own writes show at once;
    changes made through another worker process show within `seconds`. 0 turns it off.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._tags: tuple[str, ...] | None = None
        self._expires_at = 0.0
        self._generation = 0

    def fresh(self) -> tuple[str, ...] | None:
        """The cached list while it is fresh, else None (the caller loads and `store`s it)."""
        tags = self._tags
        if tags is None or self._clock() >= self._expires_at:
            return None
        return tags

    def generation(self) -> int:
        """Taken before loading, passed to `store`: a clear() in between wins over the load."""
        return self._generation

    def store(self, tags: tuple[str, ...], generation: int) -> tuple[str, ...]:
        with self._lock:
            if self.seconds > 0 and generation == self._generation:
                self._tags = tags
                self._expires_at = self._clock() + self.seconds
        return tags

    def clear(self) -> None:
        """Forget the list: this process changed some article's tags."""
        with self._lock:
            self._generation += 1
            self._tags = None
