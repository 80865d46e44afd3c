"""Throughput ceilings: how close each real app gets to its server's and framework's floor.

    make load-ceilings
    uv run python -m loadtests.ceilings [--seconds 10] [--connections 50]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--only sqlite]

For each database (a fresh seeded SQLite file; and PostgreSQL when --database-url is given,
in a dedicated database `conduit_load` created and dropped on that server), and each of

    gunicorn (sync, and gthread)  raw WSGI | bare Flask   | the real Flask app
    uvicorn                       raw ASGI | bare FastAPI | the real FastAPI app

it serves the app with one worker pinned to CPU 0 (taskset), warms it up, then runs wrk on CPU 1
(`-t1 -c50 -d10s`) against `GET /api/tags` (all apps) and `GET /api/articles?limit=20` (the real
apps), and prints a markdown table: req/s, the share of the raw floor on the same server and
worker class (`GET /api/tags` from a cached body), and the share of the bare framework.
The table is also written to loadtests/reports/ceilings-<timestamp>.md.

Everything runs on 127.0.0.1 and stops by itself (--time-limit). wrk comes from the Debian
package `wrk`: installed with apt-get when missing and running as root, otherwise explained.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from loadtests.processes import CLIENT_CPU
from loadtests.processes import HOST
from loadtests.processes import SERVER_CPU
from loadtests.processes import can_pin
from loadtests.processes import free_port
from loadtests.processes import http_get
from shared.settings import PROJECT_ROOT

REPORTS = PROJECT_ROOT / "loadtests" / "reports"
LOAD_DATABASE = "conduit_load"
TAGS = "/api/tags"
ARTICLES = "/api/articles?limit=20"


@dataclass(frozen=True)
class Target:
    server: str  # "gunicorn sync", "gunicorn gthread", "uvicorn"
    app: str  # "raw", "bare", "real"
    label: str
    spec: str  # what the server is told to load
    paths: tuple[str, ...]


def _targets(gthread_threads: int) -> list[Target]:
    targets = []
    for worker_class in ("sync", "gthread"):
        server = f"gunicorn {worker_class}"
        if worker_class == "gthread":
            server += f" ({gthread_threads} threads)"
        targets += [
            Target(server, "raw", "raw WSGI", "loadtests.floors:raw_wsgi", (TAGS,)),
            Target(server, "bare", "bare Flask", "loadtests.floors:create_bare_flask()", (TAGS,)),
            Target(server, "real", "Flask app", "flask_app:create_app()", (TAGS, ARTICLES)),
        ]
    targets += [
        Target("uvicorn", "raw", "raw ASGI", "loadtests.floors:raw_asgi", (TAGS,)),
        Target("uvicorn", "bare", "bare FastAPI", "loadtests.floors:create_bare_fastapi", (TAGS,)),
        Target("uvicorn", "real", "FastAPI app", "fastapi_app:create_app", (TAGS, ARTICLES)),
    ]
    return targets


def say(message: str) -> None:
    print(f"ceilings: {message}", flush=True)


# wrk


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("wrk not found; installing the Debian package wrk (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
        if not found:
            subprocess.run(["apt-get", "update"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(
                ["apt-get", "install", "-y", "wrk"], check=False, stdout=subprocess.DEVNULL
            )
            found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "ceilings: wrk (the HTTP benchmarking tool) is needed and was not found.\n"
        "  Debian/Ubuntu: sudo apt-get install -y wrk   (macOS: brew install wrk)\n"
        "  This script installs it itself only when running as root with apt-get."
    )


@dataclass
class WrkResult:
    rate: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, url: str, seconds: float, connections: int, pin: bool) -> WrkResult:
    prefix = ["taskset", "-c", str(CLIENT_CPU)] if pin else []
    command = [
        *prefix,
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))

    def percentile(key: str) -> float:
        match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", latencies.get(key, ""))
        return _ms(*match.groups()) if match else float("nan")

    # gunicorn's sync worker closes every connection after its answer; wrk counts those
    # reconnects as read errors, so only connect errors and timeouts are real failures.
    socket_errors = int(errors.group(1)) + int(errors.group(4)) if errors else 0
    return WrkResult(
        rate=float(rate.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors,
        p50_ms=percentile("50"),
        p99_ms=percentile("99"),
    )


# Servers


def _server_command(target: Target, port: int, gthread_threads: int) -> list[str]:
    if target.server.startswith("gunicorn"):
        worker_class = target.server.split()[1]
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            "1",
            "--worker-class",
            worker_class,
            "--threads",
            str(gthread_threads if worker_class == "gthread" else 1),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
            target.spec,
        ]
    factory = (
        ["--factory"] if target.spec.startswith(("fastapi_app:", "loadtests.floors:create")) else []
    )
    return [
        sys.executable,
        "-m",
        "uvicorn",
        target.spec,
        *factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        "1",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def _stop(process: subprocess.Popen[bytes]) -> None:
    """TERM the server's process group (a session of its own), KILL after 15 s."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    with suppress(ProcessLookupError):  # workers left behind by a crashed master
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def serving(
    target: Target, env: dict[str, str], pin: bool, gthread_threads: int, log_path: Path
) -> Iterator[str]:
    port = free_port()
    prefix = ["taskset", "-c", str(SERVER_CPU)] if pin else []
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*prefix, *_server_command(target, port, gthread_threads)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://{HOST}:{port}"
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{target.label} exited at start-up; see {log_path}")
                with suppress(OSError):
                    if http_get(f"{base_url}{TAGS}")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{target.label} not ready after 60 s; see {log_path}")
                time.sleep(0.2)
            yield base_url
        finally:
            _stop(process)


