"""Where each real app spends its CPU: pyinstrument over N in-process requests.

    make profile
    uv run python -m loadtests.profile [--requests 2000] [--database-url URL]

Migrates and seeds (`python -m shared.seed`) a fresh SQLite database in a temporary folder
(or uses --database-url as it is, already seeded), then for each app and each of
`GET /api/articles?limit=20` and `GET /api/tags`:

- Flask through its test client (no server: WSGI environ in, response out);
- FastAPI through one asyncio loop over httpx.ASGITransport (no server, no TestClient thread
  portal), inside the app's lifespan;

it warms up, times N requests unprofiled (CPU microseconds per request), then profiles N
requests and writes the text profile to loadtests/reports/profiles/<app>-<path>.txt, and
prints a summary. No network is used.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

from shared.settings import PROJECT_ROOT

PROFILES = PROJECT_ROOT / "loadtests" / "reports" / "profiles"
PATHS = ("/api/articles?limit=20", "/api/tags")


def say(message: str) -> None:
    print(f"profile: {message}", flush=True)


def _slug(path: str) -> str:
    return path.strip("/").replace("api/", "").replace("?", "-").replace("=", "").replace("/", "-")


def prepare(database_url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_KIB": "8192",
    }
    for module in (["alembic", "upgrade", "head"], ["shared.seed"]):
        subprocess.run(
            [sys.executable, "-m", *module],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def self_times(profiler: Profiler, top: int) -> str:
    """The functions with the most self time (time on their own lines), every frame counted."""
    session = profiler.last_session
    root = session.root_frame() if session else None
    totals: dict[str, float] = {}

    def walk(frame: Any) -> None:
        children = list(frame.children)
        real = [child for child in children if not child.is_synthetic]
        own = frame.time - sum(child.time for child in real)
        if not frame.is_synthetic:
            key = f"{frame.function}  {frame.file_path_short}:{frame.line_no}"
            totals[key] = totals.get(key, 0.0) + own
        for child in real:
            walk(child)

    if root is not None:
        walk(root)
    whole = root.time if root is not None else 0.0
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]
    return "\n".join(
        f"{seconds:8.4f} s {seconds / whole:6.1%}  {name}" for name, seconds in ranked if whole
    )


def render(profiler: Profiler, top: int = 40) -> str:
    """The call tree with library frames folded, then the functions with the most total time
    and with the most self time."""

    def view(**options: Any) -> str:
        return profiler.output(ConsoleRenderer(unicode=True, color=False, **options))

    return (
        "## Call tree (library frames folded)\n"
        + view()
        + f"\n## Top {top} functions by total time (every frame)\n"
        + "\n".join(view(flat=True, flat_time="total", show_all=True).splitlines()[: top + 8])
        + f"\n\n## Top {top} functions by self time (every frame)\n"
        + self_times(profiler, top)
        + "\n"
    )


def _time_and_profile(
    name: str, path: str, run: Callable[[int], None], requests: int, interval: float
) -> tuple[float, Path]:
    run(max(50, requests // 10))  # warm-up: imports, caches, pool
    started = time.process_time()
    run(requests)
    cpu_us = (time.process_time() - started) / requests * 1e6
    profiler = Profiler(interval=interval, async_mode="disabled")
    profiler.start()
    run(requests)
    profiler.stop()
    PROFILES.mkdir(parents=True, exist_ok=True)
    out = PROFILES / f"{name}-{_slug(path)}.txt"
    header = (
        f"# {name} GET {path}: {requests} requests in-process, "
        f"{cpu_us:.0f} CPU us/request unprofiled\n\n"
    )
    out.write_text(header + render(profiler))
    say(f"{name} GET {path}: {cpu_us:,.0f} CPU us/request -> {out.relative_to(PROJECT_ROOT)}")
    return cpu_us, out


def profile_flask(arguments: argparse.Namespace, settings: Any) -> list[tuple[str, float]]:
    from flask_app import create_app

    app = create_app(settings)
    client = app.test_client()
    results = []
    for path in PATHS:

        def run(count: int, path: str = path) -> None:
            for _ in range(count):
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"flask GET {path}: {response.status_code}")

        cpu_us, _ = _time_and_profile("flask", path, run, arguments.requests, arguments.interval)
        results.append((path, cpu_us))
    return results


def profile_fastapi(arguments: argparse.Namespace, settings: Any) -> list[tuple[str, float]]:
    import httpx

    from fastapi_app import create_app

    app = create_app(settings)
    results = []

    async def main() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1"
            ) as client:
                for path in PATHS:

                    async def many(count: int, path: str = path) -> None:
                        for _ in range(count):
                            response = await client.get(path)
                            if response.status_code != 200:
                                raise RuntimeError(f"fastapi GET {path}: {response.status_code}")

                    await _async_time_and_profile(
                        path, many, arguments.requests, arguments.interval, results
                    )

    asyncio.run(main())
    return results


async def _async_time_and_profile(
    path: str,
    many: Callable[[int], Any],
    requests: int,
    interval: float,
    results: list[tuple[str, float]],
) -> None:
    await many(max(50, requests // 10))
    started = time.process_time()
    await many(requests)
    cpu_us = (time.process_time() - started) / requests * 1e6
    profiler = Profiler(interval=interval, async_mode="disabled")
    profiler.start()
    await many(requests)
    profiler.stop()
    PROFILES.mkdir(parents=True, exist_ok=True)
    out = PROFILES / f"fastapi-{_slug(path)}.txt"
    header = (
        f"# fastapi GET {path}: {requests} requests in-process (httpx.ASGITransport), "
        f"{cpu_us:.0f} CPU us/request unprofiled (client side included)\n\n"
    )
    out.write_text(header + render(profiler))
    say(f"fastapi GET {path}: {cpu_us:,.0f} CPU us/request -> {out.relative_to(PROJECT_ROOT)}")
    results.append((path, cpu_us))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.profile", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=0.0002, help="sampling interval, s")
    parser.add_argument("--database-url", default=None, help="an already seeded database")
    parser.add_argument("--apps", default="flask,fastapi")
    arguments = parser.parse_args(argv)
    apps = [app.strip() for app in arguments.apps.split(",") if app.strip()]

    from shared.settings import Settings

    with tempfile.TemporaryDirectory(prefix="conduit-profile-") as folder:
        database_url = arguments.database_url
        if database_url is None:
            database_url = f"sqlite:///{Path(folder) / 'profile.db'}"
            say(f"migrating and seeding {database_url}")
            prepare(database_url)
        settings = Settings(database_url=database_url, log_level="WARNING")
        summary: list[tuple[str, str, float]] = []
        if "flask" in apps:
            summary += [("flask", path, us) for path, us in profile_flask(arguments, settings)]
        if "fastapi" in apps:
            summary += [("fastapi", path, us) for path, us in profile_fastapi(arguments, settings)]
    print("\n| app | path | CPU us/request (in-process, unprofiled) |\n|---|---|---:|")
    for app, path, cpu_us in summary:
        print(f"| {app} | GET {path} | {cpu_us:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
