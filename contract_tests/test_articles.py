"""Single articles: create, read, update, delete; slugs (S8), tags (S3), timestamps (S2)."""

import re
import time
from typing import Any

import pytest

from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
AUTH_REQUIRED = "authorization is required: send 'Authorization: Token <jwt>'"
ARTICLE_NOT_FOUND = "article not found"
NOT_THE_AUTHOR = "only the author may change this article"


def profile(account: Account, *, following: bool = False) -> dict[str, Any]:
    return {"username": account.username, "bio": None, "image": None, "following": following}


def without_timestamps(article: dict[str, Any]) -> dict[str, Any]:
    """The article minus createdAt/updatedAt, after checking both are contract timestamps."""
    assert TIMESTAMP.match(article["createdAt"]), article["createdAt"]
    assert TIMESTAMP.match(article["updatedAt"]), article["updatedAt"]
    return {key: value for key, value in article.items() if key not in {"createdAt", "updatedAt"}}


def first_free_slug(api: Api, base: str) -> str:
    """The slug the next article titled like `base` should get: `base`, `base-2`, ..."""
    for candidate in [base, *(f"{base}-{number}" for number in range(2, 500))]:
        if api.get(f"/api/articles/{candidate}").status_code == 404:
            return candidate
    raise AssertionError(f"no free slug for {base!r}")


def assert_unauthorized(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [AUTH_REQUIRED]


# Create


def test_create_article_returns_201_with_the_full_article(api: Api) -> None:
    author = api.register()
    title = unique_name("Create ")
    response = api.post(
        "/api/articles",
        user=author,
        json={
            "article": {
                "title": title,
                "description": "What it is about",
                "body": "The whole text",
                "tagList": ["python", "flask"],
            }
        },
    )
    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith("application/json")
    article = response.json()["article"]
    assert set(response.json()) == {"article"}
    assert without_timestamps(article) == {
        "slug": title.lower().replace(" ", "-"),
        "title": title,
        "description": "What it is about",
        "body": "The whole text",
        "tagList": ["flask", "python"],
        "favorited": False,
        "favoritesCount": 0,
        "author": profile(author),
    }
    assert article["createdAt"] == article["updatedAt"]


def test_created_article_is_readable_at_its_slug(api: Api) -> None:
    author = api.register()
    created = api.create_article(author, tags=["reading"])
    response = api.get(f"/api/articles/{created['slug']}")
    assert response.status_code == 200
    assert response.json() == {"article": created}


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ([" Dragons ", "dragons", "", "training  camp"], ["dragons", "training camp"]),
        (["b", "A", "c", "a"], ["a", "b", "c"]),
        (["  Mixed\tCase \n Tag  "], ["mixed case tag"]),
        (["", "   "], []),
        ([], []),
    ],
    ids=["trim-dedupe-collapse", "sort-lowercase", "all-whitespace-kinds", "only-blank", "empty"],
)
def test_create_article_normalises_and_sorts_tags(
    api: Api, tags: list[str], expected: list[str]
) -> None:
    author = api.register()
    article = api.create_article(author, tags=tags)
    assert article["tagList"] == expected
    assert api.get(f"/api/articles/{article['slug']}").json()["article"]["tagList"] == expected


def test_create_article_without_tag_list_has_no_tags(api: Api) -> None:
    author = api.register()
    article = api.create_article(author)
    assert article["tagList"] == []


# Slugs (S8)


@pytest.mark.parametrize(
    ("title_tail", "slug_tail"),
    [
        ("How to Train Your Dragon!", "how-to-train-your-dragon"),
        ("Ünïcödé Café", "unicode-cafe"),
        ("C'est déjà l'été", "c-est-deja-l-ete"),
        ("  Spaces   and---dashes  ", "spaces-and-dashes"),
        ("Ends with symbols ?!", "ends-with-symbols"),
        ("日本語 title", "title"),
    ],
    ids=["punctuation", "accents", "apostrophes", "runs-of-separators", "trailing", "non-latin"],
)
def test_slug_is_derived_from_the_title(api: Api, title_tail: str, slug_tail: str) -> None:
    author = api.register()
    prefix = unique_name("T")
    article = api.create_article(author, title=f"{prefix} {title_tail}")
    assert article["slug"] == f"{prefix.lower()}-{slug_tail}"
    assert article["title"] == f"{prefix} {title_tail}"


