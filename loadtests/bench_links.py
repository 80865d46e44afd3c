"""Link-preview benchmark: GET /api/articles/{slug}/links on Flask (gunicorn) and FastAPI
(uvicorn), for one article with 10 distinct links to the upstream stand-in (100 ms per page).

    make bench-links
    uv run python -m loadtests.bench_links [--seconds 10] [--clients 1,10,50] [--apps flask,fastapi]

What it does, all on 127.0.0.1 and bounded in time (it stops by itself):

1. migrates a fresh SQLite database in a temporary folder and starts the stand-in;
2. for each app: starts its production server with LINK_PREVIEW_ALLOWED_HOSTS=127.0.0.1 (the
   first app also registers a user and writes the article), checks one answer (10 links, all
   `ok`), warms up, then measures the median of 20 sequential requests, and throughput and
   p50/p99 latency for a closed loop of 1, 10 and 50 clients, `--seconds` each;
3. prints a markdown table and writes it to loadtests/reports/bench-links-<timestamp>.md.

Every answer must be 200 with 10 `ok` links; anything else (a timeout, a stale or unavailable
link, a non-200, a client error) counts as an error.

CPU placement: with two or more CPUs and `taskset`, the app server runs on CPU 0 and the load
generator (this process) and the stand-in share CPU 1, so the server's CPU is not shared with
its load. Without them everything shares the machine (the report says which).

Server settings (environment, same names as scripts/servers.sh):

    FLASK_WORKERS=1  FLASK_WORKER_CLASS=gthread  FLASK_THREADS=32  FASTAPI_WORKERS=1

Why gthread with 32 threads for Flask: a preview request is I/O-bound (it waits up to the 5 s
deadline on upstreams), so a sync worker would serve one request at a time and let one slow
preview stall every other endpoint. Upstream calls are capped per process by the bulkhead
(LINK_PREVIEW_CONCURRENCY, default 500 = 50 requests x 10 links), so 32 threads put at most
320 calls in flight and never wait on the bulkhead; connections beyond 32 wait in gunicorn's
queue, not on the deadline. 32 threads measured best on one worker (16: 147 req/s, 32: ~163,
64: 154, 2 workers x 32: 152, gevent: 140, at 50 clients). (The preview view returns its database
connection before fanning out, so threads waiting on upstreams hold no pool connection.)
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from alembic import command
from alembic.config import Config

from loadtests import servers
from loadtests.processes import CLIENT_CPU
from loadtests.processes import HOST
from loadtests.processes import SERVER_CPU
from loadtests.processes import can_pin
from loadtests.processes import http_get
from loadtests.processes import time_limit
from loadtests.servers import Server
from shared.settings import PROJECT_ROOT
from shared.settings import Settings
from upstream import running_upstream

REPORTS = PROJECT_ROOT / "loadtests" / "reports"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.bench_links", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--apps", default=os.environ.get("BENCH_APPS", "flask,fastapi"))
    parser.add_argument("--clients", default=os.environ.get("BENCH_CLIENTS", "1,10,50"))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 10)))
    parser.add_argument("--sequential", type=int, default=20, help="requests for the median")
    parser.add_argument("--links", type=int, default=10, help="distinct links in the article")
    parser.add_argument("--latency-ms", type=int, default=100, help="stand-in page latency")
    parser.add_argument(
        "--link-concurrency",
        type=int,
        default=None,
        help="LINK_PREVIEW_CONCURRENCY for the apps (default: the apps' own default)",
    )
    parser.add_argument("--flask-workers", type=int, default=_env_int("FLASK_WORKERS", 1))
    parser.add_argument(
        "--flask-worker-class", default=os.environ.get("FLASK_WORKER_CLASS", "gthread")
    )
    parser.add_argument("--flask-threads", type=int, default=_env_int("FLASK_THREADS", 32))
    parser.add_argument("--fastapi-workers", type=int, default=_env_int("FASTAPI_WORKERS", 1))
    parser.add_argument(
        "--time-limit", type=float, default=900, help="give up (and clean up) after this many s"
    )
    arguments = parser.parse_args(argv)
    arguments.apps = [app.strip() for app in arguments.apps.split(",") if app.strip()]
    arguments.clients = [int(clients) for clients in arguments.clients.split(",")]
    unknown = set(arguments.apps) - {"flask", "fastapi"}
    if unknown:
        parser.error(f"unknown apps: {', '.join(sorted(unknown))}")
    if not 1 <= arguments.links <= 20:
        parser.error("--links must be between 1 and 20 (previews stop at 20)")
    return arguments


# Processes


def _post_json(url: str, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def app_server(app: str, arguments: argparse.Namespace, server: str = "default") -> Server:
    """The server configuration of `app` ("flask" or "fastapi") from the FLASK_*/FASTAPI_*
    settings; `server` is "default" (gunicorn / uvicorn) or "granian"."""
    return servers.for_app(
        server,
        servers.APPS[app].interface,
        workers=arguments.flask_workers if app == "flask" else arguments.fastapi_workers,
        worker_class=arguments.flask_worker_class,
        threads=arguments.flask_threads,
    )


def _server_description(app: str, arguments: argparse.Namespace) -> str:
    return app_server(app, arguments).describe()


@contextmanager
def running_app(
    app: str, env: dict[str, str], arguments: argparse.Namespace, pin: bool, log_path: Path
) -> Iterator[str]:
    """Serve one app on a free port of 127.0.0.1 until the block ends; yield its base URL."""
    server = app_server(app, arguments)
    with servers.serving(server, servers.APPS[app].target, env, pin, log_path, app) as served:
        yield served[0]


def migrate(settings: Settings) -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["settings"] = settings
    config.attributes["configure_logging"] = False
    command.upgrade(config, "head")


def _stand_in(base_url: str, path: str) -> dict[str, Any]:
    status, body = http_get(f"{base_url}{path}")
    assert status == 200, (path, status)
    result: dict[str, Any] = json.loads(body)
    return result


# Measuring


def verdict(status: int, body: bytes, links: int) -> tuple[str | None, Counter[str]]:
    """(None, statuses) for a right answer: 200 and `links` links, all ok; else what was wrong."""
    if status != 200:
        return f"HTTP {status}", Counter()
    try:
        statuses = Counter(str(entry["status"]) for entry in json.loads(body)["links"])
    except (ValueError, KeyError, TypeError):
        return "not a links body", Counter()
    if statuses != Counter({"ok": links}):
        return "links not all ok", statuses
    return None, statuses


@dataclass
class Level:
    """One load level of one app."""

    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    wrong: Counter[str] = field(default_factory=Counter)
    wrong_link_statuses: Counter[str] = field(default_factory=Counter)
    upstream_max_in_flight: int = 0
    upstream_calls: int = 0

    @property
    def errors(self) -> int:
        return sum(self.wrong.values())

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


async def _one(session: aiohttp.ClientSession, url: str, links: int, level: Level) -> None:
    started = time.perf_counter()
    try:
        async with session.get(url) as response:
            body = await response.read()
            problem, statuses = verdict(response.status, body, links)
    except (aiohttp.ClientError, TimeoutError) as error:
        problem, statuses = f"client {type(error).__name__}", Counter()
    level.latencies.append(time.perf_counter() - started)
    if problem is not None:
        level.wrong[problem] += 1
        level.wrong_link_statuses.update(statuses)


async def closed_loop(url: str, clients: int, seconds: float, links: int) -> Level:
    """`clients` clients, each sending its next request when the last one is answered, until
    `seconds` have passed (requests started by then are waited for and counted)."""
    level = Level(clients)
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        loop = asyncio.get_running_loop()
        stop_at = loop.time() + seconds

        async def client() -> None:
            while loop.time() < stop_at:
                await _one(session, url, links, level)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        level.seconds = time.perf_counter() - started
    return level


async def sequential(url: str, count: int, links: int) -> Level:
    level = Level(1)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        started = time.perf_counter()
        for _ in range(count):
            await _one(session, url, links, level)
        level.seconds = time.perf_counter() - started
    return level


@dataclass
class AppResult:
    app: str
    server: str
    single: Level
    levels: list[Level]


def measure_app(
    app: str, base_url: str, slug: str, stand_in: str, arguments: argparse.Namespace
) -> AppResult:
    url = f"{base_url}/api/articles/{slug}/links"
    status, body = http_get(url, timeout=30)
    problem, statuses = verdict(status, body, arguments.links)
    if problem is not None:
        raise RuntimeError(f"{app}: first answer is wrong ({problem}, {dict(statuses)}): {body!r}")
    asyncio.run(sequential(url, 5, arguments.links))  # warm-up: connections, caches, imports
    single = asyncio.run(sequential(url, arguments.sequential, arguments.links))
    say(f"{app}: single request median {statistics.median(single.latencies) * 1000:.1f} ms")
    levels = []
    for clients in arguments.clients:
        _stand_in(stand_in, "/stats/reset")
        level = asyncio.run(closed_loop(url, clients, arguments.seconds, arguments.links))
        seen = _stand_in(stand_in, "/stats")
        level.upstream_max_in_flight = int(seen["max_in_flight"])
        level.upstream_calls = int(seen["total"])
        levels.append(level)
        say(
            f"{app}: {clients} clients: {level.rate:.1f} req/s, p50 {level.percentile(0.5):.0f} ms,"
            f" p99 {level.percentile(0.99):.0f} ms, {level.errors} errors"
        )
        time.sleep(1)  # let calls cut short by the deadline end before the next level
    return AppResult(app, _server_description(app, arguments), single, levels)


# Reporting


def say(message: str) -> None:
    print(f"bench-links: {message}", flush=True)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' (uncommitted changes)' if dirty else ''}"


def report(results: list[AppResult], arguments: argparse.Namespace, pin: bool) -> str:
    concurrency = (
        arguments.link_concurrency or Settings.model_fields["link_preview_concurrency"].default
    )
    placement = (
        f"server pinned to CPU {SERVER_CPU}; load generator and stand-in on CPU {CLIENT_CPU}"
        if pin
        else "not pinned (taskset or a second CPU unavailable)"
    )
    lines = [
        f"# Link previews benchmark, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
        "",
        f"- commit: {_commit()}; {os.cpu_count()} CPUs, {placement}",
        f"- article: {arguments.links} distinct links to the stand-in on 127.0.0.1, "
        f"{arguments.latency_ms} ms per page; GET /api/articles/{{slug}}/links",
        f"- link previews: app defaults (timeout 2 s, deadline 5 s, bulkhead {concurrency} "
        "calls per process), LINK_PREVIEW_ALLOWED_HOSTS=127.0.0.1; SQLite",
        f"- closed loop of N clients for {arguments.seconds:g} s per row; an error is any "
        f"answer other than 200 with {arguments.links} `ok` links (or a client failure)",
        *(f"- {result.app}: {result.server}" for result in results),
        "",
        "| app | clients | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for level in result.levels:
            lines.append(
                f"| {result.app} | {level.clients} | {level.rate:.1f} | "
                f"{level.percentile(0.5):.0f} | {level.percentile(0.99):.0f} | "
                f"{level.errors} of {len(level.latencies)} |"
            )
    per_level = ", ".join(str(clients) for clients in arguments.clients)
    lines += [
        "",
        f"| app | single request ms (median of {arguments.sequential}) "
        f"| upstream calls per answer ({per_level} clients) "
        f"| upstream calls in flight at most ({per_level} clients) |",
        "|---|---:|---|---|",
    ]
    for result in results:
        single = statistics.median(result.single.latencies) * 1000
        calls = ", ".join(
            f"{level.upstream_calls / max(1, len(level.latencies)):.1f}" for level in result.levels
        )
        in_flight = ", ".join(str(level.upstream_max_in_flight) for level in result.levels)
        lines.append(f"| {result.app} | {single:.1f} | {calls} | {in_flight} |")
    notes = [
        f"- {result.app}, {level.clients} clients: "
        + ", ".join(f"{problem}: {count}" for problem, count in level.wrong.most_common())
        + (
            f" (link statuses in those answers: {dict(level.wrong_link_statuses)})"
            if level.wrong_link_statuses
            else ""
        )
        for result in results
        for level in result.levels
        if level.errors
    ]
    if notes:
        lines += ["", "Errors:", "", *notes]
    return "\n".join(lines) + "\n"


# Main


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    pin = can_pin()
    if pin:
        os.sched_setaffinity(0, {CLIENT_CPU})  # the load generator; servers get taskset -c 0
    with (
        time_limit(arguments.time_limit, "bench-links"),
        tempfile.TemporaryDirectory(prefix="bench-links-") as folder,
    ):
        results = run(arguments, pin, Path(folder))
    text = report(results, arguments, pin)
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"bench-links-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(text)
    print()
    print(text)
    say(f"report written to {path.relative_to(PROJECT_ROOT)}")
    return 0


def run(arguments: argparse.Namespace, pin: bool, folder: Path) -> list[AppResult]:
    secret_key = secrets.token_hex(32)
    database_url = f"sqlite:///{folder / 'bench.db'}"
    say(f"migrating a fresh SQLite database in {folder}")
    migrate(Settings(database_url=database_url, secret_key=secret_key))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret_key,
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "WARNING",
        "LINK_PREVIEW_ALLOWED_HOSTS": HOST,
    }
    if arguments.link_concurrency:
        env["LINK_PREVIEW_CONCURRENCY"] = str(arguments.link_concurrency)
    results = []
    prefix = ["taskset", "-c", str(CLIENT_CPU)] if pin else []
    with (
        (folder / "upstream.log").open("wb") as upstream_log,
        running_upstream(prefix=prefix, log=upstream_log) as stand_in,
    ):
        say(f"stand-in on {stand_in}")
        links = [
            f"{stand_in}/page?title=Bench+page+{n}&delay_ms={arguments.latency_ms}&n={n}"
            for n in range(arguments.links)
        ]
        slug: str | None = None
        for app in arguments.apps:
            say(f"{app}: starting {_server_description(app, arguments)}")
            with running_app(app, env, arguments, pin, folder / f"{app}.log") as base_url:
                if slug is None:
                    slug = create_article(base_url, links)
                results.append(measure_app(app, base_url, slug, stand_in, arguments))
            say(f"{app}: stopped")
    return results


def create_article(base_url: str, links: list[str]) -> str:
    name = f"bench{secrets.token_hex(4)}"
    user = {"username": name, "email": f"{name}@example.com", "password": "bench-password-1"}
    token = _post_json(f"{base_url}/api/users", {"user": user})["user"]["token"]
    body = "Links:\n" + "\n".join(f"- [page {n}]({url})" for n, url in enumerate(links))
    article = {"title": f"Bench {name}", "description": "Link previews", "body": body}
    slug = str(
        _post_json(f"{base_url}/api/articles", {"article": article}, token)["article"]["slug"]
    )
    say(f"article {slug} with {len(links)} links")
    return slug


if __name__ == "__main__":
    sys.exit(main())
