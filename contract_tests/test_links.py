"""Link previews, GET /api/articles/{slug}/links (CONTRACT L1-L4), against a live upstream.

Every preview here fetches from the stand-in (`upstream/`) on 127.0.0.1, the one host the apps
under test may reach (`test_settings()`: per-call timeout 0.5 s, deadline 1.5 s, 2 retries,
breaker threshold 3 and cool-down 1 s, at most 4 calls in flight). Article bodies hold only
127.0.0.1 URLs and loopback spellings the guard must refuse; nothing here can reach another
machine even if the guard failed.

All stand-in URLs share one host, so each app has one circuit breaker for all of them. The
`previews` fixture therefore starts every test with the stand-in idle and the breaker closed
with no failures counted (a probe link must preview `ok`), and tests keep the failures per
article below the threshold unless they test the breaker. Every URL carries a fresh `key`, so
the stand-in's per-key counts, flaky counters and the apps' stale caches never mix tests.
"""

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.upstream_fixture import Upstream
from contract_tests.upstream_fixture import upstream_server  # noqa: F401

# The link-preview policy of test_settings() (contract_tests/conftest.py).
TIMEOUT = 0.5
DEADLINE = 1.5
RETRIES = 2
THRESHOLD = 3
COOLDOWN = 1.0
BULKHEAD = 4
MAX_LINKS = 20
# Time allowed on top of the deadline for the rest of the request (database, JSON, transport).
SLACK = 1.0
# How long after its per-call timeout a caller may take to hang up on the stand-in.
HANG_UP_SLACK = 0.3

STATUSES = {"ok", "error", "timeout", "unavailable", "blocked", "stale"}


def link(
    url: str, status: str, title: str | None = None, http_status: int | None = None
) -> dict[str, Any]:
    """One expected entry of `links`."""
    return {"url": url, "status": status, "title": title, "httpStatus": http_status}


def checked(response: httpx.Response) -> list[dict[str, Any]]:
    """The links of a 200 answer, after checking the L1 shape."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"links", "linksCount"}, body
    links = body["links"]
    assert body["linksCount"] == len(links) <= MAX_LINKS, body
    for entry in links:
        assert set(entry) == {"url", "status", "title", "httpStatus"}, entry
        assert entry["status"] in STATUSES, entry
        assert entry["title"] is None or isinstance(entry["title"], str), entry
        assert entry["httpStatus"] is None or isinstance(entry["httpStatus"], int), entry
    return list(links)


class Previews:
    """Articles written by one author, and their link previews."""

    def __init__(self, api: Api, upstream: Upstream, author: Account) -> None:
        self.api = api
        self.upstream = upstream
        self.author = author

    def article(self, body: str, **fields: Any) -> str:
        return str(self.api.create_article(self.author, body=body, **fields)["slug"])

    def fetch(self, slug: str, user: Account | None = None) -> list[dict[str, Any]]:
        return checked(self.api.get(f"/api/articles/{slug}/links", user=user))

    def timed(self, slug: str) -> tuple[list[dict[str, Any]], float]:
        started = time.monotonic()
        links = self.fetch(slug)
        return links, time.monotonic() - started

    def of(self, body: str) -> list[dict[str, Any]]:
        return self.fetch(self.article(body))

    def one(self, url: str) -> dict[str, Any]:
        """The preview of an article whose body links to `url` once, in markdown."""
        links = self.of(f"Read [this]({url}) first.")
        assert [entry["url"] for entry in links] == [url], links
        return links[0]

    def close_breaker(self) -> None:
        """Wait until earlier calls have ended and a good link previews `ok`: the breaker for
        127.0.0.1 is then closed and counts no failures."""
        self.upstream.wait_idle()
        time.sleep(0.05)  # let the app record the outcome of a call the stand-in saw end
        probe = self.upstream.url("/page", title="Probe", key=self.upstream.key("probe"))
        slug = self.article(f"Probe: {probe}")
        give_up = time.monotonic() + COOLDOWN + 4
        while (entry := self.fetch(slug)[0])["status"] != "ok":
            assert entry["status"] == "unavailable", entry
            assert time.monotonic() < give_up, f"the breaker never closed: {entry}"
            time.sleep(0.2)


@pytest.fixture
def previews(api: Api, upstream: Upstream) -> Previews:
    """An author, a closed breaker and fresh stand-in statistics (in-process apps only)."""
    if api.name == "live":
        pytest.skip("the upstream stand-in is on the test machine's 127.0.0.1")
    result = Previews(api, upstream, api.register())
    result.close_breaker()
    upstream.reset_stats()
    return result


def _free_port() -> int:
    """A 127.0.0.1 port nothing listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# L1: the endpoint


