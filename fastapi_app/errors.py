"""Every error leaves as the contract's envelope: {"errors": {"body": [...]}}."""

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from fastapi_app.schemas import GenericErrorModel
from shared import http
from shared.errors import DomainError


def init_app(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, handle_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(http.BodyRejected, handle_body_rejected)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, handle_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, handle_http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, handle_unexpected_error)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document the error statuses a path operation can answer, each with the envelope.

    Every operation can answer 422 (a repeated query parameter); this replaces FastAPI's own
    422 schema, which describes pydantic's error list rather than the contract's envelope.
    """
    return {
        status: {"model": GenericErrorModel, "description": HTTPStatus(status).phrase}
        for status in sorted({*statuses, 422})
    }


def error_response(
    status: int, *messages: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        http.error_body(*messages),
        status_code=status,
        headers={**http.headers_for_status(status), **(headers or {})},
    )


async def handle_domain_error(_request: Request, error: DomainError) -> JSONResponse:
    return error_response(http.status_for(error), *error.messages)


async def handle_body_rejected(_request: Request, error: http.BodyRejected) -> JSONResponse:
    return error_response(error.status, error.message)


def _message(error: dict[str, Any]) -> str:
    """One pydantic error as the contract's message, named after the innermost field."""
    location = error["loc"]
    field = next((part for part in reversed(location) if isinstance(part, str)), "body")
    kind = error["type"]
    if tuple(location) == ("body",):  # the whole body: any JSON value but an object
        return http.not_an_object("body")
    if kind == "value_error":  # our own parsers (limit, offset) carry the contract's message
        return str(error["ctx"]["error"])
    if any(isinstance(part, int) for part in location) or kind == "list_type":
        return http.not_a_string_list(field)
    if kind == "missing" or (error.get("input") is None and kind != "list_type"):
        return http.blank(field)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return http.not_an_object(field)
    return http.not_a_string(field)


async def handle_validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
    messages = [_message(detail) for detail in error.errors()]
    return error_response(422, *http.unique_messages(messages))


def _allowed_methods(request: Request) -> str:
    """Every method documented for this path (Starlette's own Allow names only one route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", template), request.url.path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def handle_http_exception(request: Request, error: HTTPException) -> JSONResponse:
    """Map Starlette's routing and body-limit exceptions to the envelope."""
    status = error.status_code
    if status == 405:
        return error_response(
            405, http.METHOD_NOT_ALLOWED, headers={"Allow": _allowed_methods(request)}
        )
    return error_response(status, http.message_for_status(status))


async def handle_unexpected_error(_request: Request, _error: Exception) -> JSONResponse:
    """The envelope for a 500; the exception itself is logged by the server, never sent."""
    return error_response(500, http.INTERNAL_ERROR)
