"""Comments on articles."""

from typing import Any

from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.auth import login_optional
from flask_app.auth import login_required
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.http import BODY_ERRORS
from shared.services import comments
from shared.views import SignedInUser

blp = Blueprint("comments", __name__, url_prefix="/api", description="Comments")


@blp.route("/articles/<slug>/comments", methods=["GET"])
@documented_errors(blp, 401, 404)
@login_optional
@blp.response(200, schemas.MultipleCommentsResponse)
def list_comments(slug: str, current_user: SignedInUser | None) -> dict[str, Any]:
    """Comments on an article, newest first."""
    viewer_id = current_user.id if current_user else None
    return {"comments": comments.list_comments(get_session(), slug=slug, viewer_id=viewer_id)}


@blp.route("/articles/<slug>/comments", methods=["POST"])
@documented_errors(blp, *BODY_ERRORS, 401, 404)
@login_required
@blp.arguments(schemas.NewCommentRequest)
@blp.response(200, schemas.CommentResponse)
def add_comment(data: dict[str, Any], slug: str, current_user: SignedInUser) -> dict[str, Any]:
    """Comment on an article."""
    body = comments.prepare_comment(**data["comment"])
    comment = comments.add_comment(get_session(), slug=slug, author_id=current_user.id, body=body)
    return {"comment": comment}


@blp.route("/articles/<slug>/comments/<int:comment_id>", methods=["DELETE"])
@documented_errors(blp, 401, 403, 404)
@login_required
@blp.response(204)
def delete_comment(slug: str, comment_id: int, current_user: SignedInUser) -> None:
    """Delete one's own comment."""
    comments.delete_comment(
        get_session(), slug=slug, comment_id=comment_id, user_id=current_user.id
    )
