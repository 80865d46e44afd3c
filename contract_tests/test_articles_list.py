"""GET /api/articles and /api/articles/feed: shape (S5), order (S6), filters (S7), pagination and
query validation (R6, R7). Every list is scoped to data the test created (a fresh author, tag or
fan), so the tests also hold against a live server with other data."""

import re
import time
from typing import Any

import pytest

from contract_tests.support import ANOTHER_WORKER_CACHE_SECONDS
from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AUTH_REQUIRED = "authorization is required: send 'Authorization: Token <jwt>'"
LIMIT_MESSAGE = "limit must be an integer between 1 and 100"
OFFSET_MESSAGE = "offset must be an integer greater than or equal to 0"
ITEM_KEYS = {
    "slug",
    "title",
    "description",
    "tagList",
    "createdAt",
    "updatedAt",
    "favorited",
    "favoritesCount",
    "author",
}
EMPTY = {"articles": [], "articlesCount": 0}


def item(
    article: dict[str, Any],
    *,
    favorited: bool = False,
    favorites_count: int | None = None,
    following: bool = False,
) -> dict[str, Any]:
    """The list item expected for an article (as created), seen by some viewer."""
    result = {key: value for key, value in article.items() if key != "body"}
    result["favorited"] = favorited
    if favorites_count is not None:
        result["favoritesCount"] = favorites_count
    result["author"] = {**article["author"], "following": following}
    return result


def slugs_of(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [article["slug"] for article in response.json()["articles"]]


def write_articles(api: Api, author: Account, count: int, **kwargs: Any) -> list[dict[str, Any]]:
    """`count` articles by `author`, oldest first."""
    return [api.create_article(author, **kwargs) for _ in range(count)]


# Shape and order


def test_list_items_omit_body(api: Api) -> None:
    author = api.register()
    created = api.create_article(author, body="Not in lists", tags=["shape"])
    response = api.get("/api/articles", params={"author": author.username})
    assert response.status_code == 200
    assert response.json() == {"articles": [item(created)], "articlesCount": 1}
    listed = response.json()["articles"][0]
    assert set(listed) == ITEM_KEYS
    assert TIMESTAMP.match(listed["createdAt"])
    assert TIMESTAMP.match(listed["updatedAt"])


def test_list_is_newest_first(api: Api) -> None:
    author = api.register()
    created = write_articles(api, author, 3)
    response = api.get("/api/articles", params={"author": author.username})
    assert response.json() == {
        "articles": [item(article) for article in reversed(created)],
        "articlesCount": 3,
    }


# Pagination


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"limit": "1"}, [2]),
        ({"limit": "1", "offset": "1"}, [1]),
        ({"limit": "2", "offset": "2"}, [0]),
        ({"offset": "1"}, [1, 0]),
        ({"limit": "100"}, [2, 1, 0]),
        ({"limit": "001"}, [2]),
        ({"offset": "0"}, [2, 1, 0]),
        ({"offset": "3"}, []),
        ({"limit": "5", "offset": "50"}, []),
    ],
    ids=[
        "limit-1",
        "limit-1-offset-1",
        "last-page",
        "offset-only",
        "limit-100",
        "limit-leading-zeros",
        "offset-0",
        "offset-at-end",
        "offset-past-end",
    ],
)
def test_pagination_pages_and_total_count(
    api: Api, params: dict[str, str], expected: list[int]
) -> None:
    author = api.register()
    created = write_articles(api, author, 3)
    response = api.get("/api/articles", params={"author": author.username, **params})
    assert response.status_code == 200
    assert response.json() == {
        "articles": [item(created[index]) for index in expected],
        "articlesCount": 3,
    }


def test_default_limit_is_20(api: Api) -> None:
    author = api.register()
    created = write_articles(api, author, 21)
    first_page = api.get("/api/articles", params={"author": author.username})
    assert first_page.json() == {
        "articles": [item(article) for article in reversed(created[1:])],
        "articlesCount": 21,
    }
    second_page = api.get("/api/articles", params={"author": author.username, "offset": "20"})
    assert second_page.json() == {"articles": [item(created[0])], "articlesCount": 21}


