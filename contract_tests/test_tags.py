"""GET /api/tags (S12): tags in use by at least one article, normalised (S3), sorted, no auth.
Each worker process caches the list (S12a): its own writes show at once, other workers' within
READ_CACHE_SECONDS.

Against a live server the list holds other tags too: the tests check their own (unique) tags
and that the whole list is sorted and free of duplicates."""

import time
from typing import Any

from contract_tests.support import ANOTHER_WORKER_CACHE_SECONDS
from contract_tests.support import Api
from contract_tests.support import unique_name


def tags_in_use(api: Api) -> list[str]:
    response = api.get("/api/tags")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert set(body) == {"tags"}
    tags = body["tags"]
    assert all(isinstance(tag, str) for tag in tags), tags
    assert tags == sorted(set(tags)), "tags must be sorted and unique"
    return list(tags)


def test_tags_in_use_are_listed_sorted_and_normalised(api: Api) -> None:
    author = api.register()
    prefix = unique_name("tag")
    upper = prefix.upper()
    api.create_article(author, tags=[f" {upper}B ", f"{prefix}a", f"{upper}A", f"{prefix}c   d"])
    api.create_article(author, tags=[f"{prefix}a", f"{prefix}-e", f"{prefix} d"])
    mine = [tag for tag in tags_in_use(api) if tag.startswith(prefix)]
    assert mine == [f"{prefix} d", f"{prefix}-e", f"{prefix}a", f"{prefix}b", f"{prefix}c d"]


def test_tags_are_listed_without_authentication(api: Api) -> None:
    author = api.register()
    tag = unique_name("tag")
    api.create_article(author, tags=[tag])
    response = api.get("/api/tags")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert tag in tags_in_use(api)


def test_tag_only_on_a_deleted_article_disappears(api: Api) -> None:
    author = api.register()
    only_here = unique_name("tag")
    shared = unique_name("tag")
    doomed = api.create_article(author, tags=[only_here, shared])
    api.create_article(author, tags=[shared])
    assert {only_here, shared} <= set(tags_in_use(api))

    assert api.delete(f"/api/articles/{doomed['slug']}", user=author).status_code == 204
    tags = tags_in_use(api)
    assert only_here not in tags
    assert shared in tags


def test_tag_removed_from_its_only_article_disappears(api: Api) -> None:
    author = api.register()
    dropped = unique_name("tag")
    kept = unique_name("tag")
    article = api.create_article(author, tags=[dropped, kept])
    response = api.put(
        f"/api/articles/{article['slug']}", user=author, json={"article": {"tagList": [kept]}}
    )
    assert response.status_code == 200
    tags = tags_in_use(api)
    assert dropped not in tags
    assert kept in tags


def test_tag_used_by_several_articles_is_listed_once(api: Api) -> None:
    author = api.register()
    tag = unique_name("tag")
    api.create_article(author, tags=[tag])
    api.create_article(author, tags=[tag.upper()])
    api.create_article(author, tags=[f" {tag} "])
    assert tags_in_use(api).count(tag) == 1


def test_a_write_through_another_worker_shows_once_its_cache_expires(
    api: Api, another_worker: Api
) -> None:
    author = api.register()
    first = unique_name("tag")
    api.create_article(author, tags=[first])
    assert first in tags_in_use(another_worker)  # worker 2 reads and caches the list
    cached_at = time.monotonic()

    second = unique_name("tag")
    api.create_article(author, tags=[second])  # through worker 1, which drops its own cache
    assert second in tags_in_use(api)
    stale = tags_in_use(another_worker)
    assert time.monotonic() - cached_at < ANOTHER_WORKER_CACHE_SECONDS, "test too slow"
    assert first in stale and second not in stale, "worker 2 should still serve its cached list"

    time.sleep(ANOTHER_WORKER_CACHE_SECONDS - (time.monotonic() - cached_at) + 0.05)
    assert second in tags_in_use(another_worker)
