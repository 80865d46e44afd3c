"""Link previews: every URL in an article's body, fetched at once with the shared policy."""

from typing import Any

from fastapi import APIRouter
from fastapi import Request

from fastapi_app import schemas
from fastapi_app.auth import OptionalUser
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.links.extract import extract_urls
from shared.links.model import links_view
from shared.services import articles

router = APIRouter(prefix="/api", tags=["Links"], route_class=GuardedRoute)


@router.get(
    "/articles/{slug}/links",
    response_model=schemas.LinksResponse,
    responses=error_responses(401, 404),
)
async def preview_links(
    slug: str, current_user: OptionalUser, session: SessionDep, request: Request
) -> Any:
    """Preview every http(s) link in the article (optional auth: a bad token is still 401)."""
    body = await session.run_sync(articles.get_article_body, slug=slug)
    # Give the connection back before waiting on upstreams for up to the whole deadline.
    await session.close()
    previews = await request.app.state.link_previewer.preview_all(extract_urls(body))
    return links_view(previews)
