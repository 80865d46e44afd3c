"""Per-process caches of the app: the tag list and the number of articles (shared.caching)."""

from flask import Flask
from flask import current_app

from shared.caching import ArticleCaches
from shared.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["read_caches"] = ArticleCaches.from_settings(settings)


def get_read_caches() -> ArticleCaches:
    """The app's caches; views that change an article clear them."""
    caches: ArticleCaches = current_app.extensions["read_caches"]
    return caches