def test_anonymous_reader_gets_the_previews(previews: Previews, upstream: Upstream) -> None:
    url = upstream.url("/page", title="Hello", key=upstream.key())
    slug = previews.article(f"See [hello]({url}).")
    assert previews.fetch(slug) == [link(url, "ok", "Hello", 200)]


def test_signed_in_reader_gets_the_same_previews(
    previews: Previews,
    upstream: Upstream,
) -> None:
    url = upstream.url("/page", title="Hello", key=upstream.key())
    slug = previews.article(f"See {url}")
    reader = previews.api.register()
    assert previews.fetch(slug, user=reader) == [link(url, "ok", "Hello", 200)]
    assert previews.fetch(slug, user=previews.author) == [link(url, "ok", "Hello", 200)]


def test_a_body_without_links_has_none(api: Api) -> None:
    author = api.register()
    slug = api.create_article(author, body="No links here, not even www.example.com.")["slug"]
    response = api.get(f"/api/articles/{slug}/links")
    assert response.status_code == 200
    assert response.json() == {"links": [], "linksCount": 0}


def test_unknown_slug_is_404(api: Api) -> None:
    response = api.get("/api/articles/no-such-article-0123456789/links")
    assert response.status_code == 404
    assert errors_of(response) == ["article not found"]


@pytest.mark.parametrize("authorization", ["Token not-a-jwt", "Bearer abc.def.ghi", "Token"])
@pytest.mark.parametrize("existing", [True, False])
def test_a_bad_token_is_401_even_though_auth_is_optional(
    api: Api, authorization: str, existing: bool
) -> None:
    slug = "no-such-article-0123456789"
    if existing:
        slug = api.create_article(api.register(), body="No links.")["slug"]
    response = api.get(f"/api/articles/{slug}/links", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Token"
    assert len(errors_of(response)) == 1


def test_only_the_body_is_scanned(previews: Previews, upstream: Upstream) -> None:
    in_description = upstream.url("/page", title="Description", key=upstream.key())
    in_body = upstream.url("/page", title="Body", key=upstream.key())
    slug = previews.article(f"Body: {in_body}", description=f"Description: {in_description}")
    assert previews.fetch(slug) == [link(in_body, "ok", "Body", 200)]


def test_mixed_outcomes_in_order_of_first_appearance_without_duplicates(
    previews: Previews,
    upstream: Upstream,
) -> None:
    keys = {name: upstream.key(name) for name in ("first", "og", "gone", "data", "leak", "last")}
    first = upstream.url("/page", title="First", key=keys["first"])
    og = upstream.url("/og", title="Open Graph", key=keys["og"])
    gone = upstream.url("/status/404", key=keys["gone"])
    data = upstream.url("/page", title="Data", content_type="application/json", key=keys["data"])
    leak = f"http://localhost:{upstream.port}/page?title=Leak&key={keys['leak']}"
    last = upstream.url("/page", title="Last", key=keys["last"])
    body = (
        f"Start with [the first]({first}) and {og}.\n"
        f"Again ({first}), then <{gone}>, and [some data]({data})!\n"
        f"Not allowed: {leak}; not http: ftp://127.0.0.1:{upstream.port}/page\n"
        f"Twice: {last}, and **{last}**.\n"
        f"Once more: [first]({first})"
    )
    assert previews.of(body) == [
        link(first, "ok", "First", 200),
        link(og, "ok", "Open Graph", 200),
        link(gone, "error", None, 404),
        link(data, "ok", None, 200),
        link(leak, "blocked"),
        link(last, "ok", "Last", 200),
    ]
    seen = {name: upstream.requests(key) for name, key in keys.items()}
    assert seen == {"first": 1, "og": 1, "gone": 1, "data": 1, "leak": 0, "last": 1}


def test_at_most_twenty_distinct_links_are_previewed(
    previews: Previews,
    upstream: Upstream,
) -> None:
    keys = [upstream.key(f"n{number}") for number in range(25)]
    urls = [upstream.url("/page", title=f"Page {n}", key=key) for n, key in enumerate(keys)]
    body = f"{urls[0]} twice: {urls[0]}\n" + "\n".join(
        f"{n}. [page {n}]({url})" for n, url in enumerate(urls)
    )
    assert (
        previews.of(body)
        == [link(url, "ok", f"Page {n}", 200) for n, url in enumerate(urls)][:MAX_LINKS]
    )
    assert [upstream.requests(key) for key in keys] == [1] * MAX_LINKS + [0] * 5


def test_only_http_and_https_urls_are_links(previews: Previews, upstream: Upstream) -> None:
    url = upstream.url("/page", title="Web", key=upstream.key())
    port = upstream.port
    body = (
        f"ftp://127.0.0.1:{port}/page gopher://127.0.0.1:{port}/page file:///etc/hostname "
        f"javascript:alert(1) ws://127.0.0.1:{port}/page 127.0.0.1:{port}/page and {url}"
    )
    assert previews.of(body) == [link(url, "ok", "Web", 200)]
    assert upstream.stats()["total"] == 1


# L2: ok, and where titles come from


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Hello", "Hello"),
        ("  Hello \n\t  wide\r\n world  ", "Hello wide world"),
        ("x" * 300, "x" * 200),
        ("ab " * 150, " ".join(["ab"] * 150)[:200]),
        ("Fish & Chips <3", "Fish & Chips <3"),
        ("Café — ☕ 日本", "Café — ☕ 日本"),
    ],
    ids=["plain", "whitespace", "capped", "collapsed-then-capped", "entities", "unicode"],
)
def test_title_is_whitespace_collapsed_and_capped(
    previews: Previews,
    upstream: Upstream,
    title: str,
    expected: str,
) -> None:
    url = upstream.url("/page", title=title, key=upstream.key())
    assert previews.one(url) == link(url, "ok", expected, 200)


