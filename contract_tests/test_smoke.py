"""Registration round trip: the smallest proof both apps are wired to the domain."""

from contract_tests.support import Api
from contract_tests.support import errors_of


def test_register_then_read_current_user(api: Api) -> None:
    account = api.register()
    response = api.get("/api/user", user=account)
    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "username": account.username,
            "email": account.email,
            "bio": None,
            "image": None,
            "token": account.token,
        }
    }


def test_unknown_route_is_404_envelope(api: Api) -> None:
    response = api.get("/api/nowhere")
    assert response.status_code == 404
    assert errors_of(response) == ["not found"]
