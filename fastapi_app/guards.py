"""Checks every routed request passes before its path operation: repeated parameters, then
the JSON body. Also HEAD, which Werkzeug answers for every GET route and FastAPI does not.
"""

from collections.abc import Callable
from collections.abc import Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi import Request
from fastapi import Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from shared.errors import ValidationFailed
from shared.http import BODY_TOO_LARGE
from shared.http import MAX_BODY_BYTES
from shared.http import BodyRejected
from shared.http import check_json_body
from shared.http import repeated_parameter

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def init_app(app: FastAPI) -> None:
    app.add_middleware(HeadAsGetMiddleware)


class GuardedRoute(APIRoute):
    """An APIRoute that checks the request after routing and before dependencies run."""

    def get_route_handler(self) -> Handler:
        route_handler = super().get_route_handler()
        takes_json_body = self.body_field is not None

        async def guarded_route_handler(request: Request) -> Response:
            if request.scope["query_string"]:
                query = request.query_params
                repeated = [name for name in query if len(query.getlist(name)) > 1]
                if repeated:
                    raise ValidationFailed(
                        *(repeated_parameter(name) for name in dict.fromkeys(repeated))
                    )
            if takes_json_body:
                request = SizeLimitedRequest(request.scope, request.receive)
                check_json_body(request.headers.get("content-type"), await request.body())
            return await route_handler(request)

        return guarded_route_handler


class SizeLimitedRequest(Request):
    """A Request whose body() refuses more than MAX_BODY_BYTES (413), declared or streamed.

    Starlette's own body limit swaps any response for a plain-text 413, so it is not used.
    """

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            declared = self.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                raise BodyRejected(413, BODY_TOO_LARGE)
            chunks: list[bytes] = []
            size = 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise BodyRejected(413, BODY_TOO_LARGE)
                chunks.append(chunk)
            # Cached where Starlette's Request.body() keeps it, as FastAPI's custom-request docs do.
            self._body = b"".join(chunks)
        return self._body


class HeadAsGetMiddleware:
    """Answer HEAD as GET without the body, as Werkzeug does for Flask (pure ASGI, no overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
