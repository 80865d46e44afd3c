"""Registration, login and the current user."""

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.auth import login_required
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.http import BODY_ERRORS
from shared.security import create_token
from shared.security import hash_password
from shared.security import verify_password
from shared.services import users
from shared.views import SignedInUser

blp = Blueprint("users", __name__, url_prefix="/api", description="User and Authentication")


@blp.route("/users/login", methods=["POST"])
@documented_errors(blp, *BODY_ERRORS, 401)
@blp.arguments(schemas.LoginRequest)
@blp.response(200, schemas.UserResponse)
def login(data: dict[str, Any]) -> dict[str, Any]:
    """Existing user login."""
    credentials = data["user"]
    candidate = users.find_login_candidate(get_session(), email=credentials["email"])
    password_ok = verify_password(
        credentials["password"],
        candidate.password_hash if candidate else None,
        current_app.config["SETTINGS"],
    )
    user = users.complete_login(candidate, password_ok=password_ok)
    token = create_token(user.id, current_app.config["SETTINGS"])
    return {"user": SignedInUser.of(user, token)}


@blp.route("/users", methods=["POST"])
@documented_errors(blp, *BODY_ERRORS)
@blp.arguments(schemas.NewUserRequest)
@blp.response(201, schemas.UserResponse)
def register(data: dict[str, Any]) -> dict[str, Any]:
    """Register a new user."""
    new_user = users.prepare_registration(**data["user"])
    password_hash = hash_password(new_user.password, current_app.config["SETTINGS"])
    user = users.register(get_session(), new_user=new_user, password_hash=password_hash)
    token = create_token(user.id, current_app.config["SETTINGS"])
    return {"user": SignedInUser.of(user, token)}


@blp.route("/user", methods=["GET"])
@documented_errors(blp, 401)
@login_required
@blp.response(200, schemas.UserResponse)
def get_current_user(current_user: SignedInUser) -> dict[str, Any]:
    """Get the currently logged-in user."""
    return {"user": current_user}


@blp.route("/user", methods=["PUT"])
@documented_errors(blp, *BODY_ERRORS, 401)
@login_required
@blp.arguments(schemas.UpdateUserRequest)
@blp.response(200, schemas.UserResponse)
def update_current_user(data: dict[str, Any], current_user: SignedInUser) -> dict[str, Any]:
    """Update the current user; at least one field."""
    changes = users.prepare_update(**data["user"])
    password_hash = (
        hash_password(changes.password, current_app.config["SETTINGS"])
        if isinstance(changes.password, str)
        else None
    )
    user = users.update_user(
        get_session(), user_id=current_user.id, changes=changes, password_hash=password_hash
    )
    return {"user": SignedInUser.of(user, current_user.token)}
