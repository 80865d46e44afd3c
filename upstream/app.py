"""The upstream stand-in: a Starlette app whose every answer is chosen by the caller's URL.

Pages (counted in /stats; every one also takes `key=K`, counted per key, and `delay_ms=N`,
a wait before answering):

    /page?title=T&og=O&status=200&content_type=text/html   an HTML page (title and og:title
                                                           optional; any status and type)
    /og?title=T                                            og:title only, no <title>
    /status/{code}                                         an HTML page with that status
    /hang?max_s=30                                         no answer until the client leaves
    /drip?interval_ms=300&chunks=20&title=T                200 at once, then one small chunk
                                                           per interval; <title> in the last
    /huge?kb=1024&title=T&title_at_kb=0                    a kb KiB page, <title> at that offset
    /redirect?hops=N&to=URL&status=302                     N redirects, then to URL (default:
                                                           /page?title=Redirected&key=K-final)
    /redirect-to?url=URL&status=302                        one redirect to any URL
    /flaky?key=K&fail=N&status=503&title=T                 the first N calls for K fail
    /toggle?key=K&title=T                                  answers the status set for K
                                                           (default 200)

Control (not counted; GET or POST):

    /health                      200 "ok"
    /stats                       JSON: total, per path, per key (requests, in flight, durations
                                 in ms), in flight now and the most at once
    /stats/reset                 zero the statistics
    /reset                       forget /flaky counters and /toggle states
    /toggle/set?key=K&status=S   what /toggle?key=K answers from now on

A counted request is in flight from its arrival until its answer is sent or the client goes
away; a client that gives up (timeout, closed connection) ends it at once, so "in flight" is what
the caller holds open. One process, one event loop: the state needs no locks.
"""

import asyncio
import html
from collections import Counter
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import RedirectResponse
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

HTML = "text/html; charset=utf-8"
CONTROL_PATHS = frozenset({"/health", "/stats", "/stats/reset", "/reset", "/toggle/set"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_DURATIONS = 200


@dataclass
class KeyStats:
    requests: int = 0
    in_flight: int = 0
    durations: deque[float] = field(default_factory=lambda: deque(maxlen=MAX_DURATIONS))

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "in_flight": self.in_flight,
            "durations_ms": [round(seconds * 1000, 1) for seconds in self.durations],
        }


@dataclass
class State:
    """What the stand-in has seen (statistics) and what it was told (flaky and toggle state)."""

    total: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    paths: Counter[str] = field(default_factory=Counter)
    keys: dict[str, KeyStats] = field(default_factory=dict)
    flaky_calls: Counter[str] = field(default_factory=Counter)
    toggles: dict[str, int] = field(default_factory=dict)

    def begin(self, path: str, key: str | None) -> None:
        self.total += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.paths[path] += 1
        if key is not None:
            stats = self.keys.setdefault(key, KeyStats())
            stats.requests += 1
            stats.in_flight += 1

    def end(self, key: str | None, seconds: float) -> None:
        self.in_flight -= 1
        if key is not None:
            stats = self.keys[key]
            stats.in_flight -= 1
            stats.durations.append(seconds)

    def reset_stats(self) -> None:
        # Requests still in flight stay counted as such, so in_flight never goes negative.
        self.total = 0
        self.max_in_flight = self.in_flight
        self.paths.clear()
        self.keys = {
            key: KeyStats(in_flight=stats.in_flight)
            for key, stats in self.keys.items()
            if stats.in_flight
        }

    def reset_behaviour(self) -> None:
        self.flaky_calls.clear()
        self.toggles.clear()

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "paths": dict(self.paths),
            "keys": {key: stats.as_json() for key, stats in self.keys.items()},
        }


def _query(scope: Scope) -> dict[str, list[str]]:
    return parse_qs(scope.get("query_string", b"").decode("latin-1"))


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


