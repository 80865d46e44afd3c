"""Articles: feed, lists, CRUD and favorites."""

from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response

from fastapi_app import schemas
from fastapi_app.auth import CurrentUser
from fastapi_app.auth import OptionalUser
from fastapi_app.caches import get_read_caches
from fastapi_app.db import SessionDep
from fastapi_app.errors import error_responses
from fastapi_app.guards import GuardedRoute
from shared.http import BODY_ERRORS
from shared.rules import Page
from shared.services import articles

router = APIRouter(prefix="/api", tags=["Articles"], route_class=GuardedRoute)


@router.get(
    "/articles/feed",
    response_model=schemas.MultipleArticlesResponse,
    responses=error_responses(401),
)
async def feed(
    current_user: CurrentUser,
    query: Annotated[schemas.FeedQuery, Query()],
    session: SessionDep,
) -> Any:
    """Recent articles from followed users, newest first."""
    page = Page(limit=query.limit, offset=query.offset)
    return await session.run_sync(articles.feed_articles, viewer_id=current_user.id, page=page)


@router.get(
    "/articles", response_model=schemas.MultipleArticlesResponse, responses=error_responses(401)
)
async def list_articles(
    current_user: OptionalUser,
    query: Annotated[schemas.ArticleQuery, Query()],
    session: SessionDep,
    request: Request,
) -> Any:
    """Recent articles, newest first, filtered by tag, author and favoriting user."""
    return await session.run_sync(
        articles.list_articles,
        viewer_id=current_user.id if current_user else None,
        page=Page(limit=query.limit, offset=query.offset),
        tag=query.tag,
        author=query.author,
        favorited=query.favorited,
        article_count=get_read_caches(request).article_count,
    )


@router.post(
    "/articles",
    status_code=201,
    response_model=schemas.ArticleResponse,
    responses=error_responses(*BODY_ERRORS, 401),
)
async def create_article(
    data: schemas.NewArticleRequest,
    current_user: CurrentUser,
    session: SessionDep,
    request: Request,
) -> Any:
    """Create an article."""
    draft = articles.prepare_article(**data.article.model_dump())
    article = await session.run_sync(
        articles.create_article, author_id=current_user.id, draft=draft
    )
    get_read_caches(request).clear()
    return {"article": article}


@router.get(
    "/articles/{slug}", response_model=schemas.ArticleResponse, responses=error_responses(401, 404)
)
async def get_article(slug: str, current_user: OptionalUser, session: SessionDep) -> Any:
    """Get an article."""
    viewer_id = current_user.id if current_user else None
    article = await session.run_sync(articles.get_article, slug=slug, viewer_id=viewer_id)
    return {"article": article}


@router.put(
    "/articles/{slug}",
    response_model=schemas.ArticleResponse,
    responses=error_responses(*BODY_ERRORS, 401, 403, 404),
)
async def update_article(
    data: schemas.UpdateArticleRequest,
    slug: str,
    current_user: CurrentUser,
    session: SessionDep,
    request: Request,
) -> Any:
    """Update an article (author only)."""
    changes = articles.prepare_changes(**data.article.model_dump(exclude_unset=True))
    article = await session.run_sync(
        articles.update_article, slug=slug, user_id=current_user.id, changes=changes
    )
    get_read_caches(request).clear()
    return {"article": article}


@router.delete(
    "/articles/{slug}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404),
)
async def delete_article(
    slug: str, current_user: CurrentUser, session: SessionDep, request: Request
) -> None:
    """Delete an article (author only)."""
    await session.run_sync(articles.delete_article, slug=slug, user_id=current_user.id)
    get_read_caches(request).clear()


@router.post(
    "/articles/{slug}/favorite",
    response_model=schemas.ArticleResponse,
    tags=["Favorites"],
    responses=error_responses(401, 404),
)
async def favorite_article(slug: str, current_user: CurrentUser, session: SessionDep) -> Any:
    """Favorite an article (idempotent)."""
    article = await session.run_sync(articles.favorite_article, slug=slug, user_id=current_user.id)
    return {"article": article}


@router.delete(
    "/articles/{slug}/favorite",
    response_model=schemas.ArticleResponse,
    tags=["Favorites"],
    responses=error_responses(401, 404),
)
async def unfavorite_article(slug: str, current_user: CurrentUser, session: SessionDep) -> Any:
    """Unfavorite an article (idempotent)."""
    article = await session.run_sync(
        articles.unfavorite_article, slug=slug, user_id=current_user.id
    )
    return {"article": article}
