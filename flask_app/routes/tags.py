"""Tags."""

from typing import Any

from flask_smorest import Blueprint

from flask_app import schemas
from flask_app.caches import get_read_caches
from flask_app.db import get_session
from flask_app.errors import documented_errors
from shared.services import tags

blp = Blueprint("tags", __name__, url_prefix="/api", description="Tags")


@blp.route("/tags", methods=["GET"])
@documented_errors(blp)
@blp.response(200, schemas.TagsResponse)
def list_tags() -> dict[str, Any]:
    """Every tag in use, sorted."""
    tag_cache = get_read_caches().tags
    tag_list = tag_cache.fresh()
    if tag_list is None:  # only then a session
        generation = tag_cache.generation()
        tag_list = tag_cache.store(tags.list_tags(get_session()), generation)
    return {"tags": tag_list}
