"""Load smoke test: every Locust scenario (`loadtests/scenarios.py`) for a few seconds against
each app under its production server, one app at a time.

    make load-smoke
    uv run python -m loadtests.smoke [--apps flask,fastapi] [--scenarios reader,author,links,mixed]
                                     [--seconds 5] [--users 5] [--mixed-users 20]

For each app in turn, all on 127.0.0.1 and bounded in time (it stops by itself):

1. a fresh SQLite database in a temporary folder, migrated with Alembic and seeded with
   `python -m shared.seed` (DATABASE_URL);
2. the app's production server (as `make bench-links` starts it: gunicorn gthread for Flask,
   uvicorn for FastAPI; same FLASK_* / FASTAPI_* settings), LINK_PREVIEW_ALLOWED_HOSTS=127.0.0.1;
3. one article tagged `load-links` with 10 links to the upstream stand-in (`python -m upstream`);
4. each scenario run headless (`locust --headless -u N -r N -t Ns --csv ...`), then the server
   is stopped.

It prints a per-app, per-scenario table (requests, failures, req/s, p50, p99 from Locust's CSV
stats) and exits 1 only when a request failed or Locust produced no stats; timings never fail it.
"""

import argparse
import csv
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from loadtests import bench_links
from loadtests.bench_links import HOST
from loadtests.processes import CLIENT_CPU
from loadtests.processes import can_pin
from shared.settings import PROJECT_ROOT
from shared.settings import Settings
from upstream import running_upstream

SCENARIOS = ("reader", "author", "links", "mixed")
LINKS_TAG = "load-links"
LINKS = 10
STAND_IN_LATENCY_MS = 20


def say(message: str) -> None:
    print(f"load-smoke: {message}", flush=True)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.smoke", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--apps", default="flask,fastapi")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--seconds", type=int, default=5, help="run time per scenario")
    parser.add_argument("--users", type=int, default=5, help="users per single scenario")
    parser.add_argument(
        "--mixed-users",
        type=int,
        default=20,
        help="users for `mixed` (enough for the 80/15/5 weights to give every class one)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=300, help="give up (and clean up) after this many s"
    )
    arguments = parser.parse_args(argv)
    arguments.apps = [app.strip() for app in arguments.apps.split(",") if app.strip()]
    arguments.scenarios = [name.strip() for name in arguments.scenarios.split(",") if name.strip()]
    if set(arguments.apps) - {"flask", "fastapi"}:
        parser.error("--apps: flask and/or fastapi")
    if set(arguments.scenarios) - set(SCENARIOS):
        parser.error(f"--scenarios: some of {', '.join(SCENARIOS)}")
    return arguments


@dataclass
class Row:
    app: str
    scenario: str
    requests: int = 0
    failures: int = 0
    rate: float = 0.0
    p50: str = "-"
    p99: str = "-"
    problem: str | None = None  # set when Locust produced no stats


