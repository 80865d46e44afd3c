"""Token authentication as view decorators; the view receives `current_user`."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app
from flask import request
from flask_smorest import Blueprint

from flask_app.db import get_session
from shared.errors import AuthenticationFailed
from shared.security import MISSING_CREDENTIALS
from shared.security import authenticate_header
from shared.services import users
from shared.views import SignedInUser

View = Callable[..., Any]
# Shown in the OpenAPI document as the spec's `Token` security scheme.
TOKEN_SECURITY: list[dict[str, list[str]]] = [{"Token": []}]


def _signed_in_user() -> SignedInUser | None:
    """The user the Authorization header names; None without one, 401 if it is bad."""
    authenticated = authenticate_header(
        request.headers.get("Authorization"), current_app.config["SETTINGS"]
    )
    if authenticated is None:
        return None
    user_id, token = authenticated
    return SignedInUser.of(users.get_user(get_session(), user_id=user_id), token)


def login_required(view: View) -> View:
    """401 without a valid token; otherwise pass `current_user` to the view."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user = _signed_in_user()
        if current_user is None:
            raise AuthenticationFailed(MISSING_CREDENTIALS)
        return view(*args, current_user=current_user, **kwargs)

    documented: View = Blueprint.doc(security=TOKEN_SECURITY)(wrapper)
    return documented


def login_optional(view: View) -> View:
    """Pass `current_user` (None when anonymous); a bad token is still 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return view(*args, current_user=_signed_in_user(), **kwargs)

    documented: View = Blueprint.doc(security=TOKEN_SECURITY)(wrapper)
    return documented