def test_slug_of_a_title_with_letters_outside_ascii_is_ascii(api: Api) -> None:
    author = api.register()
    prefix = unique_name("T")
    article = api.create_article(author, title=f"{prefix} Ünïcödé Straße")
    assert SLUG.match(article["slug"]), article["slug"]
    assert article["slug"].startswith(f"{prefix.lower()}-unicode-stra")


@pytest.mark.parametrize("title", ["!!! ??? ***", "日本語"], ids=["symbols", "no-ascii-letters"])
def test_title_without_ascii_letters_or_digits_gets_slug_article(api: Api, title: str) -> None:
    author = api.register()
    expected = first_free_slug(api, "article")
    article = api.create_article(author, title=title)
    assert article["slug"] == expected
    assert article["title"] == title


def test_same_title_again_gets_a_numbered_slug(api: Api) -> None:
    author = api.register()
    title = unique_name("Twice ")
    base = title.lower().replace(" ", "-")
    slugs = [api.create_article(author, title=title)["slug"] for _ in range(3)]
    assert slugs == [base, f"{base}-2", f"{base}-3"]
    for slug in slugs:
        assert api.get(f"/api/articles/{slug}").json()["article"]["title"] == title


# Read


def test_get_article_anonymously(api: Api) -> None:
    author = api.register()
    created = api.create_article(author, description="d", body="b", tags=["anon"])
    response = api.get(f"/api/articles/{created['slug']}")
    assert response.status_code == 200
    assert response.json() == {
        "article": {
            "slug": created["slug"],
            "title": created["title"],
            "description": "d",
            "body": "b",
            "tagList": ["anon"],
            "createdAt": created["createdAt"],
            "updatedAt": created["updatedAt"],
            "favorited": False,
            "favoritesCount": 0,
            "author": profile(author),
        }
    }


def test_get_article_reflects_the_viewers_favorite_and_follow(api: Api) -> None:
    author = api.register()
    reader = api.register()
    created = api.create_article(author)
    slug = created["slug"]
    api.favorite(reader, slug)
    api.follow(reader, author.username)

    as_reader = api.get(f"/api/articles/{slug}", user=reader)
    assert as_reader.status_code == 200
    assert as_reader.json()["article"] == {
        **created,
        "favorited": True,
        "favoritesCount": 1,
        "author": profile(author, following=True),
    }

    as_author = api.get(f"/api/articles/{slug}", user=author)
    assert as_author.json()["article"] == {**created, "favorited": False, "favoritesCount": 1}

    anonymous = api.get(f"/api/articles/{slug}")
    assert anonymous.json()["article"] == {**created, "favorited": False, "favoritesCount": 1}


def test_get_unknown_slug_is_404(api: Api) -> None:
    response = api.get(f"/api/articles/{unique_name('missing-')}")
    assert response.status_code == 404
    assert errors_of(response) == [ARTICLE_NOT_FOUND]


# Update


@pytest.mark.parametrize("field", ["description", "body"])
def test_update_one_field_changes_only_that_field(api: Api, field: str) -> None:
    author = api.register()
    created = api.create_article(author, tags=["kept"])
    response = api.put(
        f"/api/articles/{created['slug']}",
        user=author,
        json={"article": {field: "Changed text"}},
    )
    assert response.status_code == 200
    updated = response.json()["article"]
    assert without_timestamps(updated) == {
        **without_timestamps(created),
        field: "Changed text",
    }
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": updated}


