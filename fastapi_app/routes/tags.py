"""Tags."""

from typing import Any

from fastapi import APIRouter

from fastapi_app import schemas
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.services import tags

router = APIRouter(prefix="/api", tags=["Tags"], route_class=GuardedRoute)


@router.get("/tags", response_model=schemas.TagsResponse, responses=error_responses())
async def list_tags(session: SessionDep) -> Any:
    """Every tag in use, sorted."""
    return {"tags": await session.run_sync(tags.list_tags)}
