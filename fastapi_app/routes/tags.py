"""Tags."""

from typing import Any

from fastapi import APIRouter
from fastapi import Request

from fastapi_app import schemas
from fastapi_app.caches import get_read_caches
from fastapi_app.db import get_session
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.services import tags

router = APIRouter(prefix="/api", tags=["Tags"], route_class=GuardedRoute)


@router.get("/tags", response_model=schemas.TagsResponse, responses=error_responses())
async def list_tags(request: Request) -> Any:
    """Every tag in use, sorted."""
    tag_cache = get_read_caches(request).tags
    tag_list = tag_cache.fresh()
    if tag_list is None:  # only then a session: not a SessionDep, which every call would open
        generation = tag_cache.generation()
        session = await get_session(request)
        tag_list = tag_cache.store(await session.run_sync(tags.list_tags), generation)
    return {"tags": tag_list}
