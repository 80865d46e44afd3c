"""Comments on articles."""

from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Path
from fastapi import Response

from fastapi_app import schemas
from fastapi_app.auth import CurrentUser
from fastapi_app.auth import OptionalUser
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.http import BODY_ERRORS
from shared.services import comments

router = APIRouter(prefix="/api", tags=["Comments"], route_class=GuardedRoute)


@router.get(
    "/articles/{slug}/comments",
    response_model=schemas.MultipleCommentsResponse,
    responses=error_responses(401, 404),
)
async def list_comments(slug: str, current_user: OptionalUser, session: SessionDep) -> Any:
    """Comments on an article, newest first."""
    viewer_id = current_user.id if current_user else None
    found = await session.run_sync(comments.list_comments, slug=slug, viewer_id=viewer_id)
    return {"comments": found}


@router.post(
    "/articles/{slug}/comments",
    response_model=schemas.CommentResponse,
    responses=error_responses(*BODY_ERRORS, 401, 404),
)
async def add_comment(
    data: schemas.NewCommentRequest, slug: str, current_user: CurrentUser, session: SessionDep
) -> Any:
    """Comment on an article."""
    body = comments.prepare_comment(**data.comment.model_dump())
    comment = await session.run_sync(
        comments.add_comment, slug=slug, author_id=current_user.id, body=body
    )
    return {"comment": comment}


@router.delete(
    "/articles/{slug}/comments/{comment_id:int}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def delete_comment(
    slug: str,
    comment_id: Annotated[int, Path(ge=0)],
    current_user: CurrentUser,
    session: SessionDep,
) -> None:
    """Delete one's own comment."""
    await session.run_sync(
        comments.delete_comment, slug=slug, comment_id=comment_id, user_id=current_user.id
    )
