"""Profiles and follows."""

from typing import Any

from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.auth import login_optional
from flask_app.auth import login_required
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.services import profiles
from shared.views import SignedInUser

blp = Blueprint("profiles", __name__, url_prefix="/api", description="Profile")


@blp.route("/profiles/<username>", methods=["GET"])
@documented_errors(blp, 401, 404)
@login_optional
@blp.response(200, schemas.ProfileResponse)
def get_profile(username: str, current_user: SignedInUser | None) -> dict[str, Any]:
    """Get a profile; `following` is relative to the caller, if signed in."""
    viewer_id = current_user.id if current_user else None
    return {"profile": profiles.get_profile(get_session(), username=username, viewer_id=viewer_id)}


@blp.route("/profiles/<username>/follow", methods=["POST"])
@documented_errors(blp, 401, 404)
@login_required
@blp.response(200, schemas.ProfileResponse)
def follow(username: str, current_user: SignedInUser) -> dict[str, Any]:
    """Follow a user (idempotent)."""
    return {
        "profile": profiles.follow(get_session(), username=username, follower_id=current_user.id)
    }


@blp.route("/profiles/<username>/follow", methods=["DELETE"])
@documented_errors(blp, 401, 404)
@login_required
@blp.response(200, schemas.ProfileResponse)
def unfollow(username: str, current_user: SignedInUser) -> dict[str, Any]:
    """Unfollow a user (idempotent)."""
    return {
        "profile": profiles.unfollow(get_session(), username=username, follower_id=current_user.id)
    }
