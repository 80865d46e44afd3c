"""Locust scenarios for the Conduit API (either app, or any deployment of it).

    uv run locust -f loadtests/scenarios.py --host http://127.0.0.1:8000            # mixed, web UI
    uv run locust -f loadtests/scenarios.py --headless -u 5 -r 5 -t 30s \\
        --host http://127.0.0.1:8000 ReaderUser                                  # one scenario
    LOAD_SCENARIO=author uv run locust -f loadtests/scenarios.py --headless ...  # the same, by env

Scenarios (one user class each):

- `reader` (`ReaderUser`): anonymous browsing: the global list with pagination, by tag, by
  author, one article, its comments, a profile, the tags.
- `author` (`AuthorUser`): each simulated user registers once and logs in (`on_start`), then
  reads its feed, creates and updates its own articles, comments, favorites/unfavorites and
  follows/unfollows seeded authors.
- `links` (`LinksUser`): GET /api/articles/{slug}/links of the articles tagged `LOAD_LINKS_TAG`
  (default `load-links`), each expected to answer `LOAD_LINKS_EXPECTED` (default 10) links, all
  `ok`. `loadtests/smoke.py` writes such an article with links to the upstream stand-in.
- `mixed` (the default): all three classes together, weighted 80/15/5 (`LOAD_MIX=80,15,5` changes
  the weights; Locust spreads users by weight, so with few users the light classes may get none).

Think time: each simulated user waits between requests (readers and links 0.1-0.5 s, authors
0.2-1 s), times `LOAD_WAIT_SCALE` (default 1; 0 makes a closed loop without think time, where
the server rather than the users' pace sets the throughput).

Choosing: `LOAD_SCENARIO=reader|author|links|mixed` (default `mixed`), or name the classes on
Locust's command line (`ReaderUser`, `AuthorUser`, `LinksUser`); the names win over the env var
only within the classes it leaves enabled, so use one or the other.

Data: usernames, slugs and tags come from the target database through the API when the test
starts (GET /api/tags, GET /api/articles?limit=100, GET /api/articles?tag=<links tag>); nothing is
hard-coded. An empty database (no articles or tags) stops the test with a failure.

Every request uses `catch_response=True` and checks the status and the key fields of the answer
(lists and counts, the slug or username asked for, the state just changed), so a fast wrong
answer counts as a failure.
"""

import json
import os
import random
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from locust import between
from locust import events
from locust import task
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment

LINKS_TAG = os.environ.get("LOAD_LINKS_TAG", "load-links")
LINKS_EXPECTED = int(os.environ.get("LOAD_LINKS_EXPECTED", "10"))
PASSWORD = "load-password-1"
WAIT_SCALE = float(os.environ.get("LOAD_WAIT_SCALE", "1"))


@dataclass
class Data:
    """What the scenarios pick from, read from the target at test start."""

    tags: list[str] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    usernames: list[str] = field(default_factory=list)
    links_slugs: list[str] = field(default_factory=list)
    articles_count: int = 0


DATA = Data()


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


