"""Per-process caches of the app: the tag list and the number of articles (shared.caching)."""

from fastapi import FastAPI
from fastapi import Request

from shared.caching import ArticleCaches
from shared.settings import Settings


def init_app(app: FastAPI, settings: Settings) -> None:
    app.state.read_caches = ArticleCaches.from_settings(settings)


def get_read_caches(request: Request) -> ArticleCaches:
    """The app's caches; path operations that change an article clear them.

    A plain function rather than a dependency: resolving even a trivial dependency costs
    FastAPI about as much CPU as a cached `GET /api/tags` spends on everything of its own.
    """
    caches: ArticleCaches = request.app.state.read_caches
    return caches
