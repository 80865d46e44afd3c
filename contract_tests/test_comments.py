"""Comments: add (200), list newest first (S6), delete own only (S11), lookups (E6), validation."""

import re
from typing import Any

import pytest

from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
AUTH_REQUIRED = "authorization is required: send 'Authorization: Token <jwt>'"
COMMENT_NOT_FOUND = "comment not found"
NOT_THE_COMMENTER = "only the author may delete this comment"


def profile(account: Account, *, following: bool = False) -> dict[str, Any]:
    return {"username": account.username, "bio": None, "image": None, "following": following}


def comments_path(slug: str) -> str:
    return f"/api/articles/{slug}/comments"


def listed(api: Api, slug: str, viewer: Account | None = None) -> list[dict[str, Any]]:
    response = api.get(comments_path(slug), user=viewer)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"comments"}
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


def test_add_comment_returns_200_with_the_full_comment(api: Api) -> None:
    author = api.register()
    commenter = api.register()
    article = api.create_article(author)
    response = api.post(
        comments_path(article["slug"]), user=commenter, json={"comment": {"body": "Nice one"}}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"comment"}
    comment = response.json()["comment"]
    assert type(comment["id"]) is int
    assert TIMESTAMP.match(comment["createdAt"]), comment["createdAt"]
    assert comment["updatedAt"] == comment["createdAt"]
    assert comment == {
        "id": comment["id"],
        "createdAt": comment["createdAt"],
        "updatedAt": comment["updatedAt"],
        "body": "Nice one",
        "author": profile(commenter),
    }


def test_comments_are_listed_newest_first(api: Api) -> None:
    author = api.register()
    commenter = api.register()
    article = api.create_article(author)
    added = [
        api.add_comment(commenter, article["slug"], "First"),
        api.add_comment(author, article["slug"], "Second"),
        api.add_comment(commenter, article["slug"], "Third"),
    ]
    assert len({comment["id"] for comment in added}) == 3
    assert listed(api, article["slug"]) == list(reversed(added))


def test_article_without_comments_lists_none(api: Api) -> None:
    author = api.register()
    article = api.create_article(author)
    assert listed(api, article["slug"]) == []


def test_comment_authors_show_following_for_the_viewer(api: Api) -> None:
    author = api.register()
    commenter = api.register()
    reader = api.register()
    article = api.create_article(author)
    by_commenter = api.add_comment(commenter, article["slug"], "From the commenter")
    by_author = api.add_comment(author, article["slug"], "From the author")
    api.follow(reader, commenter.username)

    assert listed(api, article["slug"], reader) == [
        by_author,
        {**by_commenter, "author": profile(commenter, following=True)},
    ]
    assert listed(api, article["slug"], author) == [by_author, by_commenter]
    assert listed(api, article["slug"]) == [by_author, by_commenter]


@pytest.mark.parametrize(
    ("method", "suffix", "json"),
    [
        ("GET", "", None),
        ("POST", "", {"comment": {"body": "Hello"}}),
        ("DELETE", "/1", None),
    ],
    ids=["list", "add", "delete"],
)
def test_comments_on_an_unknown_slug_are_404(
    api: Api, method: str, suffix: str, json: dict[str, Any] | None
) -> None:
    user = api.register()
    path = comments_path(unique_name("missing-")) + suffix
    response = api.request(method, path, user=user, json=json)
    assert response.status_code == 404
    assert errors_of(response) == ["article not found"]


def test_delete_own_comment_is_204_without_body_then_it_is_gone(api: Api) -> None:
    author = api.register()
    commenter = api.register()
    article = api.create_article(author)
    kept = api.add_comment(author, article["slug"], "Kept")
    doomed = api.add_comment(commenter, article["slug"], "Doomed")

    response = api.delete(f"{comments_path(article['slug'])}/{doomed['id']}", user=commenter)
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response.headers
    assert listed(api, article["slug"]) == [kept]


@pytest.mark.parametrize("deleter", ["article_author", "stranger"])
def test_deleting_someone_elses_comment_is_403(api: Api, deleter: str) -> None:
    author = api.register()
    commenter = api.register()
    article = api.create_article(author)
    comment = api.add_comment(commenter, article["slug"], "Mine")
    user = author if deleter == "article_author" else api.register()

    response = api.delete(f"{comments_path(article['slug'])}/{comment['id']}", user=user)
    assert response.status_code == 403
    assert errors_of(response) == [NOT_THE_COMMENTER]
    assert listed(api, article["slug"]) == [comment]


def test_deleting_an_unknown_comment_is_404(api: Api) -> None:
    author = api.register()
    article = api.create_article(author)
    comment = api.add_comment(author, article["slug"])
    path = f"{comments_path(article['slug'])}/{comment['id']}"
    assert api.delete(path, user=author).status_code == 204

    response = api.delete(path, user=author)
    assert response.status_code == 404
    assert errors_of(response) == [COMMENT_NOT_FOUND]


def test_deleting_a_comment_through_another_articles_slug_is_404(api: Api) -> None:
    author = api.register()
    commented = api.create_article(author)
    other = api.create_article(author)
    comment = api.add_comment(author, commented["slug"])

    response = api.delete(f"{comments_path(other['slug'])}/{comment['id']}", user=author)
    assert response.status_code == 404
    assert errors_of(response) == [COMMENT_NOT_FOUND]
    assert listed(api, commented["slug"]) == [comment]


@pytest.mark.parametrize("comment_id", ["abc", "1.5", "-1", "1abc"])
def test_non_numeric_comment_id_is_an_unknown_route(api: Api, comment_id: str) -> None:
    author = api.register()
    article = api.create_article(author)
    response = api.delete(f"{comments_path(article['slug'])}/{comment_id}", user=author)
    assert response.status_code == 404
    assert errors_of(response) == ["not found"]


@pytest.mark.parametrize("comment_id", ["99999999999999999999", "9223372036854775808", "0"])
def test_comment_id_beyond_any_comment_is_404(api: Api, comment_id: str) -> None:
    author = api.register()
    article = api.create_article(author)
    response = api.delete(f"{comments_path(article['slug'])}/{comment_id}", user=author)
    assert response.status_code == 404
    assert errors_of(response) == [COMMENT_NOT_FOUND]


@pytest.mark.parametrize(
    "comment",
    [{"body": ""}, {"body": "   \n\t"}, {"body": None}, {}],
    ids=["empty", "whitespace", "null", "missing"],
)
def test_blank_comment_body_is_422(api: Api, comment: dict[str, Any]) -> None:
    author = api.register()
    article = api.create_article(author)
    response = api.post(comments_path(article["slug"]), user=author, json={"comment": comment})
    assert response.status_code == 422
    assert errors_of(response) == ["body can't be blank"]
    assert listed(api, article["slug"]) == []


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", "/api/articles/{slug}/comments", {"comment": {"body": "Anonymous"}}),
        ("DELETE", "/api/articles/{slug}/comments/{id}", None),
    ],
    ids=["add", "delete"],
)
def test_writing_comments_requires_authentication(
    api: Api, method: str, path: str, json: dict[str, Any] | None
) -> None:
    author = api.register()
    article = api.create_article(author)
    comment = api.add_comment(author, article["slug"])
    response = api.request(method, path.format(slug=article["slug"], id=comment["id"]), json=json)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [AUTH_REQUIRED]
    assert listed(api, article["slug"]) == [comment]