FULLWIDTH_ONE = "\uff11"  # int() accepts it; R7 says ASCII digits only
BAD_LIMITS = [
    "0",
    "101",
    "-1",
    "1.5",
    "abc",
    "",
    "+1",
    " 1",
    "1 ",
    FULLWIDTH_ONE,
    "1e1",
    "999999999999999999999",
]
BAD_OFFSETS = ["-1", "1.5", "abc", "", "+1", " 1", "1 ", FULLWIDTH_ONE, "1e1", "0x1"]


@pytest.mark.parametrize("value", BAD_LIMITS, ids=[repr(value) for value in BAD_LIMITS])
def test_invalid_limit_is_422(api: Api, value: str) -> None:
    response = api.get("/api/articles", params={"limit": value})
    assert response.status_code == 422
    assert errors_of(response) == [LIMIT_MESSAGE]


@pytest.mark.parametrize("value", BAD_OFFSETS, ids=[repr(value) for value in BAD_OFFSETS])
def test_invalid_offset_is_422(api: Api, value: str) -> None:
    response = api.get("/api/articles", params={"offset": value})
    assert response.status_code == 422
    assert errors_of(response) == [OFFSET_MESSAGE]


@pytest.mark.parametrize(
    "params",
    [[("limit", "0"), ("offset", "-1")], [("offset", "x"), ("limit", "101")]],
    ids=["limit-first-in-url", "offset-first-in-url"],
)
def test_invalid_limit_and_offset_report_both_offset_first(
    api: Api, params: list[tuple[str, str]]
) -> None:
    response = api.get("/api/articles", params=params)
    assert response.status_code == 422
    assert errors_of(response) == [OFFSET_MESSAGE, LIMIT_MESSAGE]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"limit": "0"}, LIMIT_MESSAGE), ({"offset": "-1"}, OFFSET_MESSAGE)],
    ids=["limit", "offset"],
)
def test_feed_validates_limit_and_offset(api: Api, params: dict[str, str], message: str) -> None:
    reader = api.register()
    response = api.get("/api/articles/feed", user=reader, params=params)
    assert response.status_code == 422
    assert errors_of(response) == [message]


@pytest.mark.parametrize("name", ["limit", "offset", "tag", "author", "favorited"])
def test_repeated_query_parameter_is_422(api: Api, name: str) -> None:
    values = {"limit": ("1", "2"), "offset": ("0", "1")}.get(name, ("a", "b"))
    response = api.get("/api/articles", params=[(name, values[0]), (name, values[1])])
    assert response.status_code == 422
    assert errors_of(response) == [f"{name} must not be repeated"]


def test_repeated_query_parameter_with_equal_values_is_422(api: Api) -> None:
    response = api.get("/api/articles", params=[("limit", "1"), ("limit", "1")])
    assert response.status_code == 422
    assert errors_of(response) == ["limit must not be repeated"]


@pytest.mark.parametrize("name", ["limit", "offset"])
def test_repeated_query_parameter_on_the_feed_is_422(api: Api, name: str) -> None:
    reader = api.register()
    response = api.get("/api/articles/feed", user=reader, params=[(name, "1"), (name, "2")])
    assert response.status_code == 422
    assert errors_of(response) == [f"{name} must not be repeated"]


