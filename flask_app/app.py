"""Application factory: settings, database, error handlers, request guards, blueprints."""

from flask import Flask
from werkzeug.routing import IntegerConverter

from flask_app import caches
from flask_app import db
from flask_app import errors
from flask_app import guards
from flask_app.link_previews import LinkPreviewer
from flask_app.routes import articles
from flask_app.routes import comments
from flask_app.routes import links
from flask_app.routes import profiles
from flask_app.routes import tags
from flask_app.routes import users
from shared.http import MAX_BODY_BYTES
from shared.logs import configure_logging
from shared.settings import Settings
from shared.settings import get_settings


class AsciiIntegerConverter(IntegerConverter):
    """Werkzeug's `int` matches any Unicode digit (`\\d`); the contract, like Starlette, only
    ASCII ones."""

    regex = r"[0-9]+"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app; `settings` defaults to the environment."""
    settings = settings or get_settings()
    configure_logging(settings)
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        # The contract answers OPTIONS with 405 in both apps (FastAPI has no automatic OPTIONS).
        PROVIDE_AUTOMATIC_OPTIONS=False,
        API_TITLE="Conduit (Flask)",
        API_VERSION="1.1.0",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    )
    # Same JSON as FastAPI: keys in declared order, UTF-8 rather than \u escapes.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    # Routing as Starlette does it: `//` is not merged (and redirected), ids are ASCII digits.
    app.url_map.merge_slashes = False
    app.url_map.converters["int"] = AsciiIntegerConverter

    db.init_app(app, settings)
    caches.init_app(app, settings)
    api = errors.init_app(app)
    guards.init_app(app)
    app.extensions["link_previewer"] = LinkPreviewer(settings)
    for module in (users, profiles, articles, comments, tags, links):
        api.register_blueprint(module.blp)
    return app
