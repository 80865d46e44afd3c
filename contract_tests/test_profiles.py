"""Profiles, follow and unfollow (E6, S9, R3)."""

from typing import Any

import pytest

from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

MISSING_CREDENTIALS = "authorization is required: send 'Authorization: Token <jwt>'"


def profile_body(
    account: Account, *, following: bool, bio: str | None = None, image: str | None = None
) -> dict[str, Any]:
    return {
        "profile": {
            "username": account.username,
            "bio": bio,
            "image": image,
            "following": following,
        }
    }


def test_profile_anonymously_is_not_followed(api: Api) -> None:
    celebrity = api.register()
    response = api.get(f"/api/profiles/{celebrity.username}")
    assert response.status_code == 200
    assert response.json() == profile_body(celebrity, following=False)


def test_profile_shows_bio_and_image(api: Api) -> None:
    celebrity = api.register()
    api.put(
        "/api/user",
        user=celebrity,
        json={"user": {"bio": "Famous.", "image": "https://example.com/c.png"}},
    )
    response = api.get(f"/api/profiles/{celebrity.username}")
    assert response.status_code == 200
    assert response.json() == profile_body(
        celebrity, following=False, bio="Famous.", image="https://example.com/c.png"
    )


def test_profile_signed_in_says_whether_you_follow(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    before = api.get(f"/api/profiles/{celebrity.username}", user=fan)
    assert before.status_code == 200
    assert before.json() == profile_body(celebrity, following=False)
    api.follow(fan, celebrity.username)
    after = api.get(f"/api/profiles/{celebrity.username}", user=fan)
    assert after.status_code == 200
    assert after.json() == profile_body(celebrity, following=True)
    # Following is per viewer: anonymous and other users still see false.
    assert api.get(f"/api/profiles/{celebrity.username}").json() == profile_body(
        celebrity, following=False
    )
    stranger = api.register()
    assert api.get(f"/api/profiles/{celebrity.username}", user=stranger).json() == profile_body(
        celebrity, following=False
    )


def test_your_own_profile_is_not_followed(api: Api) -> None:
    account = api.register()
    response = api.get(f"/api/profiles/{account.username}", user=account)
    assert response.status_code == 200
    assert response.json() == profile_body(account, following=False)


@pytest.mark.parametrize(
    ("method", "suffix", "signed_in"),
    [
        ("GET", "", False),
        ("GET", "", True),
        ("POST", "/follow", True),
        ("DELETE", "/follow", True),
    ],
    ids=["get-anonymous", "get-signed-in", "follow", "unfollow"],
)
def test_unknown_profile_is_404(api: Api, method: str, suffix: str, signed_in: bool) -> None:
    viewer = api.register()
    response = api.request(
        method,
        f"/api/profiles/{unique_name('ghost')}{suffix}",
        user=viewer if signed_in else None,
    )
    assert response.status_code == 404
    assert errors_of(response) == ["profile not found"]


def test_follow_answers_the_profile_as_followed(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    response = api.post(f"/api/profiles/{celebrity.username}/follow", user=fan)
    assert response.status_code == 200
    assert response.json() == profile_body(celebrity, following=True)


def test_follow_twice_gives_the_same_answer(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    first = api.post(f"/api/profiles/{celebrity.username}/follow", user=fan)
    second = api.post(f"/api/profiles/{celebrity.username}/follow", user=fan)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == profile_body(celebrity, following=True)
    # Still one follow: a single unfollow ends it.
    api.delete(f"/api/profiles/{celebrity.username}/follow", user=fan)
    assert api.get(f"/api/profiles/{celebrity.username}", user=fan).json() == profile_body(
        celebrity, following=False
    )


def test_unfollow_answers_the_profile_as_not_followed(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    api.follow(fan, celebrity.username)
    response = api.delete(f"/api/profiles/{celebrity.username}/follow", user=fan)
    assert response.status_code == 200
    assert response.json() == profile_body(celebrity, following=False)
    assert api.get(f"/api/profiles/{celebrity.username}", user=fan).json() == profile_body(
        celebrity, following=False
    )


def test_unfollow_someone_you_do_not_follow_is_200_not_following(api: Api) -> None:
    celebrity = api.register()
    stranger = api.register()
    first = api.delete(f"/api/profiles/{celebrity.username}/follow", user=stranger)
    second = api.delete(f"/api/profiles/{celebrity.username}/follow", user=stranger)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == profile_body(celebrity, following=False)


def test_unfollow_leaves_other_followers_alone(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    other_fan = api.register()
    api.follow(fan, celebrity.username)
    api.follow(other_fan, celebrity.username)
    api.delete(f"/api/profiles/{celebrity.username}/follow", user=fan)
    assert api.get(f"/api/profiles/{celebrity.username}", user=other_fan).json() == profile_body(
        celebrity, following=True
    )


def test_following_is_one_way(api: Api) -> None:
    celebrity = api.register()
    fan = api.register()
    api.follow(fan, celebrity.username)
    assert api.get(f"/api/profiles/{fan.username}", user=celebrity).json() == profile_body(
        fan, following=False
    )


def test_follow_yourself_is_422(api: Api) -> None:
    account = api.register()
    response = api.post(f"/api/profiles/{account.username}/follow", user=account)
    assert response.status_code == 422
    assert errors_of(response) == ["you cannot follow yourself"]
    assert api.get(f"/api/profiles/{account.username}", user=account).json() == profile_body(
        account, following=False
    )


@pytest.mark.parametrize("method", ["POST", "DELETE"], ids=["follow", "unfollow"])
def test_follow_and_unfollow_require_a_token(api: Api, method: str) -> None:
    celebrity = api.register()
    response = api.request(method, f"/api/profiles/{celebrity.username}/follow")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [MISSING_CREDENTIALS]


def test_follow_ignores_a_json_request_body(api: Api) -> None:
    """The Postman collection sends the follower's email along; it means nothing."""
    celebrity = api.register()
    fan = api.register()
    response = api.post(
        f"/api/profiles/{celebrity.username}/follow",
        user=fan,
        json={"user": {"email": fan.email}},
    )
    assert response.status_code == 200
    assert response.json() == profile_body(celebrity, following=True)
