"""Per-process caches of the app: the tag list (see shared.services.tags.TagListCache)."""

from fastapi import FastAPI
from fastapi import Request

from shared.services.tags import TagListCache
from shared.settings import Settings


def init_app(app: FastAPI, settings: Settings) -> None:
    app.state.tag_cache = TagListCache(settings.tags_cache_seconds)


def get_tag_cache(request: Request) -> TagListCache:
    """The app's tag list cache; path operations that change an article's tags clear it.

    A plain function rather than a dependency: resolving even a trivial dependency costs
    FastAPI about as much CPU as a cached `GET /api/tags` spends on everything of its own.
    """
    tag_cache: TagListCache = request.app.state.tag_cache
    return tag_cache