def test_og_title_is_the_fallback(previews: Previews, upstream: Upstream) -> None:
    url = upstream.url("/og", title="  Only   Open Graph ", key=upstream.key())
    assert previews.one(url) == link(url, "ok", "Only Open Graph", 200)


@pytest.mark.parametrize(
    ("title", "og", "expected"),
    [("Title", "Graph", "Title"), ("   ", "Graph", "Graph"), ("", None, None)],
    ids=["title-wins", "blank-title", "neither"],
)
def test_title_before_og_title(
    previews: Previews,
    upstream: Upstream,
    title: str,
    og: str | None,
    expected: str | None,
) -> None:
    params = {"title": title, **({"og": og} if og is not None else {})}
    url = upstream.url("/page", **params, key=upstream.key())
    assert previews.one(url) == link(url, "ok", expected, 200)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", None),
        ("text/plain; charset=utf-8", None),
        ("application/xhtml+xml", None),
        ("TEXT/HTML; charset=UTF-8", "Typed"),
    ],
)
def test_only_html_is_parsed_for_a_title(
    previews: Previews,
    upstream: Upstream,
    content_type: str,
    expected: str | None,
) -> None:
    url = upstream.url("/page", title="Typed", content_type=content_type, key=upstream.key())
    assert previews.one(url) == link(url, "ok", expected, 200)


@pytest.mark.parametrize("status", [201, 203])
def test_any_2xx_is_ok(previews: Previews, upstream: Upstream, status: int) -> None:
    url = upstream.url("/page", title="Created", status=status, key=upstream.key())
    assert previews.one(url) == link(url, "ok", "Created", status)


@pytest.mark.parametrize(("title_at_kb", "expected"), [(0, "Huge"), (200, "Huge"), (300, None)])
def test_only_the_first_256_kib_are_read(
    previews: Previews,
    upstream: Upstream,
    title_at_kb: int,
    expected: str | None,
) -> None:
    """A 1 MiB page is still ok; a title beyond 256 KiB is never seen."""
    url = upstream.url("/huge", kb=1024, title="Huge", title_at_kb=title_at_kb, key=upstream.key())
    assert previews.one(url) == link(url, "ok", expected, 200)


# L2/L3: redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_followed(previews: Previews, upstream: Upstream, status: int) -> None:
    final = upstream.url("/page", title="Moved here", key=upstream.key("final"))
    url = upstream.url("/redirect-to", url=final, status=status, key=upstream.key())
    assert previews.one(url) == link(url, "ok", "Moved here", 200)


