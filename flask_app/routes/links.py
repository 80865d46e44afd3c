"""Link previews: every URL in an article's body, fetched at once with the shared policy."""

from flask import current_app
from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.auth import login_optional
from flask_app.db import close_session
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.links.extract import extract_urls
from shared.links.model import LinksView
from shared.links.model import links_view
from shared.services import articles
from shared.views import SignedInUser

blp = Blueprint("links", __name__, url_prefix="/api", description="Links")


@blp.route("/articles/<slug>/links", methods=["GET"])
@documented_errors(blp, 401, 404)
@login_optional
@blp.response(200, schemas.LinksResponse)
def preview_links(slug: str, current_user: SignedInUser | None) -> LinksView:
    """Preview every http(s) link in the article (optional auth: a bad token is still 401)."""
    body = articles.get_article_body(get_session(), slug=slug)
    # Give the connection back before waiting on upstreams for up to the whole deadline.
    close_session()
    previews = current_app.extensions["link_previewer"].preview_all(extract_urls(body))
    return links_view(previews)
