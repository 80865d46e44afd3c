"""Lockstep parity: random multi-step sessions driven against Flask and FastAPI at once.

A hypothesis state machine registers users, logs in, writes and edits articles, comments,
favorites, follows and lists, with odd titles, tags and filters mixed in. Every step goes to
both apps (twins.py) and every pair of answers must be the same (`twins.compare`), so state
that drifts apart shows up at the first request that can see it.

Bounded for CI: CONDUIT_FUZZ_EXAMPLES sessions (default 20) of up to 30 steps, derandomized
unless CONDUIT_FUZZ_RANDOM or CONDUIT_FUZZ_SEED is set; `make fuzz` runs many more.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle
from hypothesis.stateful import RuleBasedStateMachine
from hypothesis.stateful import initialize
from hypothesis.stateful import multiple
from hypothesis.stateful import rule
from hypothesis.stateful import run_state_machine_as_test

from contract_tests.support import PASSWORD
from contract_tests.twins import APPS
from contract_tests.twins import Twins
from contract_tests.twins import TwinUser
from contract_tests.twins import fuzz_seed
from contract_tests.twins import fuzz_settings_kwargs
from contract_tests.twins import path_segment
from contract_tests.twins import query_string
from contract_tests.twins import twins_fixture  # noqa: F401  (the `twins` fixture)

ODD_TEXTS = [
    "",
    "   ",
    "How to train your dragon",
    "Ünïcödé & Friends: a tour",
    "日本語のタイトル",
    "a/b?c#d",
    "%2F%00",
    "---",
    "🐉 dragons",
    "x" * 201,
    "tab\tand\nnewline",
    "\u0000",
    "İstanbul ǅ ß",
]
TEXTS = st.sampled_from(ODD_TEXTS) | st.text(max_size=40)
TAGS = st.lists(
    st.sampled_from(["dragons", "Training", " two  words ", "ÄÖÜ", "", "x" * 51, "ß"])
    | st.text(max_size=12),
    max_size=12,
)
USERNAMES = st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True) | st.sampled_from(
    ["alice", "ALICE", "ünï", "a b", "", "x" * 41, "new.user_1"]
)
EMAILS = st.from_regex(r"[a-z0-9.]{1,8}@[a-z]{1,6}\.(com|org)", fullmatch=True) | st.sampled_from(
    ["alice@example.com", "ALICE@EXAMPLE.COM", " spaced@example.com ", "no-at-sign", "a@b"]
)
PASSWORDS = st.sampled_from([PASSWORD, "short", "", "p" * 129]) | st.text(min_size=8, max_size=20)
PAGE_VALUES = st.none() | st.integers(-2, 120).map(str) | st.sampled_from(["", "1.0", " 1", "+1"])


@dataclass
class ArticleRef:
    slug: str


@dataclass
class CommentRef:
    article: ArticleRef
    comment_id: int


class Lockstep(RuleBasedStateMachine):
    """Each rule is one request to both apps; the bundles hold what the apps created."""

    users = Bundle("users")
    articles = Bundle("articles")
    comments = Bundle("comments")

    def __init__(self, twins: Twins) -> None:
        super().__init__()
        self.twins = twins
        self.twins.reset()

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        flask_response, fastapi_response = self.twins.send(method, path, **kwargs)
        body = self.twins.compare(flask_response, fastapi_response)
        return flask_response.status_code, body

    # The seeded world

    @initialize(target=users)
    def seeded_users(self) -> Any:
        return multiple(
            *(dataclasses.replace(user, tokens=dict(user.tokens)) for user in self.twins.seed.users)
        )

    @initialize(target=articles)
    def seeded_articles(self) -> Any:
        return multiple(*(ArticleRef(slug) for slug in self.twins.seed.slugs))

    @initialize(target=comments)
    def seeded_comments(self) -> Any:
        return multiple(
            *(
                CommentRef(ArticleRef(slug), comment_id)
                for slug, comment_id, _ in self.twins.seed.comments
            )
        )

    # Users

    @rule(target=users, username=USERNAMES, email=EMAILS, password=PASSWORDS)
    def register(self, username: str, email: str, password: str) -> Any:
        body = {"user": {"username": username, "email": email, "password": password}}
        responses = self.twins.send("POST", "/api/users", json=body)
        self.twins.compare(*responses)
        if responses[0].status_code != 201:
            return multiple()
        return _user_from(responses, password)

    @rule(user=users, right_password=st.booleans(), shout=st.booleans())
    def login(self, user: TwinUser, right_password: bool, shout: bool) -> None:
        email = user.email.upper() if shout else user.email
        password = user.password if right_password else user.password + "!"
        responses = self.twins.send(
            "POST", "/api/users/login", json={"user": {"email": email, "password": password}}
        )
        self.twins.compare(*responses)
        if responses[0].status_code == 200:
            user.tokens = {
                app: r.json()["user"]["token"] for app, r in zip(APPS, responses, strict=True)
            }

    @rule(user=users)
    def current_user(self, user: TwinUser) -> None:
        self.request("GET", "/api/user", user=user)

    @rule(
        user=users,
        changes=st.fixed_dictionaries(
            {},
            optional={
                "username": USERNAMES | st.none(),
                "email": EMAILS | st.none(),
                "password": PASSWORDS | st.none(),
                "bio": TEXTS | st.none(),
                "image": TEXTS | st.none(),
            },
        ),
    )
    def update_user(self, user: TwinUser, changes: dict[str, Any]) -> None:
        status, body = self.request("PUT", "/api/user", json={"user": changes}, user=user)
        if status == 200:
            user.username = body["user"]["username"]
            user.email = body["user"]["email"]
            user.password = changes.get("password") or user.password

    # Profiles

    @rule(viewer=st.none() | users, user=users)
    def get_profile(self, viewer: TwinUser | None, user: TwinUser) -> None:
        self.request("GET", f"/api/profiles/{path_segment(user.username)}", user=viewer)

    @rule(user=users, other=users, follow=st.booleans())
    def follow(self, user: TwinUser, other: TwinUser, follow: bool) -> None:
        method = "POST" if follow else "DELETE"
        self.request(method, f"/api/profiles/{path_segment(other.username)}/follow", user=user)

    # Articles

    @rule(
        target=articles,
        user=users,
        title=TEXTS,
        description=TEXTS,
        body=TEXTS,
        tags=st.none() | TAGS,
    )
    def create_article(
        self, user: TwinUser, title: str, description: str, body: str, tags: list[str] | None
    ) -> Any:
        article: dict[str, Any] = {"title": title, "description": description, "body": body}
        if tags is not None:
            article["tagList"] = tags
        status, answer = self.request("POST", "/api/articles", json={"article": article}, user=user)
        if status != 201:
            return multiple()
        return ArticleRef(answer["article"]["slug"])

    @rule(
        user=users,
        article=articles,
        changes=st.fixed_dictionaries(
            {},
            optional={
                "title": TEXTS | st.none(),
                "description": TEXTS,
                "body": TEXTS,
                "tagList": TAGS,
            },
        ),
    )
    def update_article(self, user: TwinUser, article: ArticleRef, changes: dict[str, Any]) -> None:
        path = f"/api/articles/{path_segment(article.slug)}"
        status, body = self.request("PUT", path, json={"article": changes}, user=user)
        if status == 200:
            article.slug = body["article"]["slug"]

    @rule(user=users, article=articles)
    def delete_article(self, user: TwinUser, article: ArticleRef) -> None:
        self.request("DELETE", f"/api/articles/{path_segment(article.slug)}", user=user)

    @rule(viewer=st.none() | users, article=articles)
    def get_article(self, viewer: TwinUser | None, article: ArticleRef) -> None:
        self.request("GET", f"/api/articles/{path_segment(article.slug)}", user=viewer)

    @rule(user=users, article=articles, favorite=st.booleans())
    def favorite(self, user: TwinUser, article: ArticleRef, favorite: bool) -> None:
        method = "POST" if favorite else "DELETE"
        self.request(method, f"/api/articles/{path_segment(article.slug)}/favorite", user=user)

    # Comments

    @rule(target=comments, user=users, article=articles, body=TEXTS)
    def add_comment(self, user: TwinUser, article: ArticleRef, body: str) -> Any:
        path = f"/api/articles/{path_segment(article.slug)}/comments"
        status, answer = self.request("POST", path, json={"comment": {"body": body}}, user=user)
        if status != 200:
            return multiple()
        return CommentRef(article, answer["comment"]["id"])

    @rule(viewer=st.none() | users, article=articles)
    def list_comments(self, viewer: TwinUser | None, article: ArticleRef) -> None:
        self.request("GET", f"/api/articles/{path_segment(article.slug)}/comments", user=viewer)

    @rule(user=users, comment=comments, elsewhere=st.none() | articles)
    def delete_comment(
        self, user: TwinUser, comment: CommentRef, elsewhere: ArticleRef | None
    ) -> None:
        """Own or someone else's comment, on its article or (elsewhere) on another one."""
        slug = (elsewhere or comment.article).slug
        path = f"/api/articles/{path_segment(slug)}/comments/{comment.comment_id}"
        self.request("DELETE", path, user=user)

    # Lists

    @rule(
        viewer=st.none() | users,
        tag=st.none() | st.sampled_from(["dragons", "TRAINING", "two words", "äöü", ""]) | TEXTS,
        author=st.none() | users | TEXTS,
        favorited=st.none() | users | TEXTS,
        limit=PAGE_VALUES,
        offset=PAGE_VALUES,
    )
    def list_articles(
        self,
        viewer: TwinUser | None,
        tag: str | None,
        author: TwinUser | str | None,
        favorited: TwinUser | str | None,
        limit: str | None,
        offset: str | None,
    ) -> None:
        query = {
            "tag": tag,
            "author": author.username if isinstance(author, TwinUser) else author,
            "favorited": favorited.username if isinstance(favorited, TwinUser) else favorited,
            "limit": limit,
            "offset": offset,
        }
        self.request("GET", _with_query("/api/articles", query), user=viewer)

    @rule(user=users, limit=PAGE_VALUES, offset=PAGE_VALUES)
    def feed(self, user: TwinUser, limit: str | None, offset: str | None) -> None:
        query = {"limit": limit, "offset": offset}
        self.request("GET", _with_query("/api/articles/feed", query), user=user)

    @rule(
        viewer=st.none() | users,
        path=st.sampled_from(["/api/tags", "/api/articles", "/api/articles?limit=2&offset=1"]),
    )
    def listing(self, viewer: TwinUser | None, path: str) -> None:
        self.request("GET", path, user=viewer)

    @rule(
        method_path=st.sampled_from(
            [("GET", "/api/user"), ("GET", "/api/articles"), ("POST", "/api/articles")]
        ),
        header=st.sampled_from(["Token", "Token x.y.z", "Bearer x", "Token a b", ""]),
    )
    def bad_token(self, method_path: tuple[str, str], header: str) -> None:
        method, path = method_path
        self.request(method, path, headers={"Authorization": header}, json={"article": {}})


def _with_query(path: str, query: dict[str, str | None]) -> str:
    present = {name: value for name, value in query.items() if value is not None}
    return f"{path}?{query_string(present)}" if present else path


def _user_from(responses: tuple[httpx.Response, httpx.Response], password: str) -> TwinUser:
    user = responses[0].json()["user"]
    tokens = {
        app: response.json()["user"]["token"] for app, response in zip(APPS, responses, strict=True)
    }
    user_id = int(_claims(tokens["flask"])["sub"])
    return TwinUser(user["username"], user["email"], password, tokens, user_id)


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def test_lockstep_sessions_answer_alike(twins: Twins) -> None:
    @fuzz_seed
    def new_session() -> Lockstep:
        return Lockstep(twins)

    run_state_machine_as_test(
        new_session,
        settings=settings(**fuzz_settings_kwargs(default_examples=20), stateful_step_count=30),
    )