def test_a_relative_redirect_is_followed(previews: Previews, upstream: Upstream) -> None:
    url = upstream.url("/redirect-to", url="/page?title=Relative", key=upstream.key())
    assert previews.one(url) == link(url, "ok", "Relative", 200)


def test_three_redirects_are_followed(previews: Previews, upstream: Upstream) -> None:
    key = upstream.key()
    url = upstream.url("/redirect", hops=3, key=key)
    assert previews.one(url) == link(url, "ok", "Redirected", 200)
    assert (upstream.requests(key), upstream.requests(f"{key}-final")) == (3, 1)


def test_a_fourth_redirect_is_an_error(previews: Previews, upstream: Upstream) -> None:
    key = upstream.key()
    url = upstream.url("/redirect", hops=4, key=key)
    preview = previews.one(url)
    assert (preview["status"], preview["title"]) == ("error", None), preview
    # The contract does not say whether httpStatus is the last redirect's status or unknown.
    assert preview["httpStatus"] in (None, 302), preview
    assert upstream.requests(key) <= 4
    assert upstream.requests(f"{key}-final") == 0


# L2/L3: errors and retries


@pytest.mark.parametrize("status", [400, 403, 404, 410, 429, 500, 501])
def test_other_error_statuses_are_errors_without_retry(
    previews: Previews,
    upstream: Upstream,
    status: int,
) -> None:
    key = upstream.key()
    url = upstream.url(f"/status/{status}", key=key)
    assert previews.one(url) == link(url, "error", None, status)
    assert upstream.requests(key) == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_an_error(
    previews: Previews,
    upstream: Upstream,
    status: int,
) -> None:
    key = upstream.key()
    url = upstream.url(f"/status/{status}", key=key)
    assert previews.one(url) == link(url, "error", None, status)
    assert upstream.requests(key) == 1 + RETRIES


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_flaky_upstream_recovers_within_the_retries(
    previews: Previews,
    upstream: Upstream,
    status: int,
) -> None:
    key = upstream.key()
    url = upstream.url("/flaky", key=key, fail=RETRIES, status=status, title="Recovered")
    assert previews.one(url) == link(url, "ok", "Recovered", 200)
    assert upstream.requests(key) == 1 + RETRIES


def test_a_refused_connection_is_an_error_without_status(previews: Previews) -> None:
    url = f"http://127.0.0.1:{_free_port()}/page?title=Nobody"
    assert previews.one(url) == link(url, "error")


# L2/L3: timeouts and the deadline


def test_a_hanging_upstream_times_out(previews: Previews, upstream: Upstream) -> None:
    key = upstream.key()
    url = upstream.url("/hang", key=key)
    slug = previews.article(f"Wait for {url}")
    links, elapsed = previews.timed(slug)
    assert links == [link(url, "timeout")]
    assert elapsed < DEADLINE + SLACK
    durations = upstream.durations(key)
    assert durations, "the stand-in never saw the call"
    assert max(durations) < TIMEOUT + HANG_UP_SLACK, durations


def test_a_slow_drip_times_out_at_the_per_call_timeout(
    previews: Previews,
    upstream: Upstream,
) -> None:
    """Each chunk arrives well within the timeout; the whole body never does."""
    key = upstream.key()
    url = upstream.url("/drip", interval_ms=100, chunks=50, title="Drip", key=key)
    slug = previews.article(f"Drip: {url}")
    links, elapsed = previews.timed(slug)
    assert links == [link(url, "timeout")]
    assert elapsed < DEADLINE + SLACK
    durations = upstream.durations(key)
    assert durations, "the stand-in never saw the call"
    assert max(durations) < TIMEOUT + HANG_UP_SLACK, durations


def test_the_deadline_cuts_slow_upstreams_short(previews: Previews, upstream: Upstream) -> None:
    """20 pages of 0.4 s each (under the per-call timeout) at 4 at once take 2 s: the ones not
    done by the 1.5 s deadline are timeouts, the others ok."""
    urls = [
        upstream.url("/page", title=f"Slow {n}", delay_ms=400, key=upstream.key())
        for n in range(20)
    ]
    slug = previews.article("\n".join(urls))
    links, elapsed = previews.timed(slug)
    assert elapsed < DEADLINE + SLACK
    assert [entry["url"] for entry in links] == urls
    for n, entry in enumerate(links):
        assert entry in (link(urls[n], "ok", f"Slow {n}", 200), link(urls[n], "timeout")), entry
    statuses = [entry["status"] for entry in links]
    assert statuses.count("timeout") >= 1, statuses
    assert statuses.count("ok") >= BULKHEAD, statuses


