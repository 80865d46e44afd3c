"""When several things are wrong at once, both apps answer with the same one (CONTRACT.md)."""

from contract_tests.support import Api
from contract_tests.support import errors_of


def test_unknown_route_beats_everything(api: Api) -> None:
    response = api.post("/api/nowhere?limit=1&limit=2", content=b"{", headers={"X": "y"})
    assert response.status_code == 404


def test_wrong_method_beats_bad_body_and_missing_token(api: Api) -> None:
    response = api.request(
        "PATCH", "/api/user", content=b"{", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 405


def test_repeated_parameter_beats_missing_token(api: Api) -> None:
    response = api.get("/api/articles/feed?limit=1&limit=2")
    assert response.status_code == 422
    assert errors_of(response) == ["limit must not be repeated"]


def test_body_size_beats_content_type(api: Api) -> None:
    response = api.post(
        "/api/articles", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 413


def test_content_type_beats_empty_body(api: Api) -> None:
    response = api.post("/api/articles", content=b"", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_malformed_body_beats_missing_token(api: Api) -> None:
    response = api.post("/api/articles", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert errors_of(response) == ["request body is not valid JSON"]


def test_missing_token_beats_invalid_body_shape(api: Api) -> None:
    response = api.post("/api/articles", json={"article": {"title": 5}})
    assert response.status_code == 401


def test_bad_token_beats_invalid_query_on_optional_auth(api: Api) -> None:
    response = api.get("/api/articles?limit=0", headers={"Authorization": "Token nonsense"})
    assert response.status_code == 401


def test_missing_token_beats_unknown_slug(api: Api) -> None:
    response = api.delete("/api/articles/no-such-article")
    assert response.status_code == 401


def test_invalid_body_beats_unknown_slug(api: Api) -> None:
    user = api.register()
    response = api.put("/api/articles/no-such-article", user=user, json={"article": {"title": 5}})
    assert response.status_code == 422
    assert errors_of(response) == ["title must be a string"]


def test_blank_field_beats_unknown_slug(api: Api) -> None:
    user = api.register()
    response = api.put("/api/articles/no-such-article", user=user, json={"article": {"title": " "}})
    assert response.status_code == 422
    assert errors_of(response) == ["title can't be blank"]


def test_unknown_slug_beats_not_owner(api: Api) -> None:
    user = api.register()
    response = api.put(
        "/api/articles/no-such-article", user=user, json={"article": {"title": "New"}}
    )
    assert response.status_code == 404
    assert errors_of(response) == ["article not found"]


def test_invalid_body_beats_not_owner(api: Api) -> None:
    author, other = api.register(), api.register()
    article = api.create_article(author)
    response = api.put(
        f"/api/articles/{article['slug']}", user=other, json={"article": {"body": ""}}
    )
    assert response.status_code == 422
    assert errors_of(response) == ["body can't be blank"]


def test_not_owner_when_everything_else_is_right(api: Api) -> None:
    author, other = api.register(), api.register()
    article = api.create_article(author)
    response = api.put(
        f"/api/articles/{article['slug']}", user=other, json={"article": {"body": "Mine now"}}
    )
    assert response.status_code == 403
    assert errors_of(response) == ["only the author may change this article"]
    unchanged = api.get(f"/api/articles/{article['slug']}")
    assert unchanged.json()["article"]["body"] == article["body"]


def test_unknown_profile_beats_following_yourself_rule(api: Api) -> None:
    user = api.register()
    response = api.post("/api/profiles/nobody-at-all-here/follow", user=user)
    assert response.status_code == 404
    assert errors_of(response) == ["profile not found"]


def test_format_rules_beat_uniqueness(api: Api) -> None:
    existing = api.register()
    response = api.post(
        "/api/users",
        json={"user": {"username": existing.username, "email": existing.email, "password": "x"}},
    )
    assert response.status_code == 422
    assert errors_of(response) == ["password is too short (minimum is 8 characters)"]
