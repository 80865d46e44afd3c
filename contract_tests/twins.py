"""Both apps in-process at once, on identical SQLite databases, under one frozen clock.

`Twins.send()` makes the same request to Flask and to FastAPI; `Twins.compare()` demands the
same answer (status, the headers that matter, the body; only tokens may differ). The generated
parity tests (test_differential.py, test_lockstep.py) and scripts/fuzz.py are built on it.

Two details make the in-process apps behave like the real servers do:
- paths reach each app as gunicorn and uvicorn hand them over (percent-decoded exactly once,
  WSGI's PATH_INFO as latin-1), not as the test transports do (httpx's WSGI transport passes
  an already decoded str; Starlette's TestClient decodes twice);
- every request runs under a `SteppingClock` starting at the same instant for both apps, so
  ids, slugs, timestamps and tokens come out identical.
"""

import base64
import difflib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlsplit

import httpx
import jwt
import pytest
import yaml
from sqlalchemy import Engine

from contract_tests.conftest import Target
from contract_tests.conftest import in_process_target
from contract_tests.conftest import test_settings
from contract_tests.support import PASSWORD
from contract_tests.transports import ServerLikeASGIPath
from contract_tests.transports import ServerLikePathInfo
from contract_tests.transports import ServerLikeWSGITransport
from shared.models import Base
from shared.security import create_token
from shared.settings import PROJECT_ROOT
from shared.timestamps import SteppingClock
from shared.timestamps import set_clock
from shared.timestamps import system_clock

APPS = ("flask", "fastapi")
CONTRACT_SPEC = PROJECT_ROOT / "contract_tests" / "openapi.yml"
REFERENCE_SPEC = PROJECT_ROOT.parent / "shared" / "realworld" / "openapi.yml"
# Logical time between two requests, and between two clock readings within one request.
REQUEST_STEP = timedelta(milliseconds=10)
READING_STEP = timedelta(milliseconds=1)
# Headers both apps must send alike (plus access-control-*); everything else may differ.
COMPARED_HEADERS = ("content-type", "allow", "www-authenticate", "location")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_MASK = "<token>"
# Resets restore rows behind the apps' backs, as another worker process would write them; the
# twins compare answers to identical requests, so the tag list and counts are read fresh every time.
TWIN_SETTINGS: dict[str, Any] = {"read_cache_seconds": 0}
_NO_BODY: Any = object()


def spec_path() -> Path:
    """The project's spec (reference + decisions) when present, else the reference spec."""
    return CONTRACT_SPEC if CONTRACT_SPEC.exists() else REFERENCE_SPEC


def load_spec() -> dict[str, Any]:
    with spec_path().open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def spec_base_path(spec: dict[str, Any]) -> str:
    """The path prefix of the spec's first server: `/api` for the reference spec (whose
    server is https://api.realworld.show/api), empty when the paths carry it themselves."""
    servers = spec.get("servers") or [{"url": "/"}]
    return urlsplit(servers[0]["url"]).path.rstrip("/")


# Transports that hand paths over like the real servers


def _flask_client(target: Target) -> httpx.Client:
    """A client for a Flask app of its own on the target's database (the target's client may
    wrap its app for the same purpose less exactly: from the decoded path, not the raw one)."""
    from flask_app import create_app as create_flask_app

    database_url = _engine(target).url.render_as_string(False)
    flask_app = create_flask_app(test_settings(database_url, **TWIN_SETTINGS))
    transport = ServerLikeWSGITransport(app=ServerLikePathInfo(flask_app))
    client = httpx.Client(transport=transport, base_url="http://testserver")
    client.flask_engines = flask_app.extensions["db_engines"]  # type: ignore[attr-defined]
    return client


def _fastapi_client(target: Target) -> httpx.Client:
    """Reuses the running TestClient's event loop (its portal) and app state."""
    from starlette.testclient import _TestClientTransport

    test_client = target.client
    inner = test_client._transport  # type: ignore[attr-defined]
    transport = _TestClientTransport(
        ServerLikeASGIPath(inner.app),
        portal_factory=test_client._portal_factory,  # type: ignore[attr-defined]
        raise_server_exceptions=False,
        root_path="",
        client=inner.client,
        app_state=inner.app_state,
    )
    return httpx.Client(transport=transport, base_url="http://testserver")


