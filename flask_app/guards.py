"""Checks every routed request passes before its view: repeated parameters, then the JSON body.

Werkzeug already answers HEAD for every GET route; FastAPI needs a middleware for that.
"""

from functools import cache
from typing import Any

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from shared.errors import ValidationFailed
from shared.http import check_json_body
from shared.http import repeated_parameter


def init_app(app: Flask) -> None:
    app.before_request(check_request)
    app.after_request(drop_content_type_without_body)


@cache
def _takes_json_body(view: Any) -> bool:
    """flask-smorest records each view's declared arguments; a JSON body is one of them."""
    arguments = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    return any(argument.get("in") == "json" for argument in arguments)


def check_request() -> None:
    """Run after routing (unknown routes stay 404/405) and before authentication."""
    if request.routing_exception is not None or request.endpoint is None:
        return
    if request.query_string:
        repeated = [name for name, values in request.args.lists() if len(values) > 1]
        if repeated:
            raise ValidationFailed(*(repeated_parameter(name) for name in repeated))
    if _takes_json_body(current_app.view_functions[request.endpoint]):
        # get_data raises 413 past MAX_CONTENT_LENGTH; Flask caches the bytes for the view.
        check_json_body(request.content_type, request.get_data(cache=True))


def drop_content_type_without_body(response: Response) -> Response:
    """A 204 has no body, so no media type (flask-smorest would label it JSON)."""
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response