def test_the_deadline_holds_when_every_upstream_hangs(
    previews: Previews,
    upstream: Upstream,
) -> None:
    """All 20 links hang. Every link is a timeout, except those the breaker (opened by the
    first timeouts: they share a host) refused before any call: those are unavailable."""
    keys = [upstream.key(f"hang{n}") for n in range(MAX_LINKS)]
    urls = [upstream.url("/hang", key=key) for key in keys]
    slug = previews.article(" ".join(urls))
    links, elapsed = previews.timed(slug)
    assert elapsed < DEADLINE + SLACK
    assert [entry["url"] for entry in links] == urls
    for url, key, entry in zip(urls, keys, links, strict=True):
        assert entry in (link(url, "timeout"), link(url, "unavailable")), entry
        if entry["status"] == "unavailable":
            assert upstream.requests(key) == 0, f"unavailable after a call: {entry}"
    statuses = [entry["status"] for entry in links]
    assert statuses.count("timeout") >= THRESHOLD, statuses
    for key in keys:
        durations = upstream.durations(key)
        assert all(seconds < TIMEOUT + HANG_UP_SLACK for seconds in durations), durations


# L3: the bulkhead


def test_calls_in_flight_never_exceed_the_bulkhead(previews: Previews, upstream: Upstream) -> None:
    """12 pages of 0.3 s: 3.6 s one by one, 0.9 s four at a time, never more than four."""
    urls = [
        upstream.url("/page", title=f"P{n}", delay_ms=300, key=upstream.key()) for n in range(12)
    ]
    assert previews.of(" ".join(urls)) == [
        link(url, "ok", f"P{n}", 200) for n, url in enumerate(urls)
    ]
    assert 1 <= upstream.stats()["max_in_flight"] <= BULKHEAD


def test_concurrent_requests_share_the_bulkhead(previews: Previews, upstream: Upstream) -> None:
    """The bound is per process: three requests at once still make at most four calls."""
    slugs = []
    for article in range(3):
        urls = [
            upstream.url("/page", title=f"A{article} P{n}", delay_ms=200, key=upstream.key())
            for n in range(5)
        ]
        slugs.append(previews.article(" ".join(urls)))
    with ThreadPoolExecutor(max_workers=len(slugs)) as pool:
        results = list(pool.map(previews.fetch, slugs))
    for links in results:
        assert len(links) == 5
        assert {entry["status"] for entry in links} <= {"ok", "timeout"}, links
    assert 1 <= upstream.stats()["max_in_flight"] <= BULKHEAD


# L2/L3: the circuit breaker


def test_the_breaker_opens_after_consecutive_failures_and_closes_after_the_cooldown(
    previews: Previews,
    upstream: Upstream,
) -> None:
    failing_key, good_key = upstream.key("down"), upstream.key("up")
    failing = upstream.url("/status/500", key=failing_key)
    good = upstream.url("/page", title="Back", key=good_key)
    failing_slug = previews.article(f"Down: {failing}")
    good_slug = previews.article(f"Up: {good}")

    for _ in range(THRESHOLD):
        assert previews.fetch(failing_slug) == [link(failing, "error", None, 500)]
    # Open: no call for this URL, nor for any other on the same host.
    assert previews.fetch(failing_slug) == [link(failing, "unavailable")]
    assert previews.fetch(good_slug) == [link(good, "unavailable")]
    assert (upstream.requests(failing_key), upstream.requests(good_key)) == (THRESHOLD, 0)

    time.sleep(COOLDOWN + 0.2)
    # Half-open: a trial call succeeds and closes the breaker.
    assert previews.fetch(good_slug) == [link(good, "ok", "Back", 200)]
    assert previews.fetch(good_slug) == [link(good, "ok", "Back", 200)]
    assert previews.fetch(failing_slug) == [link(failing, "error", None, 500)]
    assert (upstream.requests(failing_key), upstream.requests(good_key)) == (THRESHOLD + 1, 2)


