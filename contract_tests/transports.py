"""In-process transports that hand the path to each app the way its real server would.

httpx's WSGI transport puts an already decoded path in PATH_INFO, and Starlette's TestClient
decodes the path a second time; gunicorn and uvicorn decode the raw path exactly once.
"""

import threading
from typing import Any
from urllib.parse import unquote
from urllib.parse import unquote_to_bytes

import httpx

# The raw (still percent-encoded) path of the request being handled, per thread.
_raw_path = threading.local()


class ServerLikeWSGITransport(httpx.WSGITransport):
    """httpx's WSGI transport with PATH_INFO as gunicorn builds it: the raw path
    percent-decoded once, as bytes, then read as latin-1 (PEP 3333)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _raw_path.value = request.url.raw_path.split(b"?", 1)[0]
        try:
            return super().handle_request(request)
        finally:
            _raw_path.value = None


class ServerLikePathInfo:
    """WSGI middleware behind ServerLikeWSGITransport: replaces PATH_INFO."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        raw = getattr(_raw_path, "value", None)
        if raw is not None:
            environ["PATH_INFO"] = unquote_to_bytes(raw).decode("latin-1")
            environ["RAW_URI"] = environ["REQUEST_URI"] = raw.decode("ascii")
        return self.app(environ, start_response)


class ServerLikeASGIPath:
    """ASGI middleware: `path` from `raw_path`, decoded once, as uvicorn does.

    (Starlette's TestClient decodes the already decoded path a second time.)"""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and "raw_path" in scope:
            scope = {**scope, "path": unquote(scope["raw_path"].decode("ascii"))}
        await self.app(scope, receive, send)
