"""The client every contract test uses, whichever app (or live server) is behind it."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy import event

PASSWORD = "correct-horse-battery"


@dataclass(frozen=True)
class Account:
    """A registered user as the tests know it."""

    username: str
    email: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


class StatementCounter:
    """Counts SQL statements the app sends while active."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_args: Any, **_kwargs: Any) -> None:
        self.count += 1


def unique_name(prefix: str = "user") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# How long the second instance of the `another_worker` fixture caches (shared.caching).
ANOTHER_WORKER_CACHE_SECONDS = 2.0


class Api:
    """httpx.Client-like calls plus helpers that build state through the API itself."""

    def __init__(self, name: str, client: httpx.Client, engines: tuple[Engine, ...] = ()) -> None:
        self.name = name
        self.client = client
        self.engines = engines  # the in-process app's engines (reads may have their own)

    # Plain HTTP

    def request(
        self,
        method: str,
        path: str,
        *,
        user: Account | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        merged = {**(user.headers if user else {}), **(headers or {})}
        return self.client.request(method, path, headers=merged, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    # State, built through the API

    def register(
        self, username: str | None = None, *, email: str | None = None, password: str = PASSWORD
    ) -> Account:
        username = username or unique_name("user")
        email = email or f"{username}@example.com"
        response = self.post(
            "/api/users",
            json={"user": {"username": username, "email": email, "password": password}},
        )
        assert response.status_code == 201, response.text
        return Account(username, email.lower(), password, response.json()["user"]["token"])

    def create_article(
        self,
        author: Account,
        *,
        title: str | None = None,
        description: str = "A description",
        body: str = "A body",
        tags: list[str] | None = None,
    ) -> dict[str, Any]:
        article: dict[str, Any] = {
            "title": title or unique_name("Title "),
            "description": description,
            "body": body,
        }
        if tags is not None:
            article["tagList"] = tags
        response = self.post("/api/articles", user=author, json={"article": article})
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()["article"]
        return result

    def add_comment(self, author: Account, slug: str, body: str = "A comment") -> dict[str, Any]:
        response = self.post(
            f"/api/articles/{slug}/comments", user=author, json={"comment": {"body": body}}
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["comment"]
        return result

    def follow(self, follower: Account, username: str) -> None:
        response = self.post(f"/api/profiles/{username}/follow", user=follower)
        assert response.status_code == 200, response.text

    def favorite(self, user: Account, slug: str) -> None:
        response = self.post(f"/api/articles/{slug}/favorite", user=user)
        assert response.status_code == 200, response.text

    # In-process only

    @contextmanager
    def count_statements(self) -> Iterator[StatementCounter]:
        """Count the SQL statements the app issues inside the block (in-process apps only)."""
        if not self.engines:
            pytest.skip("statement counting needs an in-process app")
        counter = StatementCounter()
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            for engine in self.engines:
                event.remove(engine, "before_cursor_execute", counter)


def errors_of(response: httpx.Response) -> list[str]:
    """The messages of a contract error envelope; fails if the body is not one."""
    body = response.json()
    assert set(body) == {"errors"}, body
    assert set(body["errors"]) == {"body"}, body
    messages = body["errors"]["body"]
    assert isinstance(messages, list) and messages, body
    assert all(isinstance(message, str) for message in messages), body
    return list(messages)
