"""Registration, login and the current user."""

from typing import Any

from fastapi import APIRouter
from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from fastapi_app import schemas
from fastapi_app.auth import CurrentUser
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.http import BODY_ERRORS
from shared.security import create_token
from shared.security import hash_password
from shared.security import verify_password
from shared.services import users
from shared.views import SignedInUser

router = APIRouter(prefix="/api", tags=["User and Authentication"], route_class=GuardedRoute)


@router.post(
    "/users/login",
    response_model=schemas.UserResponse,
    responses=error_responses(*BODY_ERRORS, 401),
)
async def login(data: schemas.LoginRequest, session: SessionDep, request: Request) -> Any:
    """Existing user login."""
    credentials = data.user
    candidate = await session.run_sync(users.find_login_candidate, email=credentials.email)
    # argon2 is CPU-bound: verify in a worker thread so the event loop keeps serving.
    password_ok = await run_in_threadpool(
        verify_password,
        credentials.password,
        candidate.password_hash if candidate else None,
        request.app.state.settings,
    )
    user = users.complete_login(candidate, password_ok=password_ok)
    token = create_token(user.id, request.app.state.settings)
    return {"user": SignedInUser.of(user, token)}


@router.post(
    "/users",
    status_code=201,
    response_model=schemas.UserResponse,
    responses=error_responses(*BODY_ERRORS),
)
async def register(data: schemas.NewUserRequest, session: SessionDep, request: Request) -> Any:
    """Register a new user."""
    new_user = users.prepare_registration(**data.user.model_dump())
    password_hash = await run_in_threadpool(
        hash_password, new_user.password, request.app.state.settings
    )
    user = await session.run_sync(users.register, new_user=new_user, password_hash=password_hash)
    token = create_token(user.id, request.app.state.settings)
    return {"user": SignedInUser.of(user, token)}


@router.get("/user", response_model=schemas.UserResponse, responses=error_responses(401))
async def get_current_user(current_user: CurrentUser) -> Any:
    """Get the currently logged-in user."""
    return {"user": current_user}


@router.put(
    "/user", response_model=schemas.UserResponse, responses=error_responses(*BODY_ERRORS, 401)
)
async def update_current_user(
    data: schemas.UpdateUserRequest,
    current_user: CurrentUser,
    session: SessionDep,
    request: Request,
) -> Any:
    """Update the current user; at least one field."""
    changes = users.prepare_update(**data.user.model_dump(exclude_unset=True))
    password_hash = (
        await run_in_threadpool(hash_password, changes.password, request.app.state.settings)
        if isinstance(changes.password, str)
        else None
    )
    user = await session.run_sync(
        users.update_user, user_id=current_user.id, changes=changes, password_hash=password_hash
    )
    return {"user": SignedInUser.of(user, current_user.token)}
