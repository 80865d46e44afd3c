"""Profiles and follows."""

from typing import Any

from fastapi import APIRouter

from fastapi_app import schemas
from fastapi_app.auth import CurrentUser
from fastapi_app.auth import OptionalUser
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.services import profiles

router = APIRouter(prefix="/api", tags=["Profile"], route_class=GuardedRoute)


@router.get(
    "/profiles/{username}",
    response_model=schemas.ProfileResponse,
    responses=error_responses(401, 404),
)
async def get_profile(username: str, current_user: OptionalUser, session: SessionDep) -> Any:
    """Get a profile; `following` is relative to the caller, if signed in."""
    viewer_id = current_user.id if current_user else None
    profile = await session.run_sync(profiles.get_profile, username=username, viewer_id=viewer_id)
    return {"profile": profile}


@router.post(
    "/profiles/{username}/follow",
    response_model=schemas.ProfileResponse,
    responses=error_responses(401, 404),
)
async def follow(username: str, current_user: CurrentUser, session: SessionDep) -> Any:
    """Follow a user (idempotent)."""
    profile = await session.run_sync(
        profiles.follow, username=username, follower_id=current_user.id
    )
    return {"profile": profile}


@router.delete(
    "/profiles/{username}/follow",
    response_model=schemas.ProfileResponse,
    responses=error_responses(401, 404),
)
async def unfollow(username: str, current_user: CurrentUser, session: SessionDep) -> Any:
    """Unfollow a user (idempotent)."""
    profile = await session.run_sync(
        profiles.unfollow, username=username, follower_id=current_user.id
    )
    return {"profile": profile}
