"""Favorite and unfavorite (S9: idempotent), counts and flags per viewer, ?favorited=."""

from typing import Any

import pytest

from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

AUTH_REQUIRED = "authorization is required: send 'Authorization: Token <jwt>'"


def favorite_path(slug: str) -> str:
    return f"/api/articles/{slug}/favorite"


def test_favorite_returns_the_article_favorited_with_count_1(api: Api) -> None:
    author = api.register()
    fan = api.register()
    created = api.create_article(author, tags=["liked"])
    response = api.post(favorite_path(created["slug"]), user=fan)
    assert response.status_code == 200
    assert response.json() == {"article": {**created, "favorited": True, "favoritesCount": 1}}


def test_each_user_sees_their_own_favorited_flag(api: Api) -> None:
    author = api.register()
    first = api.register()
    second = api.register()
    created = api.create_article(author)
    slug = created["slug"]
    api.favorite(first, slug)

    response = api.post(favorite_path(slug), user=second)
    assert response.status_code == 200
    assert response.json()["article"] == {**created, "favorited": True, "favoritesCount": 2}

    for viewer, favorited in ((first, True), (second, True), (author, False), (None, False)):
        seen = api.get(f"/api/articles/{slug}", user=viewer).json()["article"]
        assert (seen["favorited"], seen["favoritesCount"]) == (favorited, 2)


def test_favoriting_twice_gives_the_same_answer(api: Api) -> None:
    author = api.register()
    fan = api.register()
    created = api.create_article(author)
    first = api.post(favorite_path(created["slug"]), user=fan)
    second = api.post(favorite_path(created["slug"]), user=fan)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.json()["article"]["favoritesCount"] == 1


def test_author_may_favorite_their_own_article(api: Api) -> None:
    author = api.register()
    created = api.create_article(author)
    response = api.post(favorite_path(created["slug"]), user=author)
    assert response.status_code == 200
    assert response.json() == {"article": {**created, "favorited": True, "favoritesCount": 1}}


def test_unfavorite_returns_the_article_unfavorited(api: Api) -> None:
    author = api.register()
    fan = api.register()
    created = api.create_article(author)
    api.favorite(fan, created["slug"])
    api.favorite(author, created["slug"])

    response = api.delete(favorite_path(created["slug"]), user=fan)
    assert response.status_code == 200
    assert response.json() == {"article": {**created, "favorited": False, "favoritesCount": 1}}
    listed = api.get("/api/articles", params={"favorited": fan.username})
    assert listed.json() == {"articles": [], "articlesCount": 0}


def test_unfavorite_when_not_favorited_is_200_and_idempotent(api: Api) -> None:
    author = api.register()
    fan = api.register()
    created = api.create_article(author)
    first = api.delete(favorite_path(created["slug"]), user=fan)
    second = api.delete(favorite_path(created["slug"]), user=fan)
    assert first.status_code == second.status_code == 200
    assert first.json() == {"article": created}
    assert second.json() == first.json()


@pytest.mark.parametrize("method", ["POST", "DELETE"], ids=["favorite", "unfavorite"])
def test_favorite_of_an_unknown_slug_is_404(api: Api, method: str) -> None:
    fan = api.register()
    response = api.request(method, favorite_path(unique_name("missing-")), user=fan)
    assert response.status_code == 404
    assert errors_of(response) == ["article not found"]


@pytest.mark.parametrize("method", ["POST", "DELETE"], ids=["favorite", "unfavorite"])
def test_favorite_requires_authentication(api: Api, method: str) -> None:
    author = api.register()
    created = api.create_article(author)
    api.favorite(author, created["slug"])
    response = api.request(method, favorite_path(created["slug"]))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [AUTH_REQUIRED]
    assert api.get(f"/api/articles/{created['slug']}").json()["article"]["favoritesCount"] == 1


def test_favorited_filter_lists_what_the_user_favorited(api: Api) -> None:
    author = api.register()
    fan = api.register()
    older, _, newer = (api.create_article(author) for _ in range(3))
    api.favorite(fan, older["slug"])
    api.favorite(fan, newer["slug"])

    response = api.get("/api/articles", user=fan, params={"favorited": fan.username})
    assert response.status_code == 200

    def listed(article: dict[str, Any]) -> dict[str, Any]:
        result = {key: value for key, value in article.items() if key != "body"}
        return {**result, "favorited": True, "favoritesCount": 1}

    assert response.json() == {"articles": [listed(newer), listed(older)], "articlesCount": 2}