def test_update_title_changes_the_slug_and_frees_the_old_one(api: Api) -> None:
    author = api.register()
    prefix = unique_name("T")
    created = api.create_article(author, title=f"{prefix} Before")
    response = api.put(
        f"/api/articles/{created['slug']}",
        user=author,
        json={"article": {"title": f"{prefix} After the Change!"}},
    )
    assert response.status_code == 200
    updated = response.json()["article"]
    assert without_timestamps(updated) == {
        **without_timestamps(created),
        "title": f"{prefix} After the Change!",
        "slug": f"{prefix.lower()}-after-the-change",
    }

    old = api.get(f"/api/articles/{created['slug']}")
    assert old.status_code == 404
    assert errors_of(old) == [ARTICLE_NOT_FOUND]
    assert api.get(f"/api/articles/{updated['slug']}").json() == {"article": updated}


def test_update_title_to_a_taken_slug_gets_a_numbered_slug(api: Api) -> None:
    author = api.register()
    taken = api.create_article(author)
    other = api.create_article(author)
    response = api.put(
        f"/api/articles/{other['slug']}",
        user=author,
        json={"article": {"title": taken["title"]}},
    )
    assert response.status_code == 200
    assert response.json()["article"]["slug"] == f"{taken['slug']}-2"
    assert api.get(f"/api/articles/{taken['slug']}").json()["article"]["slug"] == taken["slug"]


def test_update_changes_updated_at_but_not_created_at(api: Api) -> None:
    author = api.register()
    created = api.create_article(author)
    time.sleep(0.01)
    response = api.put(
        f"/api/articles/{created['slug']}", user=author, json={"article": {"body": "Later"}}
    )
    updated = response.json()["article"]
    assert TIMESTAMP.match(updated["updatedAt"])
    assert updated["createdAt"] == created["createdAt"]
    assert updated["updatedAt"] > created["updatedAt"]


def test_update_tag_list_replaces_the_tags(api: Api) -> None:
    author = api.register()
    created = api.create_article(author, tags=["alpha", "beta"])
    slug = created["slug"]

    replaced = api.put(
        f"/api/articles/{slug}", user=author, json={"article": {"tagList": [" Gamma ", "alpha"]}}
    )
    assert replaced.status_code == 200
    assert replaced.json()["article"]["tagList"] == ["alpha", "gamma"]
    assert api.get(f"/api/articles/{slug}").json()["article"]["tagList"] == ["alpha", "gamma"]

    cleared = api.put(f"/api/articles/{slug}", user=author, json={"article": {"tagList": []}})
    assert cleared.status_code == 200
    assert cleared.json()["article"]["tagList"] == []


def test_update_without_tag_list_keeps_the_tags(api: Api) -> None:
    author = api.register()
    created = api.create_article(author, tags=["kept", "also-kept"])
    response = api.put(
        f"/api/articles/{created['slug']}", user=author, json={"article": {"body": "New"}}
    )
    assert response.json()["article"]["tagList"] == ["also-kept", "kept"]


@pytest.mark.parametrize(
    "article",
    [{}, {"slug": "hijacked"}, {"favoritesCount": 5, "author": {"username": "x"}}],
    ids=["empty", "only-slug", "only-unknown-fields"],
)
def test_update_without_any_field_is_422(api: Api, article: dict[str, Any]) -> None:
    author = api.register()
    created = api.create_article(author)
    response = api.put(f"/api/articles/{created['slug']}", user=author, json={"article": article})
    assert response.status_code == 422
    assert errors_of(response) == ["article must contain at least one field"]
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": created}


@pytest.mark.parametrize("field", ["title", "description", "body"])
@pytest.mark.parametrize("value", [None, "", "   "], ids=["null", "empty", "whitespace"])
def test_update_with_a_blank_field_is_422(api: Api, field: str, value: str | None) -> None:
    author = api.register()
    created = api.create_article(author)
    response = api.put(
        f"/api/articles/{created['slug']}", user=author, json={"article": {field: value}}
    )
    assert response.status_code == 422
    assert errors_of(response) == [f"{field} can't be blank"]
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": created}


# Ownership and lookup


