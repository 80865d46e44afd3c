"""Articles: feed, lists, CRUD and favorites."""

from typing import Any

from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.auth import login_optional
from flask_app.auth import login_required
from flask_app.caches import get_read_caches
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.http import BODY_ERRORS
from shared.rules import Page
from shared.services import articles
from shared.views import ArticlePage
from shared.views import SignedInUser

blp = Blueprint("articles", __name__, url_prefix="/api", description="Articles")


@blp.route("/articles/feed", methods=["GET"])
@documented_errors(blp, 401)
@login_required
@blp.arguments(schemas.FeedQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.MultipleArticlesResponse)
def feed(current_user: SignedInUser, limit: int, offset: int) -> ArticlePage:
    """Recent articles from followed users, newest first."""
    page = Page(limit=limit, offset=offset)
    return articles.feed_articles(get_session(), viewer_id=current_user.id, page=page)


@blp.route("/articles", methods=["GET"])
@documented_errors(blp, 401)
@login_optional
@blp.arguments(schemas.ArticleQuery, location="query", as_kwargs=True)
@blp.response(200, schemas.MultipleArticlesResponse)
def list_articles(
    current_user: SignedInUser | None,
    limit: int,
    offset: int,
    tag: str | None = None,
    author: str | None = None,
    favorited: str | None = None,
) -> ArticlePage:
    """Recent articles, newest first, filtered by tag, author and favoriting user."""
    return articles.list_articles(
        get_session(),
        viewer_id=current_user.id if current_user else None,
        page=Page(limit=limit, offset=offset),
        tag=tag,
        author=author,
        favorited=favorited,
        article_count=get_read_caches().article_count,
    )


@blp.route("/articles", methods=["POST"])
@documented_errors(blp, *BODY_ERRORS, 401)
@login_required
@blp.arguments(schemas.NewArticleRequest)
@blp.response(201, schemas.ArticleResponse)
def create_article(data: dict[str, Any], current_user: SignedInUser) -> dict[str, Any]:
    """Create an article."""
    draft = articles.prepare_article(**data["article"])
    article = articles.create_article(get_session(), author_id=current_user.id, draft=draft)
    get_read_caches().clear()
    return {"article": article}


@blp.route("/articles/<slug>", methods=["GET"])
@documented_errors(blp, 401, 404)
@login_optional
@blp.response(200, schemas.ArticleResponse)
def get_article(slug: str, current_user: SignedInUser | None) -> dict[str, Any]:
    """Get an article."""
    viewer_id = current_user.id if current_user else None
    return {"article": articles.get_article(get_session(), slug=slug, viewer_id=viewer_id)}


@blp.route("/articles/<slug>", methods=["PUT"])
@documented_errors(blp, *BODY_ERRORS, 401, 403, 404)
@login_required
@blp.arguments(schemas.UpdateArticleRequest)
@blp.response(200, schemas.ArticleResponse)
def update_article(data: dict[str, Any], slug: str, current_user: SignedInUser) -> dict[str, Any]:
    """Update an article (author only)."""
    changes = articles.prepare_changes(**data["article"])
    article = articles.update_article(
        get_session(), slug=slug, user_id=current_user.id, changes=changes
    )
    get_read_caches().clear()
    return {"article": article}


@blp.route("/articles/<slug>", methods=["DELETE"])
@documented_errors(blp, 401, 403, 404)
@login_required
@blp.response(204)
def delete_article(slug: str, current_user: SignedInUser) -> None:
    """Delete an article (author only)."""
    articles.delete_article(get_session(), slug=slug, user_id=current_user.id)
    get_read_caches().clear()


@blp.route("/articles/<slug>/favorite", methods=["POST"])
@documented_errors(blp, 401, 404)
@login_required
@blp.response(200, schemas.ArticleResponse)
@blp.doc(tags=["Favorites"])
def favorite_article(slug: str, current_user: SignedInUser) -> dict[str, Any]:
    """Favorite an article (idempotent)."""
    article = articles.favorite_article(get_session(), slug=slug, user_id=current_user.id)
    return {"article": article}


@blp.route("/articles/<slug>/favorite", methods=["DELETE"])
@documented_errors(blp, 401, 404)
@login_required
@blp.response(200, schemas.ArticleResponse)
@blp.doc(tags=["Favorites"])
def unfavorite_article(slug: str, current_user: SignedInUser) -> dict[str, Any]:
    """Unfavorite an article (idempotent)."""
    article = articles.unfavorite_article(get_session(), slug=slug, user_id=current_user.id)
    return {"article": article}