@events.test_start.add_listener
def discover(environment: Environment, **_kwargs: Any) -> None:
    """Fill DATA from the target's API before any user starts."""
    host = (environment.host or "").rstrip("/")
    try:
        DATA.tags = [str(tag) for tag in _get_json(f"{host}/api/tags")["tags"]]
        listing = _get_json(f"{host}/api/articles?limit=100")
        articles = listing["articles"]
        DATA.articles_count = int(listing["articlesCount"])
        DATA.slugs = [str(article["slug"]) for article in articles]
        DATA.usernames = sorted({str(article["author"]["username"]) for article in articles})
        tagged = _get_json(f"{host}/api/articles?limit=100&tag={urllib.parse.quote(LINKS_TAG)}")
        DATA.links_slugs = [str(article["slug"]) for article in tagged["articles"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        _abort(environment, f"could not read scenario data from {host}: {error!r}")
        return
    if not (DATA.tags and DATA.slugs and DATA.usernames):
        _abort(environment, f"{host} has no articles or tags: seed it (python -m shared.seed)")


def _abort(environment: Environment, message: str) -> None:
    """Count the problem as a failed request (so the run is red) and stop the test."""
    environment.events.request.fire(
        request_type="SETUP",
        name="discover scenario data",
        response_time=0,
        response_length=0,
        exception=RuntimeError(message),
        context={},
    )
    environment.process_exit_code = 1
    if environment.runner is not None:
        environment.runner.quit()


# Checking answers


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _checked(response: Any, status: int, check: Callable[[dict[str, Any]], str | None]) -> None:
    """Mark a catch_response answer: success only for `status` and a body `check` accepts
    (`check` returns None when right, else what is wrong)."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code}, expected {status}")
        return
    try:
        problem = check(response.json())
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        problem = f"unexpected body ({type(error).__name__}: {error})"
    if problem is None:
        response.success()
    else:
        response.failure(problem)


def _article_list(
    limit: int, matches: Callable[[dict[str, Any]], bool] = lambda _article: True
) -> Callable[[dict[str, Any]], str | None]:
    def check(body: dict[str, Any]) -> str | None:
        articles, count = body["articles"], body["articlesCount"]
        if not isinstance(articles, list) or not isinstance(count, int):
            return "articles is not a list or articlesCount not an int"
        if len(articles) > limit or len(articles) > count:
            return f"{len(articles)} articles for limit {limit}, articlesCount {count}"
        if not all(isinstance(article["slug"], str) and matches(article) for article in articles):
            return "an article does not match the filter"
        return None

    return check


def _article(slug: str | None = None, **fields: Any) -> Callable[[dict[str, Any]], str | None]:
    def check(body: dict[str, Any]) -> str | None:
        article = body["article"]
        if slug is not None and article["slug"] != slug:
            return f"article.slug is {article['slug']!r}, expected {slug!r}"
        for name, expected in fields.items():
            if article[name] != expected:
                return f"article.{name} is {article[name]!r}, expected {expected!r}"
        return None

    return check


def _profile(
    username: str, following: bool | None = None
) -> Callable[[dict[str, Any]], str | None]:
    def check(body: dict[str, Any]) -> str | None:
        profile = body["profile"]
        if profile["username"] != username:
            return f"profile.username is {profile['username']!r}, expected {username!r}"
        if following is not None and profile["following"] is not following:
            return f"profile.following is {profile['following']!r}, expected {following}"
        return None

    return check


# Scenarios


class ReaderUser(FastHttpUser):
    """Anonymous browsing."""

    scenario = "reader"
    weight = 80
    wait_time = between(0.1 * WAIT_SCALE, 0.5 * WAIT_SCALE)

    @task(4)
    def global_list(self) -> None:
        limit = random.choice((10, 20))
        pages = max(1, min(DATA.articles_count, 100) // limit)
        offset = random.randrange(pages) * limit
        with self.client.get(
            f"/api/articles?limit={limit}&offset={offset}",
            name="/api/articles?limit&offset",
            catch_response=True,
        ) as response:
            _checked(response, 200, _article_list(limit))

    @task(2)
    def by_tag(self) -> None:
        tag = random.choice(DATA.tags)
        with self.client.get(
            f"/api/articles?tag={_quote(tag)}", name="/api/articles?tag", catch_response=True
        ) as response:
            _checked(response, 200, _article_list(20, lambda article: tag in article["tagList"]))

    @task(2)
    def by_author(self) -> None:
        username = random.choice(DATA.usernames)
        with self.client.get(
            f"/api/articles?author={_quote(username)}",
            name="/api/articles?author",
            catch_response=True,
        ) as response:
            _checked(
                response,
                200,
                _article_list(20, lambda article: article["author"]["username"] == username),
            )

    @task(3)
    def article_and_comments(self) -> None:
        slug = random.choice(DATA.slugs)
        with self.client.get(
            f"/api/articles/{_quote(slug)}", name="/api/articles/[slug]", catch_response=True
        ) as response:
            _checked(response, 200, _article(slug))
        with self.client.get(
            f"/api/articles/{_quote(slug)}/comments",
            name="/api/articles/[slug]/comments",
            catch_response=True,
        ) as response:
            _checked(
                response,
                200,
                lambda body: None if isinstance(body["comments"], list) else "comments not a list",
            )

    @task(1)
    def profile(self) -> None:
        username = random.choice(DATA.usernames)
        with self.client.get(
            f"/api/profiles/{_quote(username)}",
            name="/api/profiles/[username]",
            catch_response=True,
        ) as response:
            _checked(response, 200, _profile(username))

    @task(1)
    def tags(self) -> None:
        with self.client.get("/api/tags", catch_response=True) as response:
            _checked(
                response,
                200,
                lambda body: None if isinstance(body["tags"], list) else "tags not a list",
            )


class AuthorUser(FastHttpUser):
    """A signed-in writer: registers once, logs in, then writes and reacts."""

    scenario = "author"
    weight = 15
    wait_time = between(0.2 * WAIT_SCALE, 1.0 * WAIT_SCALE)

    username = ""
    token = ""
    my_slugs: list[str]
    tags: list[str]

    def on_start(self) -> None:
        self.my_slugs = []
        self.tags = [tag for tag in DATA.tags if tag != LINKS_TAG]
        self.username = f"load_{uuid.uuid4().hex[:12]}"
        email = f"{self.username}@example.com"
        user = {"username": self.username, "email": email, "password": PASSWORD}
        with self.client.post(
            "/api/users", json={"user": user}, name="/api/users (register)", catch_response=True
        ) as response:
            _checked(response, 201, self._user_check)
        with self.client.post(
            "/api/users/login",
            json={"user": {"email": email, "password": PASSWORD}},
            catch_response=True,
        ) as response:
            _checked(response, 200, self._user_check)
            if response.status_code == 200:
                self.token = str(response.json()["user"]["token"])

    def _user_check(self, body: dict[str, Any]) -> str | None:
        user = body["user"]
        if user["username"] != self.username:
            return f"user.username is {user['username']!r}, expected {self.username!r}"
        if not isinstance(user["token"], str) or not user["token"]:
            return "user.token missing"
        return None

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    @task(3)
    def feed(self) -> None:
        with self.client.get(
            "/api/articles/feed?limit=10",
            headers=self.auth,
            name="/api/articles/feed",
            catch_response=True,
        ) as response:
            _checked(response, 200, _article_list(10))

    @task(2)
    def create_article(self) -> None:
        title = f"Load test {uuid.uuid4().hex[:10]}"
        article = {
            "title": title,
            "description": "Written by the load test",
            "body": "Some text for the load test.",
            # never LINKS_TAG: the links scenario expects only link articles under it
            "tagList": random.sample(self.tags, k=min(2, len(self.tags))),
        }
        with self.client.post(
            "/api/articles", json={"article": article}, headers=self.auth, catch_response=True
        ) as response:
            _checked(response, 201, _article(title=title, body=article["body"]))
            if response.status_code == 201:
                self.my_slugs = [*self.my_slugs[-9:], str(response.json()["article"]["slug"])]

    @task(2)
    def update_article(self) -> None:
        if not self.my_slugs:
            self.create_article()
            return
        slug = random.choice(self.my_slugs)
        description = f"Updated {uuid.uuid4().hex[:8]}"
        with self.client.put(
            f"/api/articles/{_quote(slug)}",
            json={"article": {"description": description}},
            headers=self.auth,
            name="/api/articles/[slug] (update)",
            catch_response=True,
        ) as response:
            _checked(response, 200, _article(slug, description=description))

    @task(2)
    def comment(self) -> None:
        slug = random.choice(DATA.slugs)
        text = f"Load test comment {uuid.uuid4().hex[:8]}"
        with self.client.post(
            f"/api/articles/{_quote(slug)}/comments",
            json={"comment": {"body": text}},
            headers=self.auth,
            name="/api/articles/[slug]/comments (add)",
            catch_response=True,
        ) as response:
            _checked(
                response,
                200,
                lambda body: None if body["comment"]["body"] == text else "comment.body differs",
            )

    @task(2)
    def favorite_unfavorite(self) -> None:
        slug = random.choice(DATA.slugs)
        for method, favorited in (("POST", True), ("DELETE", False)):
            with self.client.request(
                method,
                f"/api/articles/{_quote(slug)}/favorite",
                headers=self.auth,
                name=f"/api/articles/[slug]/favorite ({method})",
                catch_response=True,
            ) as response:
                _checked(response, 200, _article(slug, favorited=favorited))

    @task(2)
    def follow_unfollow(self) -> None:
        username = random.choice(DATA.usernames)
        for method, following in (("POST", True), ("DELETE", False)):
            with self.client.request(
                method,
                f"/api/profiles/{_quote(username)}/follow",
                headers=self.auth,
                name=f"/api/profiles/[username]/follow ({method})",
                catch_response=True,
            ) as response:
                _checked(response, 200, _profile(username, following))


class LinksUser(FastHttpUser):
    """Link previews of the articles tagged LOAD_LINKS_TAG."""

    scenario = "links"
    weight = 5
    wait_time = between(0.1 * WAIT_SCALE, 0.5 * WAIT_SCALE)

    @task
    def links(self) -> None:
        if not DATA.links_slugs:
            self.environment.events.request.fire(
                request_type="GET",
                name="/api/articles/[slug]/links",
                response_time=0,
                response_length=0,
                exception=RuntimeError(f"no article tagged {LINKS_TAG!r} in the target"),
                context={},
            )
            self.stop()
            return
        slug = random.choice(DATA.links_slugs)
        with self.client.get(
            f"/api/articles/{_quote(slug)}/links",
            name="/api/articles/[slug]/links",
            catch_response=True,
        ) as response:
            _checked(response, 200, _links_check)


def _links_check(body: dict[str, Any]) -> str | None:
    links = body["links"]
    if body["linksCount"] != LINKS_EXPECTED or len(links) != LINKS_EXPECTED:
        return f"linksCount {body['linksCount']}, {len(links)} links, expected {LINKS_EXPECTED}"
    statuses = sorted({str(link["status"]) for link in links})
    if statuses != ["ok"]:
        return f"link statuses {statuses}, expected all ok"
    return None


# Choosing the scenario

SCENARIOS: dict[str, type[FastHttpUser]] = {
    "reader": ReaderUser,
    "author": AuthorUser,
    "links": LinksUser,
}


def _select() -> None:
    chosen = os.environ.get("LOAD_SCENARIO", "mixed").strip().lower()
    if chosen != "mixed" and chosen not in SCENARIOS:
        raise SystemExit(f"LOAD_SCENARIO must be one of mixed, {', '.join(SCENARIOS)}: {chosen!r}")
    mix = os.environ.get("LOAD_MIX")
    if mix:
        weights = [int(weight) for weight in mix.split(",")]
        if len(weights) != len(SCENARIOS) or min(weights) < 0 or sum(weights) == 0:
            raise SystemExit(f"LOAD_MIX must be {len(SCENARIOS)} weights, e.g. 80,15,5: {mix!r}")
        for user_class, weight in zip(SCENARIOS.values(), weights, strict=True):
            user_class.weight = weight
    for name, user_class in SCENARIOS.items():
        user_class.abstract = chosen not in ("mixed", name) or user_class.weight == 0


_select()