# Requests and divergences


@dataclass
class TwinUser:
    """A user both apps know, with the token each app issued (they should be equal)."""

    username: str
    email: str
    password: str
    tokens: dict[str, str]
    user_id: int = 0

    def __repr__(self) -> str:
        return f"TwinUser({self.username!r}, id={self.user_id})"


@dataclass
class SentRequest:
    """One request as sent to both apps; `as_user` names the user whose own token each app got."""

    method: str
    path: str
    headers: dict[str, str]
    content: bytes | None
    as_user: int | None = None  # the token's user id, to mint an equivalent token on replay

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "as_user": self.as_user,
        }
        if self.content is not None:
            try:
                record["content"] = self.content.decode("utf-8")
            except UnicodeDecodeError:
                record["content_base64"] = base64.b64encode(self.content).decode("ascii")
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> "SentRequest":
        content: bytes | None = None
        if "content" in record:
            content = record["content"].encode("utf-8")
        elif "content_base64" in record:
            content = base64.b64decode(record["content_base64"])
        return cls(
            method=record["method"],
            path=record["path"],
            headers=dict(record["headers"]),
            content=content,
            as_user=record.get("as_user"),
        )

    def describe(self) -> str:
        lines = [f"{self.method} {self.path}"]
        if self.as_user is not None:
            lines.append(f"  (as user id {self.as_user}: Authorization: Token <each app's token>)")
        lines += [f"  {name}: {value}" for name, value in self.headers.items()]
        if self.content is not None:
            lines.append(f"  body: {self.content[:2000]!r}")
        return "\n".join(lines)


class Divergence(AssertionError):
    """The twins answered one request differently (or with a 5xx)."""

    def __init__(self, message: str, record: dict[str, Any]) -> None:
        super().__init__(message)
        self.record = record


def _response_json(response: httpx.Response) -> dict[str, Any]:
    record: dict[str, Any] = {
        "status": response.status_code,
        "headers": {name: value for name, value in response.headers.items()},
    }
    try:
        record["body"] = response.content.decode("utf-8")
    except UnicodeDecodeError:
        record["body_base64"] = base64.b64encode(response.content).decode("ascii")
    return record


def _compared_headers(response: httpx.Response) -> dict[str, str | None]:
    names = set(COMPARED_HEADERS) | {
        name for name in response.headers if name.lower().startswith("access-control-")
    }
    return {name: response.headers.get(name) for name in sorted(names)}


def _parse_json(response: httpx.Response) -> tuple[bool, Any]:
    if not response.content:
        return False, None
    try:
        return True, json.loads(response.content)
    except ValueError:
        return False, None


def _mask_tokens(left: Any, right: Any) -> tuple[Any, Any]:
    """Replace `token` values that differ (at the same place in both bodies) by a mask."""
    if isinstance(left, dict) and isinstance(right, dict):
        left, right = dict(left), dict(right)
        for key in left.keys() & right.keys():
            a, b = left[key], right[key]
            if key == "token" and isinstance(a, str) and isinstance(b, str) and a != b:
                left[key] = right[key] = TOKEN_MASK
            else:
                left[key], right[key] = _mask_tokens(a, b)
        return left, right
    if isinstance(left, list) and isinstance(right, list):
        pairs = [_mask_tokens(a, b) for a, b in zip(left, right, strict=False)]
        masked_left = [a for a, _ in pairs] + left[len(pairs) :]
        masked_right = [b for _, b in pairs] + right[len(pairs) :]
        return masked_left, masked_right
    return left, right


