"""Registration, login and the current user (E4, E7, R9, S4, S10)."""

import time
from typing import Any

import pytest

from contract_tests.support import PASSWORD
from contract_tests.support import Account
from contract_tests.support import Api
from contract_tests.support import errors_of
from contract_tests.support import unique_name

INVALID_CREDENTIALS = "email or password is invalid"


def user_body(account: Account, *, token: str | None = None, **changes: Any) -> dict[str, Any]:
    """The `{"user": ...}` answer for an account, with optional overrides."""
    user = {
        "email": account.email,
        "token": token or account.token,
        "username": account.username,
        "bio": None,
        "image": None,
    }
    user.update(changes)
    return {"user": user}


def login(api: Api, email: str, password: str) -> Any:
    return api.post("/api/users/login", json={"user": {"email": email, "password": password}})


def assert_login_refused(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == [INVALID_CREDENTIALS]


# Register


def test_register_is_201_with_the_new_user_and_a_working_token(api: Api) -> None:
    username = unique_name("reg")
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": username,
                "email": f"{username}@example.com",
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 201
    body = response.json()
    token = body["user"]["token"]
    assert isinstance(token, str) and token
    assert body == {
        "user": {
            "email": f"{username}@example.com",
            "token": token,
            "username": username,
            "bio": None,
            "image": None,
        }
    }
    current = api.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert current.status_code == 200
    assert current.json() == body


def test_register_stores_the_email_lower_cased(api: Api) -> None:
    username = unique_name("Case")
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": username,
                "email": f"{username}@Example.COM",
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 201
    assert response.json()["user"]["email"] == f"{username.lower()}@example.com"
    assert response.json()["user"]["username"] == username


def test_register_with_a_taken_email_is_422(api: Api) -> None:
    existing = api.register()
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": unique_name("other"),
                "email": existing.email,
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 422
    assert errors_of(response) == ["email has already been taken"]


def test_register_with_a_taken_email_in_other_case_is_422(api: Api) -> None:
    existing = api.register()
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": unique_name("other"),
                "email": existing.email.upper(),
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 422
    assert errors_of(response) == ["email has already been taken"]


def test_register_with_a_taken_username_is_422(api: Api) -> None:
    existing = api.register()
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": existing.username,
                "email": f"{unique_name('other')}@example.com",
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 422
    assert errors_of(response) == ["username has already been taken"]


def test_register_with_taken_email_and_username_lists_both_email_first(api: Api) -> None:
    existing = api.register()
    response = api.post(
        "/api/users",
        json={
            "user": {
                "username": existing.username,
                "email": existing.email,
                "password": PASSWORD,
            }
        },
    )
    assert response.status_code == 422
    assert errors_of(response) == [
        "email has already been taken",
        "username has already been taken",
    ]


# Login


def test_login_is_200_with_the_user_and_a_token_that_works(api: Api) -> None:
    account = api.register()
    response = login(api, account.email, account.password)
    assert response.status_code == 200
    token = response.json()["user"]["token"]
    assert isinstance(token, str) and token
    assert response.json() == user_body(account, token=token)
    current = api.get("/api/user", headers={"Authorization": f"Token {token}"})
    assert current.status_code == 200
    assert current.json() == user_body(account, token=token)


def test_login_with_an_unknown_email_is_401(api: Api) -> None:
    response = login(api, f"{unique_name('nobody')}@example.com", PASSWORD)
    assert_login_refused(response)


def test_login_with_a_wrong_password_is_401_without_saying_which_field(api: Api) -> None:
    account = api.register()
    response = login(api, account.email, PASSWORD + "-wrong")
    assert_login_refused(response)


# The current user


def test_current_user_and_update_answer_with_the_token_the_request_used(api: Api) -> None:
    account = api.register()
    # Tokens carry their issue time in seconds: wait for a later second to get a distinct one.
    time.sleep(1.1)
    second_token = login(api, account.email, account.password).json()["user"]["token"]
    assert second_token != account.token
    for token in (account.token, second_token):
        current = api.get("/api/user", headers={"Authorization": f"Token {token}"})
        assert current.status_code == 200
        assert current.json() == user_body(account, token=token)
    for token in (account.token, second_token):
        updated = api.put(
            "/api/user", headers={"Authorization": f"Token {token}"}, json={"user": {"bio": token}}
        )
        assert updated.status_code == 200
        assert updated.json() == user_body(account, token=token, bio=token)


def test_current_user_requires_a_token(api: Api) -> None:
    response = api.get("/api/user")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response) == ["authorization is required: send 'Authorization: Token <jwt>'"]


# Update


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bio", "I write contract tests."),
        ("image", "https://example.com/me.png"),
    ],
)
def test_update_sets_bio_or_image_then_null_clears_it(api: Api, field: str, value: str) -> None:
    account = api.register()
    response = api.put("/api/user", user=account, json={"user": {field: value}})
    assert response.status_code == 200
    assert response.json() == user_body(account, **{field: value})
    assert api.get("/api/user", user=account).json() == user_body(account, **{field: value})
    profile = api.get(f"/api/profiles/{account.username}").json()["profile"]
    assert profile[field] == value

    cleared = api.put("/api/user", user=account, json={"user": {field: None}})
    assert cleared.status_code == 200
    assert cleared.json() == user_body(account)
    assert api.get("/api/user", user=account).json() == user_body(account)