def run_locust(
    app: str, scenario: str, base_url: str, users: int, seconds: int, folder: Path, pin: bool
) -> Row:
    prefix = folder / f"{app}-{scenario}"
    prefix_cpu = ["taskset", "-c", str(CLIENT_CPU)] if pin else []
    command = [
        *prefix_cpu,
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(PROJECT_ROOT / "loadtests" / "scenarios.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--host",
        base_url,
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "LOAD_SCENARIO": scenario, "LOAD_LINKS_TAG": LINKS_TAG}
    env["LOAD_LINKS_EXPECTED"] = str(LINKS)
    log_path = folder / f"{app}-{scenario}-locust.log"
    with log_path.open("wb") as log:
        try:
            subprocess.run(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=seconds + 60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Row(app, scenario, problem="locust did not stop in time")
    row = read_stats(app, scenario, Path(f"{prefix}_stats.csv"))
    if row.problem or row.failures:
        tail = log_path.read_text(errors="replace").strip().splitlines()[-15:]
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists():
            tail = [*tail, *failures.read_text().strip().splitlines()[:10]]
        say(f"{app} {scenario}: " + "\n    ".join(["locust said:", *tail]))
    return row


def read_stats(app: str, scenario: str, path: Path) -> Row:
    """The Aggregated row of Locust's `<prefix>_stats.csv`."""
    if not path.exists():
        return Row(app, scenario, problem="no stats file")
    with path.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("Name") == "Aggregated"]
    if not rows:
        return Row(app, scenario, problem="no Aggregated row")
    total = rows[0]
    try:
        row = Row(
            app,
            scenario,
            requests=int(total["Request Count"]),
            failures=int(total["Failure Count"]),
            rate=float(total["Requests/s"]),
            p50=total["50%"],
            p99=total["99%"],
        )
    except (KeyError, ValueError) as error:
        return Row(app, scenario, problem=f"unreadable stats ({error!r})")
    if row.requests == 0:
        row.problem = "no requests"
    return row


def table(rows: list[Row]) -> str:
    lines = [
        "| app | scenario | requests | failures | req/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.app} | {row.scenario} | {row.requests} | {row.failures} | {row.rate:.1f} | "
            f"{row.p50} | {row.p99} |" + (f" {row.problem}" if row.problem else "")
        )
    return "\n".join(lines)


def prepare_database(folder: Path, app: str) -> tuple[str, str]:
    """A fresh, migrated, seeded SQLite database; (DATABASE_URL, SECRET_KEY)."""
    secret_key = secrets.token_hex(32)
    database_url = f"sqlite:///{folder / f'{app}.db'}"
    bench_links.migrate(Settings(database_url=database_url, secret_key=secret_key))
    subprocess.run(
        [sys.executable, "-m", "shared.seed"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key},
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=120,
    )
    return database_url, secret_key


def create_links_article(base_url: str, stand_in: str) -> str:
    name = f"smoke{secrets.token_hex(4)}"
    user = {"username": name, "email": f"{name}@example.com", "password": "smoke-password-1"}
    token = bench_links._post_json(f"{base_url}/api/users", {"user": user})["user"]["token"]
    links = [
        f"{stand_in}/page?title=Smoke+page+{n}&delay_ms={STAND_IN_LATENCY_MS}&n={n}"
        for n in range(LINKS)
    ]
    body = "Links:\n" + "\n".join(f"- [page {n}]({url})" for n, url in enumerate(links))
    article = {
        "title": f"Smoke links {name}",
        "description": "Link previews for the load smoke test",
        "body": body,
        "tagList": [LINKS_TAG],
    }
    result = bench_links._post_json(f"{base_url}/api/articles", {"article": article}, token)
    return str(result["article"]["slug"])


def run(arguments: argparse.Namespace, folder: Path) -> list[Row]:
    pin = can_pin()
    server_arguments = bench_links._arguments([])  # server settings: FLASK_* / FASTAPI_* env
    rows: list[Row] = []
    stand_in_prefix = ["taskset", "-c", str(CLIENT_CPU)] if pin else []
    with (
        (folder / "upstream.log").open("wb") as upstream_log,
        running_upstream(prefix=stand_in_prefix, log=upstream_log) as stand_in,
    ):
        say(f"stand-in on {stand_in}; CPU pinning {'on' if pin else 'off'}; logs in {folder}")
        for app in arguments.apps:
            started = time.monotonic()
            database_url, secret_key = prepare_database(folder, app)
            say(f"{app}: fresh database migrated and seeded ({time.monotonic() - started:.1f} s)")
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "SECRET_KEY": secret_key,
                "ENVIRONMENT": "production",
                "LOG_LEVEL": "WARNING",
                "LINK_PREVIEW_ALLOWED_HOSTS": HOST,
            }
            say(f"{app}: starting {bench_links._server_description(app, server_arguments)}")
            with bench_links.running_app(
                app, env, server_arguments, pin, folder / f"{app}.log"
            ) as base_url:
                slug = create_links_article(base_url, stand_in)
                say(f"{app}: serving on {base_url}; article {slug} with {LINKS} links")
                for scenario in arguments.scenarios:
                    users = arguments.mixed_users if scenario == "mixed" else arguments.users
                    row = run_locust(app, scenario, base_url, users, arguments.seconds, folder, pin)
                    rows.append(row)
                    say(
                        f"{app} {scenario}: {row.requests} requests, {row.failures} failures"
                        + (f" ({row.problem})" if row.problem else "")
                    )
            say(f"{app}: stopped")
    return rows


def _on_alarm(_signal: int, _frame: object) -> None:
    raise bench_links.TimeLimit("load-smoke: time limit reached")


def _on_term(_signal: int, _frame: object) -> None:
    raise SystemExit(143)


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(int(arguments.time_limit))
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="load-smoke-") as folder:
            rows = run(arguments, Path(folder))
    finally:
        signal.alarm(0)
    print()
    print(table(rows))
    print()
    failed = [row for row in rows if row.failures or row.problem]
    elapsed = time.monotonic() - started
    if failed:
        names = ", ".join(f"{row.app} {row.scenario}" for row in failed)
        say(f"FAILED ({elapsed:.0f} s): request failures or missing stats in {names}")
        return 1
    say(f"passed ({elapsed:.0f} s): {len(rows)} runs, no request failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