def json_differences(left: Any, right: Any, where: str = "$") -> list[str]:
    """Where two JSON values differ, strictly: 1, 1.0 and true are three different values."""
    if type(left) is not type(right):
        return [f"{where}: {type(left).__name__} vs {type(right).__name__}"]
    if isinstance(left, dict):
        problems = []
        if list(left) != list(right) and set(left) == set(right):
            problems.append(f"{where}: key order {list(left)} vs {list(right)}")
        for key in sorted(left.keys() | right.keys()):
            if key not in right or key not in left:
                problems.append(f"{where}.{key}: only in {'flask' if key in left else 'fastapi'}")
            else:
                problems += json_differences(left[key], right[key], f"{where}.{key}")
        return problems
    if isinstance(left, list):
        problems = []
        if len(left) != len(right):
            problems.append(f"{where}: length {len(left)} vs {len(right)}")
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            problems += json_differences(a, b, f"{where}[{index}]")
        return problems
    return [] if left == right else [f"{where}: {left!r} vs {right!r}"]


def _shape(differences: list[str]) -> list[str]:
    """Differences without values or list positions, for de-duplicating divergences."""
    return sorted({re.sub(r"\[\d+\]", "[]", item.split(":", 1)[0]) for item in differences})


def _error_messages(body: Any) -> list[str] | None:
    try:
        messages = body["errors"]["body"]
    except (TypeError, KeyError):
        return None
    return [str(message) for message in messages] if isinstance(messages, list) else None


def _pretty(response: httpx.Response, parsed: tuple[bool, Any]) -> str:
    is_json, value = parsed
    if is_json:
        return json.dumps(value, indent=2, ensure_ascii=False)
    return repr(response.content[:2000])


# Generic request encoding shared by the generated tests