def test_unknown_query_parameters_are_ignored(api: Api) -> None:
    author = api.register()
    created = write_articles(api, author, 2)
    response = api.get(
        "/api/articles",
        params={"author": author.username, "sort": "title", "page": "x", "limit ": "0"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "articles": [item(article) for article in reversed(created)],
        "articlesCount": 2,
    }


def test_unknown_query_parameters_are_ignored_by_the_feed(api: Api) -> None:
    reader = api.register()
    response = api.get("/api/articles/feed", user=reader, params={"tag": "x", "foo": "bar"})
    assert response.status_code == 200
    assert response.json() == EMPTY


# Filters


def filter_world(api: Api) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Alice and Bob, tags T and O, four articles, Bob's favorites; names -> values, slugs."""
    alice = api.register()
    bob = api.register()
    names = {
        "alice": alice.username,
        "bob": bob.username,
        "T": unique_name("tag"),
        "O": unique_name("tag"),
    }
    articles = {
        "a1": api.create_article(alice, tags=[names["T"]]),
        "a2": api.create_article(alice, tags=[names["O"]]),
        "b1": api.create_article(bob, tags=[names["T"], names["O"]]),
        "b2": api.create_article(bob),
    }
    api.favorite(bob, articles["a1"]["slug"])
    api.favorite(bob, articles["b1"]["slug"])
    return names, articles


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tag": "T"}, ["b1", "a1"]),
        ({"tag": "O"}, ["b1", "a2"]),
        ({"author": "alice"}, ["a2", "a1"]),
        ({"author": "bob"}, ["b2", "b1"]),
        ({"favorited": "bob"}, ["b1", "a1"]),
        ({"tag": "T", "author": "alice"}, ["a1"]),
        ({"author": "alice", "favorited": "bob"}, ["a1"]),
        ({"tag": "O", "favorited": "bob"}, ["b1"]),
        ({"tag": "T", "author": "bob", "favorited": "bob"}, ["b1"]),
        ({"tag": "O", "author": "alice", "favorited": "bob"}, []),
        ({"favorited": "alice"}, []),
    ],
    ids=[
        "tag",
        "other-tag",
        "author",
        "other-author",
        "favorited",
        "tag-and-author",
        "author-and-favorited",
        "tag-and-favorited",
        "all-three",
        "all-three-no-match",
        "user-without-favorites",
    ],
)
def test_filters_combine_with_and(api: Api, filters: dict[str, str], expected: list[str]) -> None:
    names, articles = filter_world(api)
    response = api.get(
        "/api/articles", params={key: names[value] for key, value in filters.items()}
    )
    assert response.status_code == 200
    body = response.json()
    assert slugs_of(response) == [articles[name]["slug"] for name in expected]
    assert body["articlesCount"] == len(expected)


@pytest.mark.parametrize("name", ["tag", "author", "favorited"])
def test_unknown_filter_value_gives_an_empty_list(api: Api, name: str) -> None:
    response = api.get("/api/articles", params={name: unique_name("nobody")})
    assert response.status_code == 200
    assert response.json() == EMPTY


def test_unknown_filter_value_empties_an_otherwise_matching_list(api: Api) -> None:
    author = api.register()
    api.create_article(author)
    response = api.get(
        "/api/articles", params={"author": author.username, "tag": unique_name("nothing")}
    )
    assert response.json() == EMPTY


@pytest.mark.parametrize(
    "spelling",
    ["{name} dragons", " {upper}  Dragons ", "{upper}\tDRAGONS"],
    ids=["stored-form", "padded-mixed-case", "tab-upper-case"],
)
def test_tag_filter_is_normalised_like_tags(api: Api, spelling: str) -> None:
    author = api.register()
    prefix = unique_name("tag")
    created = api.create_article(author, tags=[f" {prefix.upper()} Dragons "])
    assert created["tagList"] == [f"{prefix} dragons"]
    tag = spelling.format(name=prefix, upper=prefix.upper())
    response = api.get("/api/articles", params={"tag": tag})
    assert response.status_code == 200
    assert response.json() == {"articles": [item(created)], "articlesCount": 1}


# Viewer-relative fields


def test_list_items_show_favorited_for_the_viewer(api: Api) -> None:
    author = api.register()
    fan = api.register()
    liked, other = write_articles(api, author, 2)
    api.favorite(fan, liked["slug"])
    params = {"author": author.username}

    as_fan = api.get("/api/articles", user=fan, params=params)
    assert as_fan.json()["articles"] == [
        item(other),
        item(liked, favorited=True, favorites_count=1),
    ]
    for viewer in (author, None):
        response = api.get("/api/articles", user=viewer, params=params)
        assert response.json()["articles"] == [item(other), item(liked, favorites_count=1)]


def test_list_items_show_author_following_for_the_viewer(api: Api) -> None:
    followed = api.register()
    stranger = api.register()
    reader = api.register()
    tag = unique_name("tag")
    by_followed = api.create_article(followed, tags=[tag])
    by_stranger = api.create_article(stranger, tags=[tag])
    api.follow(reader, followed.username)

    as_reader = api.get("/api/articles", user=reader, params={"tag": tag})
    assert as_reader.json() == {
        "articles": [item(by_stranger), item(by_followed, following=True)],
        "articlesCount": 2,
    }
    for viewer in (followed, None):
        response = api.get("/api/articles", user=viewer, params={"tag": tag})
        assert response.json() == {
            "articles": [item(by_stranger), item(by_followed)],
            "articlesCount": 2,
        }