def test_the_breaker_counts_only_consecutive_failures(
    previews: Previews,
    upstream: Upstream,
) -> None:
    failing_key, good_key = upstream.key("down"), upstream.key("up")
    failing = upstream.url("/status/500", key=failing_key)
    good = upstream.url("/page", title="Fine", key=good_key)
    failing_slug = previews.article(f"Down: {failing}")
    good_slug = previews.article(f"Up: {good}")

    for _ in range(2):
        for _ in range(THRESHOLD - 1):
            assert previews.fetch(failing_slug) == [link(failing, "error", None, 500)]
        assert previews.fetch(good_slug) == [link(good, "ok", "Fine", 200)]
    assert upstream.requests(failing_key) == 2 * (THRESHOLD - 1)
    assert upstream.requests(good_key) == 2


# L2: stale


@pytest.mark.parametrize("status", [500, 503])
def test_a_failed_refresh_serves_the_last_good_result_as_stale(
    previews: Previews,
    upstream: Upstream,
    status: int,
) -> None:
    key = upstream.key()
    url = upstream.url("/toggle", key=key, title="Fresh")
    slug = previews.article(f"Toggle: {url}")
    assert previews.fetch(slug) == [link(url, "ok", "Fresh", 200)]

    upstream.set_toggle(key, status)
    assert previews.fetch(slug) == [link(url, "stale", "Fresh", 200)]
    calls = 1 + RETRIES if status == 503 else 1
    assert upstream.requests(key) == 1 + calls

    upstream.set_toggle(key, 200)
    assert previews.fetch(slug) == [link(url, "ok", "Fresh", 200)]


# L4: the SSRF guard


@pytest.mark.parametrize(
    "authority",
    [
        "localhost",
        "LocalHost",
        "127.0.0.2",
        "127.1",
        "0x7f.1",
        "0177.0.0.1",
        "2130706433",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "user:pass@127.0.0.1",
        "user@127.0.0.1",
    ],
)
def test_loopback_not_written_as_the_allowlisted_host_is_blocked(
    previews: Previews,
    upstream: Upstream,
    authority: str,
) -> None:
    key = upstream.key()
    url = f"http://{authority}:{upstream.port}/page?title=Leak&key={key}"
    assert previews.one(url) == link(url, "blocked")
    assert upstream.stats()["total"] == 0


def test_https_to_a_blocked_host_is_blocked(previews: Previews, upstream: Upstream) -> None:
    url = f"https://localhost:{upstream.port}/page?title=Leak"
    assert previews.one(url) == link(url, "blocked")
    assert upstream.stats()["total"] == 0


def test_an_uppercase_scheme_is_still_http(previews: Previews, upstream: Upstream) -> None:
    url = upstream.url("/page", title="Shouted", key=upstream.key()).replace("http://", "HTTP://")
    assert previews.one(url) == link(url, "ok", "Shouted", 200)


@pytest.mark.parametrize(
    "location",
    [
        "http://localhost:{port}/page?title=Leak&key={key}",
        "http://127.0.0.2:{port}/page?title=Leak&key={key}",
        "http://0x7f.1:{port}/page?title=Leak&key={key}",
        "http://[::1]:{port}/page?title=Leak&key={key}",
        "http://user:pass@127.0.0.1:{port}/page?title=Leak&key={key}",
        "ftp://127.0.0.1:{port}/page?title=Leak&key={key}",
    ],
)
def test_a_redirect_to_a_blocked_url_is_blocked(
    previews: Previews,
    upstream: Upstream,
    location: str,
) -> None:
    hop_key, leak_key = upstream.key("hop"), upstream.key("leak")
    blocked = location.format(port=upstream.port, key=leak_key)
    url = upstream.url("/redirect-to", url=blocked, key=hop_key)
    preview = previews.one(url)
    assert (preview["status"], preview["title"]) == ("blocked", None), preview
    assert (upstream.requests(hop_key), upstream.requests(leak_key)) == (1, 0)


def test_proxy_settings_in_the_environment_are_ignored(
    previews: Previews, upstream: Upstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Calls go to the page itself, never through a proxy from the environment: the guard
    checks the address connected to, which a proxy would replace with its own."""
    proxy = f"http://127.0.0.1:{_free_port()}"
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = upstream.url("/page", title="Direct", key=upstream.key())
    assert previews.one(url) == link(url, "ok", "Direct", 200)
