"""Floors for `GET /api/tags`: the least a server and a framework can do for one answer.

Four apps answer `GET /api/tags` with the tags the real apps return for the same database, and
404 for anything else; none of them touches a database per request:

- `raw_wsgi`: a bare WSGI callable (served by gunicorn: `loadtests.floors:raw_wsgi`);
- `raw_asgi`: a bare ASGI callable (served by uvicorn: `loadtests.floors:raw_asgi`);
- `create_bare_flask()`: Flask with one view returning the cached dict (Flask serialises it);
- `create_bare_fastapi()`: FastAPI with one path operation declaring `response_model`
  (pydantic validates and serialises the cached dict), as the real app does.

The tags are read once, at import: from the JSON file named by FLOORS_TAGS_BODY_FILE (what
`loadtests.ceilings` writes from a real app's answer), else from DATABASE_URL through the
domain service (`shared.services.tags.list_tags`). The raw apps send FastAPI's compact encoding
(`TAGS_BODY`); Flask's JSON provider adds a trailing newline, so the bare Flask body has one too.
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

BODY_FILE_ENV = "FLOORS_TAGS_BODY_FILE"
PATH = "/api/tags"


def _load_tags() -> list[str]:
    body_file = os.environ.get(BODY_FILE_ENV)
    if body_file:
        tags: list[str] = json.loads(Path(body_file).read_bytes())["tags"]
        return tags
    from sqlalchemy.orm import Session

    from shared.db import create_sync_engine
    from shared.services.tags import list_tags
    from shared.settings import get_settings

    engine = create_sync_engine(get_settings())
    try:
        with Session(engine) as session:
            return list(list_tags(session))
    finally:
        engine.dispose()


def encode(tags: list[str]) -> bytes:
    """The body as FastAPI's JSONResponse writes it: compact, UTF-8, no trailing newline."""
    return json.dumps(
        {"tags": tags}, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode()


TAGS: list[str] = _load_tags()
TAGS_BODY: bytes = encode(TAGS)
NOT_FOUND_BODY = b'{"errors":{"body":["Not Found"]}}'


# Raw WSGI


def raw_wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET":
        status, body = "200 OK", TAGS_BODY
    else:
        status, body = "404 Not Found", NOT_FOUND_BODY
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


# Raw ASGI

_TAGS_START = {
    "type": "http.response.start",
    "status": 200,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(TAGS_BODY)).encode()),
    ],
}
_TAGS_BODY_MESSAGE = {"type": "http.response.body", "body": TAGS_BODY}
_NOT_FOUND_START = {
    "type": "http.response.start",
    "status": 404,
    "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(NOT_FOUND_BODY)).encode()),
    ],
}
_NOT_FOUND_BODY_MESSAGE = {"type": "http.response.body", "body": NOT_FOUND_BODY}


async def raw_asgi(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == PATH and scope["method"] == "GET":
        await send(_TAGS_START)
        await send(_TAGS_BODY_MESSAGE)
    else:
        await send(_NOT_FOUND_START)
        await send(_NOT_FOUND_BODY_MESSAGE)


# Bare frameworks


def create_bare_flask() -> Any:
    """Flask, one view, the real app's JSON settings; Flask serialises the cached dict."""
    from flask import Flask

    app = Flask("loadtests.floors")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    @app.get(PATH)
    def list_tags() -> dict[str, Any]:
        return {"tags": TAGS}

    return app


def create_bare_fastapi() -> Any:
    """FastAPI, one path operation with a declared response model, as the real app has."""
    from fastapi import FastAPI
    from pydantic import BaseModel

    class TagsResponse(BaseModel):
        tags: list[str]

    app = FastAPI(redirect_slashes=False)

    @app.get(PATH, response_model=TagsResponse)
    async def list_tags() -> Any:
        return {"tags": TAGS}

    return app
