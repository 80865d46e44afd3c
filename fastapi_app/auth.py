"""Token authentication as dependencies; the path operation receives `current_user`."""

from typing import Annotated

from fastapi import Depends
from fastapi import Request
from fastapi.security import APIKeyHeader

from fastapi_app.db import SessionDep
from shared.errors import AuthenticationFailed
from shared.security import MISSING_CREDENTIALS
from shared.security import authenticate_header
from shared.services import users
from shared.views import SignedInUser

# Shown in the OpenAPI document as the spec's `Token` security scheme.
token_header = APIKeyHeader(name="Authorization", scheme_name="Token", auto_error=False)


async def login_optional(
    request: Request,
    session: SessionDep,
    _documented: Annotated[str | None, Depends(token_header)],
) -> SignedInUser | None:
    """The user the Authorization header names; None when anonymous, 401 if it is bad."""
    # The raw header, not APIKeyHeader's value: it turns an empty header into "absent".
    header = request.headers.get("authorization")
    authenticated = authenticate_header(header, request.app.state.settings)
    if authenticated is None:
        return None
    user_id, token = authenticated
    user = await session.run_sync(users.get_user, user_id=user_id)
    return SignedInUser.of(user, token)


async def login_required(
    current_user: Annotated[SignedInUser | None, Depends(login_optional)],
) -> SignedInUser:
    """401 without a valid token."""
    if current_user is None:
        raise AuthenticationFailed(MISSING_CREDENTIALS)
    return current_user


CurrentUser = Annotated[SignedInUser, Depends(login_required)]
OptionalUser = Annotated[SignedInUser | None, Depends(login_optional)]