def _surrogate_safe(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def path_segment(value: Any) -> str:
    """A path parameter, percent-encoded (every reserved character, `/` included)."""
    return quote(_surrogate_safe(query_text(value)), safe="")


def query_text(value: Any) -> str:
    """A generated query or path value as text: strings as they are, anything else as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def query_string(query: dict[str, Any] | list[tuple[str, Any]]) -> str:
    """`a=1&b=2` with every value percent-encoded; a list value repeats its parameter."""
    items = query.items() if isinstance(query, dict) else query
    pairs: list[str] = []
    for name, value in items:
        values = value if isinstance(value, list) else [value]
        for single in values:
            encoded = quote(_surrogate_safe(query_text(single)), safe="")
            pairs.append(f"{quote(_surrogate_safe(name), safe='')}={encoded}")
    return "&".join(pairs)


def json_bytes(value: Any) -> bytes:
    return _surrogate_safe(json.dumps(value, ensure_ascii=False))


# The twins


@dataclass
class Seed:
    """What reset() creates in both apps, for tests to aim requests at."""

    users: list[TwinUser] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    # (slug, comment id, author username)
    comments: list[tuple[str, int, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def user(self, username: str) -> TwinUser:
        return next(user for user in self.users if user.username == username)


SEED_USERS = (
    ("alice", "alice@example.com"),
    ("bob", "Bob@Example.com"),
    ("carol", "carol@example.org"),
)
# author, title, tagList (None: no tagList sent)
SEED_ARTICLES: tuple[tuple[str, str, list[str] | None], ...] = (
    ("alice", "How to train your dragon", ["dragons", "Training", " training "]),
    ("alice", "How to train your dragon", ["dragons"]),
    ("bob", "Ünïcödé & Friends: a tour", ["unicode", "ÄÖÜ", "two  words"]),
    ("bob", "Bob's plain article", None),
    ("carol", "Carol writes about testing", ["testing", "python"]),
    ("carol", "Empty tags", []),
)
SEED_FOLLOWS = (("bob", "alice"), ("carol", "alice"), ("alice", "carol"))
SEED_FAVORITES = (("bob", 0), ("carol", 0), ("alice", 4), ("bob", 4), ("alice", 2))
# commenter, article index, body
SEED_COMMENTS = (
    ("bob", 0, "Nice!"),
    ("carol", 0, "Agreed with bob."),
    ("alice", 0, "Thanks, both."),
    ("alice", 4, "Great read ✓"),
    ("bob", 2, "Ça marche."),
)


class Twins:
    """Flask and FastAPI side by side; see the module docstring."""

    def __init__(self, targets: dict[str, Target], start: datetime) -> None:
        self.targets = targets
        self.clients = {"flask": _flask_client(targets["flask"])}
        self.clients["fastapi"] = _fastapi_client(targets["fastapi"])
        self.start = start
        self.now = start
        self.seed_end = start
        self.seed = Seed()
        self.settings = test_settings("sqlite://")
        self.history: list[SentRequest] = []
        self.dirty = True
        self.seeded = False
        # What kind of odd request the test is sending (e.g. "body-bytes:bom"), if it knows:
        # divergences of one kind then share one signature (see signature()).
        self.hint: str | None = None
        self.fuzz_known: set[str] = set()
        known_file = os.environ.get("CONDUIT_FUZZ_KNOWN")
        if known_file and Path(known_file).exists():
            self.fuzz_known = set(Path(known_file).read_text(encoding="utf-8").split())
        self._snapshot_dir = Path(tempfile.mkdtemp(prefix="conduit-twins-"))

    def close(self) -> None:
        for client in self.clients.values():
            client.close()
        for engine in set(self.clients["flask"].flask_engines):  # type: ignore[attr-defined]
            engine.dispose()
        shutil.rmtree(self._snapshot_dir, ignore_errors=True)

    # Sending

    def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = _NO_BODY,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        user: TwinUser | None = None,
    ) -> tuple[httpx.Response, httpx.Response]:
        """The same request to both apps, each under a clock starting at the same instant.

        `json` is serialised once (UTF-8, no ASCII escapes) and sent with
        `Content-Type: application/json` unless `headers` say otherwise; `user` sends each app
        the token that app issued to that user.
        """
        sent_headers = {"User-Agent": "conduit-twins", **(headers or {})}
        if json is not _NO_BODY:
            content = json_bytes(json)
            if not any(name.lower() == "content-type" for name in sent_headers):
                sent_headers["Content-Type"] = "application/json"
        request = SentRequest(
            method.upper(), path, sent_headers, content, user.user_id if user else None
        )
        tokens = {app: user.tokens[app] for app in APPS} if user else None
        return self._send(request, tokens)

    def replay(self, request: SentRequest) -> tuple[httpx.Response, httpx.Response]:
        """Send a recorded request again; `as_user` gets a token minted now for that user."""
        tokens = None
        if request.as_user is not None:
            token = self.mint_token(request.as_user)
            tokens = dict.fromkeys(APPS, token)
        return self._send(request, tokens)

    def _send(
        self, request: SentRequest, tokens: dict[str, str] | None
    ) -> tuple[httpx.Response, httpx.Response]:
        self.history.append(request)
        if request.method not in SAFE_METHODS:
            self.dirty = True
        responses = []
        for app in APPS:
            headers = dict(request.headers)
            if tokens:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
                headers["Authorization"] = f"Token {tokens[app]}"
            previous = set_clock(SteppingClock(self.now, READING_STEP))
            try:
                response = self.clients[app].request(
                    request.method,
                    request.path,
                    headers=headers,
                    content=request.content,
                    follow_redirects=False,
                )
                response.read()
            finally:
                set_clock(previous)
            responses.append(response)
        self.now += REQUEST_STEP
        return responses[0], responses[1]

    def mint_token(self, user_id: int, *, at: datetime | None = None) -> str:
        """A token for a user id, as both apps would issue it at `at` (default: now)."""
        previous = set_clock(SteppingClock(at or self.now))
        try:
            return create_token(user_id, self.settings)
        finally:
            set_clock(previous)

    # Comparing

    def compare(
        self,
        flask_response: httpx.Response,
        fastapi_response: httpx.Response,
        *,
        allow_5xx: bool = False,
    ) -> Any:
        """Demand the same answer from both apps; returns the (token-masked) JSON body.

        Raises Divergence (an AssertionError) with a readable report otherwise; also for a
        5xx unless `allow_5xx`.
        """
        __tracebackhide__ = True  # pytest: show the report, not this frame
        problems: list[str] = []
        if flask_response.status_code != fastapi_response.status_code:
            problems.append(
                f"status: {flask_response.status_code} vs {fastapi_response.status_code}"
            )
        flask_headers = _compared_headers(flask_response)
        fastapi_headers = _compared_headers(fastapi_response)
        for name in sorted(flask_headers.keys() | fastapi_headers.keys()):
            a, b = flask_headers.get(name), fastapi_headers.get(name)
            if a != b:
                problems.append(f"header {name}: {a!r} vs {b!r}")
        flask_parsed = _parse_json(flask_response)
        fastapi_parsed = _parse_json(fastapi_response)
        body: Any = None
        if flask_parsed[0] and fastapi_parsed[0]:
            masked_flask, masked_fastapi = _mask_tokens(flask_parsed[1], fastapi_parsed[1])
            problems += [f"body {item}" for item in json_differences(masked_flask, masked_fastapi)]
            body = masked_flask
        elif flask_response.content != fastapi_response.content:
            problems.append("body: bytes differ")
        for app, response in (("flask", flask_response), ("fastapi", fastapi_response)):
            if response.status_code >= 500 and not allow_5xx:
                problems.append(f"{app} answered {response.status_code}")
        if problems:
            self._diverged(problems, flask_response, fastapi_response, flask_parsed, fastapi_parsed)
        return body

    def check(self, *args: Any, **kwargs: Any) -> tuple[httpx.Response, httpx.Response]:
        """send() then compare(); returns both responses."""
        responses = self.send(*args, **kwargs)
        self.compare(*responses)
        return responses

    def _diverged(
        self,
        problems: list[str],
        flask_response: httpx.Response,
        fastapi_response: httpx.Response,
        flask_parsed: tuple[bool, Any],
        fastapi_parsed: tuple[bool, Any],
    ) -> None:
        __tracebackhide__ = True
        last = self.history[-1] if self.history else None
        signature = self.signature(problems, flask_response, fastapi_response, last)
        record = {
            "signature": signature,
            "hint": self.hint,
            "problems": problems,
            "request": last.as_json() if last else None,
            "history": [request.as_json() for request in self.history[:-1]],
            "flask": _response_json(flask_response),
            "fastapi": _response_json(fastapi_response),
        }
        if signature in self.fuzz_known:
            return  # fuzz mode: already reported in an earlier round, keep looking for others
        _record_for_fuzz(record)
        flask_text = _pretty(flask_response, flask_parsed).splitlines()
        fastapi_text = _pretty(fastapi_response, fastapi_parsed).splitlines()
        diff = "\n".join(
            difflib.unified_diff(flask_text, fastapi_text, "flask", "fastapi", lineterm="")
        )
        message = "\n".join(
            [
                "the twins diverged:",
                *(f"  - {problem}" for problem in problems),
                "request:",
                last.describe() if last else "  (unknown)",
                f"earlier requests since reset: {len(self.history) - 1}",
                f"flask:   {flask_response.status_code} {_compared_headers(flask_response)}",
                f"fastapi: {fastapi_response.status_code} {_compared_headers(fastapi_response)}",
                "body diff (flask -> fastapi):" if diff else "bodies:",
                diff or _pretty(flask_response, flask_parsed),
            ]
        )
        raise Divergence(message, record)

    def signature(
        self,
        problems: list[str],
        flask_response: httpx.Response,
        fastapi_response: httpx.Response,
        request: SentRequest | None,
    ) -> str:
        """Identifies a kind of divergence: operation, statuses, where the bodies differ and
        the error messages (which never echo input), but not the generated values."""
        flask_errors = _error_messages(_parse_json(flask_response)[1])
        fastapi_errors = _error_messages(_parse_json(fastapi_response)[1])
        kinds = [problem.split(":", 1)[0] for problem in problems if ":" in problem]
        if self.hint:  # a known kind of odd request: one signature per kind and Flask answer
            parts = [self.hint, str(flask_response.status_code), json.dumps(flask_errors)]
            return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
        parts = [
            request.method if request else "?",
            route_of(request.path) if request else "?",
            str(flask_response.status_code),
            str(fastapi_response.status_code),
            json.dumps(_shape(kinds)),
            json.dumps(flask_errors),
            json.dumps(fastapi_errors),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    # State

    def reset(self, *, full: bool = False) -> Seed:
        """Both apps back to the seeded state and the clock back to the seed's end.

        The first reset (or `full=True`) empties both databases and seeds them through the
        HTTP API, then snapshots them; later resets restore the snapshots when a request
        may have changed anything (a few milliseconds instead of a few dozen requests).
        """
        if full or not self.seeded:
            for target in self.targets.values():
                target.clean()
            self.now = self.start
            self.history = []
            self._seed()
            for app, target in self.targets.items():
                _snapshot(_engine(target), self._snapshot_dir / f"{app}.db")
            self.seeded = True
            self.seed_end = self.now
        elif self.dirty:
            for app, target in self.targets.items():
                _restore(_engine(target), self._snapshot_dir / f"{app}.db")
        self.dirty = False
        self.now = self.seed_end
        self.history = []
        self.hint = None
        return self.seed

    def _seed(self) -> None:
        seed = Seed()
        for username, email in SEED_USERS:
            body = {"user": {"username": username, "email": email, "password": PASSWORD}}
            responses = self.check("POST", "/api/users", json=body)
            tokens = {
                app: r.json()["user"]["token"] for app, r in zip(APPS, responses, strict=True)
            }
            seed.users.append(
                TwinUser(username, email.lower(), PASSWORD, tokens, _token_user_id(tokens["flask"]))
            )
        alice = seed.user("alice")
        self.check(
            "PUT",
            "/api/user",
            json={"user": {"bio": "I train dragons.", "image": "https://example.com/a.png"}},
            user=alice,
        )
        for follower, followed in SEED_FOLLOWS:
            self.check("POST", f"/api/profiles/{followed}/follow", user=seed.user(follower))
        for author, title, tags in SEED_ARTICLES:
            article: dict[str, Any] = {
                "title": title,
                "description": f"About {title.lower()}",
                "body": f"{title}\n\nSome text.",
            }
            if tags is not None:
                article["tagList"] = tags
            responses = self.check(
                "POST", "/api/articles", json={"article": article}, user=seed.user(author)
            )
            seed.slugs.append(responses[0].json()["article"]["slug"])
        for fan, index in SEED_FAVORITES:
            self.check("POST", f"/api/articles/{seed.slugs[index]}/favorite", user=seed.user(fan))
        for author, index, text in SEED_COMMENTS:
            slug = seed.slugs[index]
            responses = self.check(
                "POST",
                f"/api/articles/{slug}/comments",
                json={"comment": {"body": text}},
                user=seed.user(author),
            )
            seed.comments.append((slug, responses[0].json()["comment"]["id"], author))
        seed.tags = self.check("GET", "/api/tags")[0].json()["tags"]
        self.seed = seed


def _record_for_fuzz(record: dict[str, Any]) -> None:
    """Under scripts/fuzz.py, keep the latest (most shrunk) request of each divergence."""
    out = os.environ.get("CONDUIT_FUZZ_OUT")
    if not out:
        return
    record = {
        **record,
        "test": os.environ.get("PYTEST_CURRENT_TEST", "").removesuffix(" (call)"),
        "seed": os.environ.get("CONDUIT_FUZZ_ROUND_SEED"),
    }
    path = Path(out) / f"{record['signature']}.json"
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)


def replay_record(path: Path) -> int:
    """Replay a divergence recorded by scripts/fuzz.py on fresh twins: the requests before it
    (compared too), then the diverging one. 1 if the twins still diverge, else 0."""
    record = json.loads(path.read_text(encoding="utf-8"))
    with open_twins() as pair:
        pair.reset()
        try:
            for step in [*record["history"], record["request"]]:
                pair.compare(*pair.replay(SentRequest.from_json(step)))
        except Divergence as divergence:
            print(divergence)
            return 1
    print(f"no divergence: {record['request']['method']} {record['request']['path']}")
    return 0


def _token_user_id(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["sub"])


def route_of(path: str) -> str:
    """The spec path a request path matches (`/api/articles/{slug}`), or `<unrouted>`."""
    bare = path.split("?", 1)[0]
    for template in _ROUTES:
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, bare):
            return template
    return "<unrouted>"


_SPEC = load_spec()
_ROUTES = sorted(
    (spec_base_path(_SPEC) + path for path in _SPEC["paths"]),
    key=lambda template: (template.count("{"), template),
)


def _engine(target: Target) -> Engine:
    assert target.cleaning_engine is not None
    return target.cleaning_engine


def _database_file(engine: Engine) -> str:
    database = engine.url.database
    assert database, "twins need file-based SQLite databases"
    return database


def _snapshot(engine: Engine, snapshot: Path) -> None:
    snapshot.unlink(missing_ok=True)
    with sqlite3.connect(_database_file(engine), isolation_level=None) as connection:
        connection.execute("VACUUM INTO ?", (str(snapshot),))
    connection.close()


def _restore(engine: Engine, snapshot: Path) -> None:
    """Put every table's rows back as they were in the snapshot (ids included)."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    connection = sqlite3.connect(_database_file(engine), isolation_level=None, timeout=10)
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute("ATTACH DATABASE ? AS snapshot", (str(snapshot),))
        connection.execute("BEGIN IMMEDIATE")
        for name in reversed(tables):
            connection.execute(f'DELETE FROM main."{name}"')
        for name in tables:
            connection.execute(f'INSERT INTO main."{name}" SELECT * FROM snapshot."{name}"')
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE snapshot")
    finally:
        connection.close()


def session_start() -> datetime:
    """The frozen clock's start: now, to the second (PyJWT checks exp and iat in real time)."""
    return system_clock().replace(microsecond=0)


class _TempDirs:
    """Enough of pytest's TempPathFactory for in_process_target outside pytest."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="conduit-twins-"))

    def mktemp(self, basename: str, numbered: bool = True) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{basename}-", dir=self.root))


@contextmanager
def open_twins(tmp_path_factory: Any = None) -> Iterator[Twins]:
    """Both apps on fresh SQLite databases, seeded; outside pytest too (reproducers)."""
    factory = tmp_path_factory or _TempDirs()
    with ExitStack() as stack:
        if isinstance(factory, _TempDirs):
            stack.callback(shutil.rmtree, factory.root, True)
        targets = {
            app: stack.enter_context(
                in_process_target(app, "sqlite", factory, label="_twin", **TWIN_SETTINGS)
            )
            for app in APPS
        }
        twins = Twins(targets, session_start())
        stack.callback(twins.close)
        twins.reset(full=True)
        yield twins


@pytest.fixture(scope="session", name="twins")
def twins_fixture(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Twins]:
    """Flask and FastAPI in-process on SQLite, seeded alike (see Twins.reset)."""
    if request.config.getoption("base_url", None):
        pytest.skip("the twins are both apps in-process; --base-url tests one live server")
    with open_twins(tmp_path_factory) as pair:
        yield pair


def fuzz_seed(test: Any) -> Any:
    """Seed a hypothesis test (or a state machine factory) with CONDUIT_FUZZ_SEED, if set."""
    from hypothesis import seed

    value = os.environ.get("CONDUIT_FUZZ_SEED")
    return seed(int(value))(test) if value else test


def fuzz_settings_kwargs(default_examples: int) -> dict[str, Any]:
    """Hypothesis settings shared by the generated tests: CONDUIT_FUZZ_EXAMPLES examples;
    derandomized (the same examples every run) unless CONDUIT_FUZZ_RANDOM or CONDUIT_FUZZ_SEED
    is set (then pytest's --hypothesis-seed or CONDUIT_FUZZ_SEED fixes the seed)."""
    from hypothesis import HealthCheck
    from hypothesis import Phase

    random_mode = bool(os.environ.get("CONDUIT_FUZZ_RANDOM") or os.environ.get("CONDUIT_FUZZ_SEED"))
    return {
        "max_examples": int(os.environ.get("CONDUIT_FUZZ_EXAMPLES", default_examples)),
        "derandomize": not random_mode,
        "deadline": None,
        "database": None,
        "print_blob": True,
        "suppress_health_check": [
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
        "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    }
