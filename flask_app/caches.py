"""Per-process caches of the app: the tag list (see shared.services.tags.TagListCache)."""

from flask import Flask
from flask import current_app

from shared.services.tags import TagListCache
from shared.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["tag_cache"] = TagListCache(settings.tags_cache_seconds)


def get_tag_cache() -> TagListCache:
    """The app's tag list cache; views that change an article's tags clear it."""
    tag_cache: TagListCache = current_app.extensions["tag_cache"]
    return tag_cache
