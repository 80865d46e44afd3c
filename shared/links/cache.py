"""The last good preview per URL, served as `stale` when a fresh fetch fails.

In memory by default (per process); in Redis when REDIS_URL is set (shared by all workers).
"""

import json
import threading
from collections import OrderedDict
from typing import Protocol

import redis
import redis.asyncio as async_redis

from shared.links.model import LinkPreview
from shared.links.model import LinkStatus

KEY_PREFIX = "conduit:link-preview:"


def _dump(preview: LinkPreview) -> str:
    return json.dumps({"url": preview.url, "title": preview.title, "http": preview.http_status})


def _load(raw: str | bytes | None) -> LinkPreview | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return LinkPreview(
        url=data["url"], status=LinkStatus.OK, title=data["title"], http_status=data["http"]
    )


class StaleCache(Protocol):
    def get(self, url: str) -> LinkPreview | None: ...
    def put(self, preview: LinkPreview) -> None: ...


class MemoryStaleCache:
    """A bounded LRU dict, safe across the sync app's pool threads; never blocks for long."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.entries: OrderedDict[str, LinkPreview] = OrderedDict()
        self.max_entries = max_entries
        self.lock = threading.Lock()

    def get(self, url: str) -> LinkPreview | None:
        with self.lock:
            preview = self.entries.get(url)
            if preview is not None:
                self.entries.move_to_end(url)
            return preview

    def put(self, preview: LinkPreview) -> None:
        with self.lock:
            self.entries[preview.url] = preview
            self.entries.move_to_end(preview.url)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)


class RedisStaleCache:
    """The same cache in Redis, for a sync app (Flask)."""

    def __init__(self, url: str, ttl_seconds: int) -> None:
        self.client = redis.Redis.from_url(url)
        self.ttl_seconds = ttl_seconds

    def get(self, url: str) -> LinkPreview | None:
        return _load(self.client.get(KEY_PREFIX + url))

    def put(self, preview: LinkPreview) -> None:
        self.client.set(KEY_PREFIX + preview.url, _dump(preview), ex=self.ttl_seconds)


class AsyncRedisStaleCache:
    """The same cache in Redis, for an async app (FastAPI)."""

    def __init__(self, url: str, ttl_seconds: int) -> None:
        self.client = async_redis.Redis.from_url(url)
        self.ttl_seconds = ttl_seconds

    async def get(self, url: str) -> LinkPreview | None:
        return _load(await self.client.get(KEY_PREFIX + url))

    async def put(self, preview: LinkPreview) -> None:
        await self.client.set(KEY_PREFIX + preview.url, _dump(preview), ex=self.ttl_seconds)

    async def close(self) -> None:
        await self.client.aclose()


class AsyncStaleCache(Protocol):
    async def get(self, url: str) -> LinkPreview | None: ...
    async def put(self, preview: LinkPreview) -> None: ...
    async def close(self) -> None: ...


class AsyncMemoryStaleCache:
    """The in-memory cache behind the async interface (its operations never block)."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.memory = MemoryStaleCache(max_entries)

    async def get(self, url: str) -> LinkPreview | None:
        return self.memory.get(url)

    async def put(self, preview: LinkPreview) -> None:
        self.memory.put(preview)

    async def close(self) -> None:
        """Nothing to release."""
