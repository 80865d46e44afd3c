"""The HTTP contract both adapters speak, without any framework: envelope, statuses, messages.

Each app turns its framework's errors into these, so both answer with the same body.
"""

import json
from http import HTTPStatus
from typing import Any

from shared.errors import AuthenticationFailed
from shared.errors import DomainError
from shared.errors import NotFound
from shared.errors import PermissionDenied
from shared.errors import ValidationFailed

MAX_BODY_BYTES = 1024 * 1024
JSON_MEDIA_TYPE = "application/json"
AUTHENTICATE_HEADER = {"WWW-Authenticate": "Token"}
# What an operation with a JSON body can answer before validation: malformed, too large, not JSON.
BODY_ERRORS = (400, 413, 415)

ROUTE_NOT_FOUND = "not found"
METHOD_NOT_ALLOWED = "method not allowed"
BODY_TOO_LARGE = "request body is too large (maximum is 1 MiB)"
UNSUPPORTED_MEDIA_TYPE = "Content-Type must be application/json"
EMPTY_BODY = "request body is empty"
INVALID_JSON = "request body is not valid JSON"
INTERNAL_ERROR = "internal server error"

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    ValidationFailed: 422,
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
}


class BodyRejected(Exception):
    """The request body cannot be read as JSON at all (before any schema sees it)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(*messages: str) -> dict[str, Any]:
    """The one error envelope: {"errors": {"body": [...]}}."""
    return {"errors": {"body": list(messages)}}


def status_for(error: DomainError) -> int:
    """The HTTP status of a domain error."""
    return STATUS_BY_ERROR[type(error)]


def message_for_status(status: int) -> str:
    """The message of an error the framework raised itself (routing, body limit, crash)."""
    known = {
        404: ROUTE_NOT_FOUND,
        405: METHOD_NOT_ALLOWED,
        413: BODY_TOO_LARGE,
        500: INTERNAL_ERROR,
    }
    return known.get(status) or HTTPStatus(status).phrase.lower()


def headers_for_status(status: int) -> dict[str, str]:
    """401 answers say which scheme to use."""
    return dict(AUTHENTICATE_HEADER) if status == 401 else {}


def check_json_body(content_type: str | None, body: bytes) -> None:
    """Refuse a body that is not JSON: 415 wrong type, 400 empty or unparsable.

    Size (413) is checked by the server integration before the body is read.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        raise BodyRejected(415, UNSUPPORTED_MEDIA_TYPE)
    if not body.strip():
        raise BodyRejected(400, EMPTY_BODY)
    try:
        # RFC 8259: JSON between systems is UTF-8, without a byte order mark. json.loads alone
        # would also take UTF-16/32 bytes, which one framework's parser accepts and the other not.
        text = body.decode("utf-8")
        if text.startswith("\ufeff"):
            raise ValueError("byte order mark")
        json.loads(text)
    except (ValueError, RecursionError) as error:  # JSON/Unicode errors; absurd nesting
        raise BodyRejected(400, INVALID_JSON) from error


def blank(field: str) -> str:
    return f"{field} can't be blank"


def not_a_string(field: str) -> str:
    return f"{field} must be a string"


def not_a_string_list(field: str) -> str:
    return f"{field} must be an array of strings"


def not_an_object(field: str) -> str:
    return f"{field} must be an object"


def unique_messages(messages: list[str]) -> list[str]:
    """Drop repeats, keep first-seen order (one message per field and problem)."""
    return list(dict.fromkeys(messages))


def repeated_parameter(name: str) -> str:
    return f"{name} must not be repeated"