class Recorder:
    """Counts, times and delays every non-control request, and ends it when the client leaves.

    The wrapped app never reads the request (pages are GETs without bodies), so this middleware
    owns `receive`: it waits for `http.disconnect` while the app answers, and cancels the app
    as soon as the client goes away. A request stops being in flight just before its last body
    bytes are handed to the server (or as soon as the client is gone): a client that has read
    a whole answer and sends its next request can never be counted twice.
    """

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in CONTROL_PATHS:
            await self.app(scope, receive, send)
            return
        query = _query(scope)
        key = query.get("key", [None])[0]
        try:
            delay = max(0.0, float(query.get("delay_ms", ["0"])[0]) / 1000)
        except ValueError:
            delay = 0.0
        loop = asyncio.get_running_loop()
        started = loop.time()
        ended = False

        def end() -> None:
            nonlocal ended
            if not ended:
                ended = True
                self.state.end(key, loop.time() - started)

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                end()
            await send(message)

        async def answer() -> None:
            if delay:
                await asyncio.sleep(delay)
            await self.app(scope, no_body, recording_send)

        async def watch() -> None:
            await _until_disconnect(receive)
            end()

        self.state.begin(scope["path"], key)
        answering = asyncio.ensure_future(answer())
        watching = asyncio.ensure_future(watch())
        try:
            await asyncio.wait({answering, watching}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (answering, watching):
                task.cancel()
            results = await asyncio.gather(answering, watching, return_exceptions=True)
            end()
        error = results[0]
        if isinstance(error, Exception) and not isinstance(error, OSError):
            raise error


# Parameters


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(400, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise HTTPException(400, f"{name} must be between {low} and {high}")
    return value


def _status(request: Request, default: int, name: str = "status") -> int:
    return _int(request, name, default, 100, 599)


def _key(request: Request) -> str:
    key = request.query_params.get("key")
    if not key:
        raise HTTPException(400, "key is required")
    return key


# Pages


def html_page(title: str | None = None, og: str | None = None, body: str = "") -> str:
    """A small HTML document; title and og:title are escaped as a real page would."""
    head = ""
    if title is not None:
        head += f"<title>{html.escape(title, quote=False)}</title>"
    if og is not None:
        head += f'<meta property="og:title" content="{html.escape(og)}">'
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>"


def _page(title: str | None, status: int, og: str | None = None) -> Response:
    return Response(html_page(title, og, f"<p>status {status}</p>"), status, media_type=HTML)


async def page(request: Request) -> Response:
    params = request.query_params
    content_type = params.get("content_type", HTML)
    content = html_page(params.get("title"), params.get("og"), "<p>A page.</p>")
    return Response(content, _status(request, 200), headers={"content-type": content_type})


async def og_page(request: Request) -> Response:
    return _page(None, 200, og=request.query_params.get("title", "Open Graph title"))


async def status_page(request: Request) -> Response:
    code = request.path_params["code"]
    if not 200 <= code <= 599:
        raise HTTPException(400, "code must be between 200 and 599")
    return _page(f"Status {code}", code)


async def hang(request: Request) -> Response:
    """Say nothing (not even a status line) until the client leaves, at most max_s seconds."""
    await asyncio.sleep(_int(request, "max_s", 30, 0, 600))
    return _page("Finally", 504)


class Drip:
    """200 and headers at once, then `chunks` small chunks one `interval_ms` apart; the title
    arrives only in the last chunk, so a client must read the whole body to find it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        interval = _int(request, "interval_ms", 300, 0, 60_000) / 1000
        chunks = _int(request, "chunks", 20, 1, 10_000)
        title = html.escape(request.query_params.get("title", "Drip"), quote=False)
        headers = [(b"content-type", HTML.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<html><head>", "more_body": True})
        for number in range(chunks):
            await asyncio.sleep(interval)
            chunk = f"<!-- drip {number} -->\n".encode()
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        last = f"<title>{title}</title></head><body></body></html>".encode()
        await send({"type": "http.response.body", "body": last, "more_body": False})


def _filler(size: int) -> str:
    """`size` bytes of HTML comments (whole ones where possible)."""
    line = "<!-- " + "x" * 1014 + " -->\n"  # 1 KiB
    whole, rest = divmod(size, len(line))
    return line * whole + " " * rest


async def huge(request: Request) -> Response:
    kb = _int(request, "kb", 1024, 1, 64 * 1024)
    title_at = _int(request, "title_at_kb", 0, 0, kb) * 1024
    title = html.escape(request.query_params.get("title", "Huge"), quote=False)
    start = "<!doctype html><html><head>"
    before = _filler(max(0, title_at - len(start)))
    head = f"{start}{before}<title>{title}</title></head><body>"
    content = head + _filler(max(0, kb * 1024 - len(head) - len("</body></html>")))
    return Response(content + "</body></html>", media_type=HTML)


def _redirect(location: str, status: int) -> Response:
    if status not in REDIRECT_STATUSES:
        raise HTTPException(400, f"status must be one of {sorted(REDIRECT_STATUSES)}")
    return RedirectResponse(location, status_code=status)


async def redirect(request: Request) -> Response:
    hops = _int(request, "hops", 1, 1, 100)
    key = request.query_params.get("key")
    target = request.query_params.get("to")
    if target is None:
        final = {"title": "Redirected", **({"key": f"{key}-final"} if key else {})}
        target = f"{str(request.base_url).rstrip('/')}/page?{urlencode(final)}"
    if hops == 1:
        return _redirect(target, _status(request, 302))
    following = {**request.query_params, "hops": str(hops - 1), "to": target}
    return _redirect(
        f"{str(request.base_url).rstrip('/')}/redirect?{urlencode(following)}",
        _status(request, 302),
    )


async def redirect_to(request: Request) -> Response:
    url = request.query_params.get("url")
    if not url:
        raise HTTPException(400, "url is required")
    return _redirect(url, _status(request, 302))


async def flaky(request: Request) -> Response:
    state: State = request.app.state.upstream
    key = _key(request)
    fail = _int(request, "fail", 1, 0, 1_000_000)
    state.flaky_calls[key] += 1
    if state.flaky_calls[key] <= fail:
        return _page(f"Failure {state.flaky_calls[key]}", _status(request, 503))
    return _page(request.query_params.get("title", "Recovered"), 200)


async def toggle(request: Request) -> Response:
    state: State = request.app.state.upstream
    status = state.toggles.get(_key(request), 200)
    return _page(request.query_params.get("title", "Toggle"), status)


# Control


async def health(_request: Request) -> Response:
    return PlainTextResponse("ok")


async def stats(request: Request) -> Response:
    state: State = request.app.state.upstream
    return JSONResponse(state.as_json())


async def stats_reset(request: Request) -> Response:
    state: State = request.app.state.upstream
    state.reset_stats()
    return JSONResponse(state.as_json())


async def reset(request: Request) -> Response:
    state: State = request.app.state.upstream
    state.reset_behaviour()
    return PlainTextResponse("reset")


async def toggle_set(request: Request) -> Response:
    state: State = request.app.state.upstream
    state.toggles[_key(request)] = _status(request, 200)
    return JSONResponse(state.toggles)


async def _bad_request(_request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    return PlainTextResponse(error.detail, error.status_code)


def create_app() -> ASGIApp:
    """The stand-in: Starlette routes behind the counting middleware."""
    both = ["GET", "POST"]
    routes = [
        Route("/page", page),
        Route("/og", og_page),
        Route("/status/{code:int}", status_page),
        Route("/hang", hang),
        Route("/drip", Drip()),
        Route("/huge", huge),
        Route("/redirect", redirect),
        Route("/redirect-to", redirect_to),
        Route("/flaky", flaky),
        Route("/toggle", toggle),
        Route("/health", health),
        Route("/stats", stats),
        Route("/stats/reset", stats_reset, methods=both),
        Route("/reset", reset, methods=both),
        Route("/toggle/set", toggle_set, methods=both),
    ]
    state = State()
    app = Starlette(routes=routes, exception_handlers={HTTPException: _bad_request})
    app.state.upstream = state
    return Recorder(app, state)