# Feed


def test_feed_lists_only_followed_authors_newest_first(api: Api) -> None:
    alice = api.register()
    bob = api.register()
    carol = api.register()
    reader = api.register()
    api.follow(reader, alice.username)
    api.follow(reader, bob.username)
    a1 = api.create_article(alice)
    api.create_article(carol)
    b1 = api.create_article(bob)
    a2 = api.create_article(alice)
    api.create_article(reader)
    api.favorite(reader, b1["slug"])

    response = api.get("/api/articles/feed", user=reader)
    assert response.status_code == 200
    assert response.json() == {
        "articles": [
            item(a2, following=True),
            item(b1, following=True, favorited=True, favorites_count=1),
            item(a1, following=True),
        ],
        "articlesCount": 3,
    }
    assert all(set(article) == ITEM_KEYS for article in response.json()["articles"])


def test_feed_paginates_with_the_total_count(api: Api) -> None:
    author = api.register()
    reader = api.register()
    api.follow(reader, author.username)
    created = write_articles(api, author, 3)
    response = api.get("/api/articles/feed", user=reader, params={"limit": "1", "offset": "1"})
    assert response.json() == {"articles": [item(created[1], following=True)], "articlesCount": 3}
    past_end = api.get("/api/articles/feed", user=reader, params={"offset": "3"})
    assert past_end.json() == {"articles": [], "articlesCount": 3}


def test_feed_is_empty_for_a_user_who_follows_nobody(api: Api) -> None:
    reader = api.register()
    api.create_article(reader)
    response = api.get("/api/articles/feed", user=reader)
    assert response.status_code == 200
    assert response.json() == EMPTY


def test_feed_drops_authors_after_unfollow(api: Api) -> None:
    author = api.register()
    reader = api.register()
    api.follow(reader, author.username)
    api.create_article(author)
    assert api.get("/api/articles/feed", user=reader).json()["articlesCount"] == 1
    assert api.delete(f"/api/profiles/{author.username}/follow", user=reader).status_code == 200
    assert api.get("/api/articles/feed", user=reader).json() == EMPTY


def test_feed_requires_authentication(api: Api) -> None:
    response = api.get("/api/articles/feed")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [AUTH_REQUIRED]


def total_of_all(api: Api) -> int:
    response = api.get("/api/articles?limit=1")
    assert response.status_code == 200
    total: int = response.json()["articlesCount"]
    return total


def test_total_of_the_unfiltered_list_follows_writes_at_once(api: Api) -> None:
    """S12a: the worker that writes drops its cached count (the others within their cache time)."""
    author = api.register()
    before = total_of_all(api)
    article = api.create_article(author)
    assert total_of_all(api) == before + 1
    api.create_article(author)
    assert total_of_all(api) == before + 2
    assert api.delete(f"/api/articles/{article['slug']}", user=author).status_code == 204
    assert total_of_all(api) == before + 1


def test_total_from_another_worker_shows_once_its_cache_expires(
    api: Api, another_worker: Api
) -> None:
    author = api.register()
    api.create_article(author)
    assert total_of_all(another_worker) == 1  # worker 2 counts and caches
    cached_at = time.monotonic()

    api.create_article(author)  # through worker 1
    assert total_of_all(api) == 2
    stale = total_of_all(another_worker)
    assert time.monotonic() - cached_at < ANOTHER_WORKER_CACHE_SECONDS, "test too slow"
    assert stale == 1, "worker 2 should still use its cached count"
    # Filtered lists are never cached: worker 2 counts them afresh.
    by_author = another_worker.get(f"/api/articles?author={author.username}")
    assert by_author.json()["articlesCount"] == 2

    time.sleep(ANOTHER_WORKER_CACHE_SECONDS - (time.monotonic() - cached_at) + 0.05)
    assert total_of_all(another_worker) == 2