# Databases


def _python_env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(PROJECT_ROOT)}
    # Seeding hashes 30 passwords; the cost does not matter to reads.
    env.update(PASSWORD_HASH_TIME_COST="1", PASSWORD_HASH_MEMORY_KIB="8192")
    return env


def prepare(database_url: str) -> None:
    """Migrate and seed (python -m shared.seed) an empty database."""
    env = _python_env(database_url)
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, "-m", "shared.seed"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh `conduit_load` database on the server of admin_url, dropped afterwards."""
    import psycopg

    url = make_url(admin_url)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def execute(statement: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE} WITH (FORCE)")
    execute(f"CREATE DATABASE {LOAD_DATABASE}")
    try:
        yield url.set(database=LOAD_DATABASE).render_as_string(hide_password=False)
    finally:
        execute(f"DROP DATABASE IF EXISTS {LOAD_DATABASE} WITH (FORCE)")


# Measuring


@dataclass
class Row:
    database: str
    target: Target
    path: str
    result: WrkResult


def _body_of_real_app(
    env: dict[str, str], pin: bool, gthread_threads: int, log_path: Path
) -> bytes:
    real_fastapi = next(t for t in _targets(gthread_threads) if t.label == "FastAPI app")
    with serving(real_fastapi, env, pin, gthread_threads, log_path) as base_url:
        status, body = http_get(f"{base_url}{TAGS}")
    if status != 200:
        raise RuntimeError(f"the FastAPI app answered {status} to GET {TAGS}")
    return body


def measure_database(
    database: str,
    database_url: str,
    arguments: argparse.Namespace,
    wrk: str,
    pin: bool,
    workdir: Path,
    deadline: float,
) -> list[Row]:
    say(f"{database}: migrating and seeding")
    prepare(database_url)
    env = _python_env(database_url)
    env["LOG_LEVEL"] = "WARNING"
    log_path = workdir / f"servers-{database}.log"
    body = _body_of_real_app(env, pin, arguments.gthread_threads, log_path)
    body_file = workdir / f"tags-{database}.json"
    body_file.write_bytes(body)
    env["FLOORS_TAGS_BODY_FILE"] = str(body_file)
    say(f"{database}: GET {TAGS} body from the FastAPI app: {len(body)} bytes")
    rows = []
    for target in _targets(arguments.gthread_threads):
        if target.app not in arguments.apps:
            continue
        if time.monotonic() > deadline:
            say(f"time limit reached; skipping {target.server} {target.label}")
            continue
        with serving(target, env, pin, arguments.gthread_threads, log_path) as base_url:
            status, answer = http_get(f"{base_url}{TAGS}")
            if status != 200 or json.loads(answer) != json.loads(body):
                raise RuntimeError(f"{target.label}: GET {TAGS} differs from the real app")
            for path in target.paths:
                url = f"{base_url}{path}"
                run_wrk(wrk, url, arguments.warmup, arguments.connections, pin)
                result = run_wrk(wrk, url, arguments.seconds, arguments.connections, pin)
                rows.append(Row(database, target, path, result))
                say(
                    f"{database}: {target.server} {target.label} GET {path}: "
                    f"{result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                    f"p99 {result.p99_ms:.1f} ms, {result.non_2xx} non-2xx, "
                    f"{result.socket_errors} socket errors"
                )
    return rows


# Reporting


def _share(rate: float, floor: float | None) -> str:
    return f"{rate / floor:.0%}" if floor else "-"


def table(rows: list[Row]) -> str:
    lines = [
        "| db | server | app | path | req/s | share of raw floor | share of bare framework"
        " | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:

        def rate_of(app: str, row: Row = row) -> float | None:
            for other in rows:
                if (
                    other.database == row.database
                    and other.target.server == row.target.server
                    and other.target.app == app
                    and other.path == TAGS
                ):
                    return other.result.rate
            return None

        result = row.result
        lines.append(
            f"| {row.database} | {row.target.server} | {row.target.label} | GET {row.path} "
            f"| {result.rate:,.0f} | {_share(result.rate, rate_of('raw'))} "
            f"| {_share(result.rate, rate_of('bare'))} | {result.p50_ms:.1f} "
            f"| {result.p99_ms:.1f} | {result.non_2xx + result.socket_errors} |"
        )
    return "\n".join(lines)


def report(rows: list[Row], arguments: argparse.Namespace, pin: bool) -> str:
    placement = (
        f"server on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU} (taskset)"
        if pin
        else "not pinned (taskset or two CPUs unavailable): server and wrk share the machine"
    )
    return "\n".join(
        [
            f"# Ceilings, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            f"One worker per server; wrk -t1 -c{arguments.connections}, "
            f"{arguments.seconds:.0f} s per row after a {arguments.warmup:.0f} s warm-up; "
            f"{placement}. Shares compare with GET {TAGS} of the raw and bare apps on the same "
            "server and worker class (for the articles rows too: they are the only floors). "
            "errors = non-2xx answers + connect errors + timeouts.",
            "",
            table(rows),
            "",
        ]
    )


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.ceilings", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--gthread-threads", type=int, default=8)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL"),
        help="a PostgreSQL server to measure on too (a database conduit_load is created there)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--apps", default="raw,bare,real", help="subset of raw,bare,real")
    parser.add_argument("--time-limit", type=float, default=1200.0)
    arguments = parser.parse_args(argv)
    arguments.apps = {app.strip() for app in arguments.apps.split(",") if app.strip()}
    if arguments.database_url and make_url(arguments.database_url).get_backend_name() != (
        "postgresql"
    ):
        parser.error("--database-url must be a PostgreSQL URL")
    if arguments.only == "postgresql" and not arguments.database_url:
        parser.error("--only postgresql needs --database-url")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    wrk = ensure_wrk()
    pin = can_pin()
    if not pin:
        say("taskset or CPUs 0 and 1 unavailable: server and wrk will share the CPUs")
    deadline = time.monotonic() + arguments.time_limit
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="conduit-ceilings-") as folder:
        workdir = Path(folder)
        try:
            if arguments.only in (None, "sqlite"):
                url = f"sqlite:///{workdir / 'load.db'}"
                rows += measure_database("sqlite", url, arguments, wrk, pin, workdir, deadline)
            if arguments.database_url and arguments.only in (None, "postgresql"):
                with postgres_database(arguments.database_url) as url:
                    rows += measure_database(
                        "postgresql", url, arguments, wrk, pin, workdir, deadline
                    )
        except Exception:
            for log in workdir.glob("servers-*.log"):
                sys.stderr.write(f"--- {log.name} (last lines)\n")
                sys.stderr.write("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
            raise
    text = report(rows, arguments, pin)
    print(text)
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"ceilings-{datetime.now(UTC):%Y%m%d-%H%M%S}.md"
    path.write_text(text)
    say(f"report written to {path.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
