"""Every error leaves as the contract's envelope: {"errors": {"body": [...]}}."""

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from flask_smorest import Api
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed

from flask_app.schemas import GenericErrorModel
from shared import http
from shared.errors import DomainError

View = Callable[..., Any]


class ConduitApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with its default error payload replaced by the contract's."""

    ERROR_SCHEMA = GenericErrorModel
    # Each view documents the errors it can answer (documented_errors), not a catch-all.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error: HTTPException) -> Response:
        return handle_http_exception(error)


def init_app(app: Flask) -> ConduitApi:
    api = ConduitApi(app)
    api.spec.components.security_scheme(
        "Token", {"type": "apiKey", "in": "header", "name": "Authorization"}
    )
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(http.BodyRejected, handle_body_rejected)
    return api


def documented_errors(blp: Blueprint, *statuses: int) -> Callable[[View], View]:
    """Document the error statuses a view can answer, each with the envelope.

    Every view can answer 422 (a repeated query parameter); flask-smorest already documents
    it for views that declare arguments.
    """

    def decorator(view: View) -> View:
        has_arguments = bool(getattr(view, "_apidoc", {}).get("arguments"))
        for status in sorted({*statuses, *(() if has_arguments else (422,))}):
            view = blp.alt_response(status, schema=GenericErrorModel)(view)
        return view

    return decorator


def error_response(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(http.error_body(*messages))
    response.status_code = status
    response.headers.update(http.headers_for_status(status))
    response.headers.update(headers or {})
    return response


def handle_domain_error(error: DomainError) -> Response:
    return error_response(http.status_for(error), *error.messages)


def handle_body_rejected(error: http.BodyRejected) -> Response:
    return error_response(error.status, error.message)


def _flatten(messages: Any) -> list[str]:
    """marshmallow nests messages by location, field and list index; keep them in that order."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    return [text for value in messages for text in _flatten(value)]


def _allowed_methods(error: MethodNotAllowed) -> str:
    return ", ".join(sorted(set(error.valid_methods or ()) - {"OPTIONS"}))


def handle_http_exception(error: HTTPException) -> Response:
    """Map werkzeug's and webargs' exceptions (and unhandled errors, as 500) to the envelope."""
    status = error.code or 500
    webargs_data = getattr(error, "data", None)
    if status == 422 and webargs_data:
        return error_response(422, *http.unique_messages(_flatten(webargs_data["messages"])))
    if status == 405 and isinstance(error, MethodNotAllowed):
        return error_response(
            405, http.METHOD_NOT_ALLOWED, headers={"Allow": _allowed_methods(error)}
        )
    return error_response(status, http.message_for_status(status))