def test_update_one_field_leaves_the_others_unchanged(api: Api) -> None:
    account = api.register()
    api.put("/api/user", user=account, json={"user": {"bio": "kept", "image": "https://x.io/a"}})
    response = api.put("/api/user", user=account, json={"user": {"image": "https://x.io/b"}})
    assert response.status_code == 200
    assert response.json() == user_body(account, bio="kept", image="https://x.io/b")


def test_update_email_is_stored_lower_cased_and_used_for_login(api: Api) -> None:
    account = api.register()
    new_email = f"{unique_name('New')}@Example.ORG"
    response = api.put("/api/user", user=account, json={"user": {"email": new_email}})
    assert response.status_code == 200
    assert response.json() == user_body(account, email=new_email.lower())
    assert login(api, new_email.lower(), account.password).status_code == 200
    assert_login_refused(login(api, account.email, account.password))


def test_update_username_renames_the_profile(api: Api) -> None:
    account = api.register()
    new_username = unique_name("renamed")
    response = api.put("/api/user", user=account, json={"user": {"username": new_username}})
    assert response.status_code == 200
    assert response.json() == user_body(account, username=new_username)
    assert api.get(f"/api/profiles/{new_username}").json() == {
        "profile": {"username": new_username, "bio": None, "image": None, "following": False}
    }
    old = api.get(f"/api/profiles/{account.username}")
    assert old.status_code == 404
    assert errors_of(old) == ["profile not found"]


def test_update_password_then_only_the_new_password_logs_in(api: Api) -> None:
    account = api.register()
    new_password = "a-brand-new-password"
    response = api.put("/api/user", user=account, json={"user": {"password": new_password}})
    assert response.status_code == 200
    assert response.json() == user_body(account)
    fresh = login(api, account.email, new_password)
    assert fresh.status_code == 200
    assert fresh.json()["user"]["username"] == account.username
    assert_login_refused(login(api, account.email, account.password))


def test_update_every_field_at_once(api: Api) -> None:
    account = api.register()
    username = unique_name("all")
    changes = {
        "email": f"{username}@example.net",
        "password": "another-password",
        "username": username,
        "bio": "bio",
        "image": "https://example.com/all.png",
    }
    response = api.put("/api/user", user=account, json={"user": changes})
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "email": changes["email"],
            "token": account.token,
            "username": username,
            "bio": "bio",
            "image": "https://example.com/all.png",
        }
    }
    assert login(api, changes["email"], "another-password").status_code == 200


@pytest.mark.parametrize("field", ["email", "username", "password"])
def test_update_required_field_to_null_is_422_cant_be_blank(api: Api, field: str) -> None:
    account = api.register()
    response = api.put("/api/user", user=account, json={"user": {field: None}})
    assert response.status_code == 422
    assert errors_of(response) == [f"{field} can't be blank"]
    assert api.get("/api/user", user=account).json() == user_body(account)
    assert login(api, account.email, account.password).status_code == 200


def test_update_with_no_field_is_422(api: Api) -> None:
    account = api.register()
    response = api.put("/api/user", user=account, json={"user": {}})
    assert response.status_code == 422
    assert errors_of(response) == ["user must contain at least one field"]


def test_update_to_another_users_email_is_422(api: Api) -> None:
    other = api.register()
    account = api.register()
    response = api.put("/api/user", user=account, json={"user": {"email": other.email.upper()}})
    assert response.status_code == 422
    assert errors_of(response) == ["email has already been taken"]
    assert api.get("/api/user", user=account).json() == user_body(account)


def test_update_to_another_users_username_is_422(api: Api) -> None:
    other = api.register()
    account = api.register()
    response = api.put("/api/user", user=account, json={"user": {"username": other.username}})
    assert response.status_code == 422
    assert errors_of(response) == ["username has already been taken"]
    assert api.get("/api/user", user=account).json() == user_body(account)


def test_update_to_another_users_email_and_username_lists_both_email_first(api: Api) -> None:
    other = api.register()
    account = api.register()
    response = api.put(
        "/api/user",
        user=account,
        json={"user": {"username": other.username, "email": other.email, "bio": "no"}},
    )
    assert response.status_code == 422
    assert errors_of(response) == [
        "email has already been taken",
        "username has already been taken",
    ]
    assert api.get("/api/user", user=account).json() == user_body(account)


def test_update_to_your_own_current_email_and_username_is_fine(api: Api) -> None:
    account = api.register()
    response = api.put(
        "/api/user",
        user=account,
        json={"user": {"email": account.email, "username": account.username, "bio": "me"}},
    )
    assert response.status_code == 200
    assert response.json() == user_body(account, bio="me")
