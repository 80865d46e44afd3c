"""Link previews the async way: one aiohttp ClientSession per process (opened in the lifespan),
calls fanned out with asyncio.gather. A semaphore is the bulkhead: at most `concurrency` upstream
calls in flight per process, whatever the number of requests. Rules, guard, titles and results
come from shared.links.

The HTTP client sits behind `AiohttpUpstream.fetch(url) -> Page`: aiohttp was chosen by
measurement (see the README); swapping clients means replacing that one class.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.abc import ResolveResult
from aiohttp.resolver import DefaultResolver
from fastapi import FastAPI
from purgatory import AsyncCircuitBreakerFactory
from purgatory import AsyncInMemoryUnitOfWork
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying
from tenacity import retry_if_exception
from tenacity import stop_after_attempt

from shared.links.cache import AsyncMemoryStaleCache
from shared.links.cache import AsyncRedisStaleCache
from shared.links.cache import AsyncStaleCache
from shared.links.guard import Blocked
from shared.links.guard import Target
from shared.links.guard import allowed_addresses
from shared.links.guard import check_target
from shared.links.model import LinkPreview
from shared.links.model import LinkStatus
from shared.links.outcome import CallTimedOut
from shared.links.outcome import Page
from shared.links.outcome import TooManyRedirects
from shared.links.outcome import UpstreamStatus
from shared.links.outcome import failed
from shared.links.outcome import preview_of
from shared.links.outcome import stale
from shared.links.policy import RETRYABLE_STATUSES
from shared.links.policy import LinkPolicy
from shared.settings import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class GuardedResolver(AbstractResolver):
    """Resolve, then keep only allowed addresses: the connector connects to what was checked,
    so a DNS answer that changes after the first check cannot slip by."""

    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        self.allowed_hosts = allowed_hosts
        self.resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        name = host.rstrip(".").lower()
        target = Target(host=name, port=port, allowlisted=name in self.allowed_hosts)
        results = await self.resolver.resolve(host, port, family)
        usable = set(allowed_addresses(target, [result["host"] for result in results]))
        return [result for result in results if result["host"] in usable]

    async def close(self) -> None:
        await self.resolver.close()


def _retryable(error: BaseException) -> bool:
    if isinstance(error, UpstreamStatus):
        return error.status in RETRYABLE_STATUSES
    return isinstance(error, aiohttp.ClientConnectionError) and not isinstance(
        error, aiohttp.ServerTimeoutError
    )


class AiohttpUpstream:
    """GET with redirects followed by hand, each hop checked by the guard, body capped."""

    def __init__(self, policy: LinkPolicy) -> None:
        self.policy = policy
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(policy.allowed_hosts), limit=policy.concurrency
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(sock_connect=policy.timeout, sock_read=policy.timeout),
        )

    async def fetch(self, url: str) -> Page:
        try:
            # The whole call, connect to last byte: a slow drip cannot outlast it.
            async with asyncio.timeout(self.policy.timeout):
                return await self._fetch(url)
        except TimeoutError as error:
            raise CallTimedOut(url) from error

    async def _fetch(self, url: str) -> Page:
        for _hop in range(self.policy.max_redirects + 1):
            # aiohttp never calls the resolver for an IP literal: check_target judges those.
            check_target(url, self.policy.allowed_hosts)
            async with self.session.get(url, allow_redirects=False) as response:
                if response.status in REDIRECT_STATUSES and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status >= 500:
                    raise UpstreamStatus(response.status)
                body = bytearray()
                while len(body) < self.policy.max_bytes:
                    chunk = await response.content.read(self.policy.max_bytes - len(body))
                    if not chunk:
                        break
                    body += chunk
                return Page(
                    status=response.status,
                    content_type=response.headers.get("content-type", ""),
                    body=bytes(body),
                )
        raise TooManyRedirects(url)

    async def close(self) -> None:
        await self.session.close()


class LinkPreviewer:
    """Previews URLs with the shared policy; one instance per process."""

    def __init__(self, settings: Settings) -> None:
        self.policy = LinkPolicy.from_settings(settings)
        self.upstream = AiohttpUpstream(self.policy)
        self.bulkhead = asyncio.Semaphore(self.policy.concurrency)
        redis_url = settings.redis_url
        self.breakers = AsyncCircuitBreakerFactory(
            default_threshold=self.policy.breaker_threshold,
            default_ttl=self.policy.breaker_cooldown,
            # A call cut short by the request's deadline says nothing about the upstream.
            exclude=[Blocked, asyncio.CancelledError],
            # Per process, in memory, in both twins: purgatory 3.0.1's sync Redis store builds an
            # asyncio client, so Redis could back only one of them.
            uow=AsyncInMemoryUnitOfWork(),
        )
        cache_seconds = self.policy.cache_seconds
        self.cache: AsyncStaleCache = (
            AsyncRedisStaleCache(redis_url, cache_seconds) if redis_url else AsyncMemoryStaleCache()
        )

    async def preview_all(self, urls: list[str]) -> list[LinkPreview]:
        """Preview every URL at once; whatever is unfinished at the deadline is a timeout."""
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(self.preview(url)) for url in urls]
            if tasks:
                # One timer for the whole fan-out rather than one per link.
                await asyncio.wait(tasks, timeout=self.policy.deadline)
            for task in tasks:
                task.cancel()  # unfinished: cut short (a call cut short is not a breaker failure)
        previews = []
        for url, task in zip(urls, tasks, strict=True):
            if task.cancelled():
                previews.append(await self._fallback(url, LinkStatus.TIMEOUT))
            else:
                previews.append(task.result())
        return previews

    async def preview(self, url: str) -> LinkPreview:
        """One URL: guard, breaker, retries, fetch; a failure falls back to the stale copy."""
        try:
            target = check_target(url, self.policy.allowed_hosts)
            async with self.bulkhead, await self.breakers.get_breaker(target.host):
                page = await self._fetch_with_retries(url)
        except Blocked:
            return failed(url, LinkStatus.BLOCKED)
        except OpenedState:
            return await self._fallback(url, LinkStatus.UNAVAILABLE)
        except (aiohttp.ServerTimeoutError, CallTimedOut):
            return await self._fallback(url, LinkStatus.TIMEOUT)
        except UpstreamStatus as error:
            return await self._fallback(url, LinkStatus.ERROR, error.status)
        except (aiohttp.ClientError, TooManyRedirects, OSError):
            return await self._fallback(url, LinkStatus.ERROR)
        preview = preview_of(url, page)
        if preview.status is LinkStatus.OK:
            await self.cache.put(preview)
        return preview

    async def _fallback(
        self, url: str, status: LinkStatus, http_status: int | None = None
    ) -> LinkPreview:
        cached = await self.cache.get(url)
        return stale(cached) if cached is not None else failed(url, status, http_status)

    async def _fetch_with_retries(self, url: str) -> Page:
        try:
            return await self.upstream.fetch(url)
        except Exception as error:
            failures = [error]
        # Only a failed call pays for tenacity (tens of us a call otherwise): its first attempt
        # replays that failure, so whether, when and how often to retry stays tenacity's.

        async def attempt(url: str) -> Page:
            if failures:
                raise failures.pop()
            return await self.upstream.fetch(url)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=self.policy.retry_wait(),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        return await retrying(attempt, url)

    async def close(self) -> None:
        await self.upstream.close()
        await self.cache.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One previewer (and HTTP client) per process, closed when the server stops."""
    previewer = LinkPreviewer(app.state.settings)
    await previewer.breakers.initialize()
    app.state.link_previewer = previewer
    try:
        yield
    finally:
        await previewer.close()