def test_update_by_someone_else_is_403(api: Api) -> None:
    author = api.register()
    intruder = api.register()
    created = api.create_article(author)
    response = api.put(
        f"/api/articles/{created['slug']}",
        user=intruder,
        json={"article": {"title": "Taken over"}},
    )
    assert response.status_code == 403
    assert errors_of(response) == [NOT_THE_AUTHOR]
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": created}


def test_delete_by_someone_else_is_403(api: Api) -> None:
    author = api.register()
    intruder = api.register()
    created = api.create_article(author)
    response = api.delete(f"/api/articles/{created['slug']}", user=intruder)
    assert response.status_code == 403
    assert errors_of(response) == [NOT_THE_AUTHOR]
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": created}


@pytest.mark.parametrize(
    ("method", "json"),
    [("PUT", {"article": {"body": "Anything"}}), ("DELETE", None)],
    ids=["update", "delete"],
)
def test_update_or_delete_of_an_unknown_slug_is_404(
    api: Api, method: str, json: dict[str, Any] | None
) -> None:
    user = api.register()
    response = api.request(method, f"/api/articles/{unique_name('missing-')}", user=user, json=json)
    assert response.status_code == 404
    assert errors_of(response) == [ARTICLE_NOT_FOUND]


# Delete


def test_delete_article_is_204_without_body_then_it_is_gone(api: Api) -> None:
    author = api.register()
    created = api.create_article(author)
    response = api.delete(f"/api/articles/{created['slug']}", user=author)
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response.headers

    gone = api.get(f"/api/articles/{created['slug']}")
    assert gone.status_code == 404
    assert errors_of(gone) == [ARTICLE_NOT_FOUND]
    again = api.delete(f"/api/articles/{created['slug']}", user=author)
    assert again.status_code == 404
    assert errors_of(again) == [ARTICLE_NOT_FOUND]


def test_delete_article_deletes_its_comments(api: Api) -> None:
    author = api.register()
    created = api.create_article(author)
    slug = created["slug"]
    api.add_comment(author, slug, "First")
    api.add_comment(author, slug, "Second")

    assert api.delete(f"/api/articles/{slug}", user=author).status_code == 204
    comments = api.get(f"/api/articles/{slug}/comments")
    assert comments.status_code == 404
    assert errors_of(comments) == [ARTICLE_NOT_FOUND]

    # The freed slug is reused by a new article with the same title, without the old comments.
    reborn = api.create_article(author, title=created["title"])
    assert reborn["slug"] == slug
    assert api.get(f"/api/articles/{slug}/comments").json() == {"comments": []}


def test_delete_article_removes_it_from_favorited_lists(api: Api) -> None:
    author = api.register()
    fan = api.register()
    kept = api.create_article(author)
    deleted = api.create_article(author)
    api.favorite(fan, kept["slug"])
    api.favorite(fan, deleted["slug"])

    assert api.delete(f"/api/articles/{deleted['slug']}", user=author).status_code == 204
    response = api.get("/api/articles", params={"favorited": fan.username})
    assert response.status_code == 200
    body = response.json()
    assert [article["slug"] for article in body["articles"]] == [kept["slug"]]
    assert body["articlesCount"] == 1


# Authentication


@pytest.mark.parametrize(
    ("method", "path", "json"),
    [
        ("POST", "/api/articles", {"article": {"title": "t", "description": "d", "body": "b"}}),
        ("PUT", "/api/articles/{slug}", {"article": {"body": "Changed"}}),
        ("DELETE", "/api/articles/{slug}", None),
    ],
    ids=["create", "update", "delete"],
)
def test_writing_articles_requires_authentication(
    api: Api, method: str, path: str, json: dict[str, Any] | None
) -> None:
    author = api.register()
    created = api.create_article(author)
    response = api.request(method, path.format(slug=created["slug"]), json=json)
    assert_unauthorized(response)
    assert api.get(f"/api/articles/{created['slug']}").json() == {"article": created}
    listed = api.get("/api/articles", params={"author": author.username}).json()
    assert listed["articlesCount"] == 1
