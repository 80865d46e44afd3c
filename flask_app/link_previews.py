"""Link previews the sync way: one requests.Session per process, calls fanned out on a bounded
thread pool. The pool is the bulkhead: at most `concurrency` upstream calls in flight per process,
whatever the number of requests. Rules, guard, titles and results come from shared.links.

The HTTP client sits behind `RequestsUpstream.fetch(url) -> Page`, as in the FastAPI twin.
"""

import socket
import time
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from typing import Any
from urllib.parse import urljoin

import requests
from purgatory import SyncCircuitBreakerFactory
from purgatory import SyncInMemoryUnitOfWork
from purgatory.domain.model import OpenedState
from requests.adapters import HTTPAdapter
from tenacity import Retrying
from tenacity import retry_if_exception
from tenacity import stop_after_attempt
from urllib3.connection import HTTPConnection
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.connectionpool import HTTPSConnectionPool

from shared.links.cache import MemoryStaleCache
from shared.links.cache import RedisStaleCache
from shared.links.cache import StaleCache
from shared.links.guard import Blocked
from shared.links.guard import Target
from shared.links.guard import allowed_addresses
from shared.links.guard import check_target
from shared.links.guard import resolve
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


class _GuardedConnectionMixin:
    """Resolve, check and connect to an allowed address only: the guard applies to the address
    actually connected to, so a DNS answer that changes after the first check cannot slip by."""

    allowed_hosts: frozenset[str] = frozenset()
    host: str
    port: int
    timeout: Any

    def _new_conn(self) -> socket.socket:
        host = self.host.strip("[]").rstrip(".").lower()
        target = Target(host=host, port=self.port, allowlisted=host in self.allowed_hosts)
        addresses = allowed_addresses(target, resolve(target))
        error: OSError | None = None
        for address in addresses:
            try:
                return socket.create_connection((address, self.port), timeout=self.timeout)
            except OSError as connect_error:
                error = connect_error
        raise error or OSError("no address to connect to")


def _guarded_adapter(allowed_hosts: frozenset[str], pool_size: int) -> HTTPAdapter:
    attributes = {"allowed_hosts": allowed_hosts}
    http_connection = type("GuardedHTTP", (_GuardedConnectionMixin, HTTPConnection), attributes)
    https_connection = type("GuardedHTTPS", (_GuardedConnectionMixin, HTTPSConnection), attributes)
    adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=0)
    adapter.poolmanager.pool_classes_by_scheme = {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}),
        "https": type(
            "GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_connection}
        ),
    }
    return adapter


def _retryable(error: BaseException) -> bool:
    if isinstance(error, UpstreamStatus):
        return error.status in RETRYABLE_STATUSES
    return isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout)


class RequestsUpstream:
    """GET with redirects followed by hand, each hop checked by the guard, body capped."""

    def __init__(self, policy: LinkPolicy) -> None:
        self.policy = policy
        self.session = requests.Session()
        # As aiohttp's default: no proxy or .netrc from the environment (a proxy would be the
        # address the guard checks at connect time), and no per-call environment lookups.
        self.session.trust_env = False
        adapter = _guarded_adapter(policy.allowed_hosts, policy.concurrency)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def fetch(self, url: str) -> Page:
        started = time.monotonic()  # the whole call, connect to last byte, gets one timeout
        timeout = self.policy.timeout
        for _hop in range(self.policy.max_redirects + 1):
            check_target(url, self.policy.allowed_hosts)
            with self.session.get(
                url, allow_redirects=False, stream=True, timeout=(timeout, timeout)
            ) as response:
                if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code >= 500:
                    raise UpstreamStatus(response.status_code)
                body = bytearray()
                for chunk in response.iter_content(chunk_size=16 * 1024):
                    if time.monotonic() - started > timeout:
                        raise CallTimedOut(url)  # a slow drip never trips the read timeout
                    body += chunk
                    if len(body) >= self.policy.max_bytes:
                        break
                return Page(
                    status=response.status_code,
                    content_type=response.headers.get("content-type", ""),
                    body=bytes(body[: self.policy.max_bytes]),
                )
        raise TooManyRedirects(url)

    def close(self) -> None:
        self.session.close()


class LinkPreviewer:
    """Previews URLs with the shared policy; one instance per process."""

    def __init__(self, settings: Settings) -> None:
        self.policy = LinkPolicy.from_settings(settings)
        self.upstream = RequestsUpstream(self.policy)
        self.pool = ThreadPoolExecutor(self.policy.concurrency, thread_name_prefix="link-preview")
        redis_url = settings.redis_url
        self.breakers = SyncCircuitBreakerFactory(
            default_threshold=self.policy.breaker_threshold,
            default_ttl=self.policy.breaker_cooldown,
            exclude=[Blocked],
            # Per process, in memory, in both twins: purgatory 3.0.1's sync Redis store builds an
            # asyncio client, so Redis could back only one of them.
            uow=SyncInMemoryUnitOfWork(),
        )
        self.breakers.initialize()
        self.cache: StaleCache = (
            RedisStaleCache(redis_url, self.policy.cache_seconds)
            if redis_url
            else MemoryStaleCache()
        )

    def preview_all(self, urls: list[str]) -> list[LinkPreview]:
        """Preview every URL at once; whatever is unfinished at the deadline is a timeout."""
        deadline = time.monotonic() + self.policy.deadline
        futures: list[Future[LinkPreview]] = [self.pool.submit(self.preview, url) for url in urls]
        wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        previews = []
        for url, future in zip(urls, futures, strict=True):
            if future.done():
                previews.append(future.result())
            else:
                future.cancel()  # not started yet: never will; started: finishes on its own timeout
                previews.append(self._fallback(url, LinkStatus.TIMEOUT))
        return previews

    def preview(self, url: str) -> LinkPreview:
        """One URL: guard, breaker, retries, fetch; a failure falls back to the stale copy."""
        try:
            target = check_target(url, self.policy.allowed_hosts)
            with self.breakers.get_breaker(target.host):
                page = self._fetch_with_retries(url)
        except Blocked:
            return failed(url, LinkStatus.BLOCKED)
        except OpenedState:
            return self._fallback(url, LinkStatus.UNAVAILABLE)
        except (requests.Timeout, CallTimedOut):
            return self._fallback(url, LinkStatus.TIMEOUT)
        except UpstreamStatus as error:
            return self._fallback(url, LinkStatus.ERROR, error.status)
        except (requests.RequestException, TooManyRedirects, OSError):
            return self._fallback(url, LinkStatus.ERROR)
        preview = preview_of(url, page)
        if preview.status is LinkStatus.OK:
            self.cache.put(preview)
        return preview

    def _fallback(
        self, url: str, status: LinkStatus, http_status: int | None = None
    ) -> LinkPreview:
        cached = self.cache.get(url)
        return stale(cached) if cached is not None else failed(url, status, http_status)

    def _fetch_with_retries(self, url: str) -> Page:
        try:
            return self.upstream.fetch(url)
        except Exception as error:
            failures = [error]
        # Only a failed call pays for tenacity (tens of us a call otherwise): its first attempt
        # replays that failure, so whether, when and how often to retry stays tenacity's.

        def attempt(url: str) -> Page:
            if failures:
                raise failures.pop()
            return self.upstream.fetch(url)

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=self.policy.retry_wait(),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        return retrying(attempt, url)
