"""Throughput ceilings: how close each real app gets to its server's and framework's floor.

    make load-ceilings
    uv run python -m loadtests.ceilings [--seconds 10] [--connections 50]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test] [--only sqlite]

For each database (a fresh SQLite file seeded with the demo data; and PostgreSQL when
--database-url is given, in a dedicated database `conduit_load` created and dropped on that
server), and each of

    gunicorn (sync, and gthread)  raw WSGI | bare Flask   | the real Flask app
    uvicorn                       raw ASGI | bare FastAPI | the real FastAPI app
    granian (--servers default,granian): the same six, WSGI and ASGI

it serves the app with one worker pinned to CPU 0 (taskset), warms it up, then runs wrk on CPU 1
(`-t1 -c50 -d10s`) against `GET /api/tags` (all apps) and `GET /api/articles?limit=20` (the real
apps), and prints a markdown table: req/s, the share of the raw floor on the same server and
worker class (`GET /api/tags` from a cached body), and the share of the bare framework.
The table is also written to loadtests/reports/ceilings-<timestamp>.md.

`python -m loadtests compare` runs the same measurement (`measure()`) on its own bulk-seeded
database as the first phase of `make load`; this command is the standalone version.

Everything runs on 127.0.0.1 and stops by itself (--time-limit). wrk comes from the Debian
package `wrk`: installed with apt-get when missing and running as root, otherwise explained.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Collection
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path

import psutil
from sqlalchemy.engine import make_url

from loadtests import servers
from loadtests.processes import CLIENT_CPU
from loadtests.processes import SERVER_CPU
from loadtests.processes import can_pin
from loadtests.processes import cpu_seconds
from loadtests.processes import http_get
from loadtests.processes import process_tree
from loadtests.servers import Server
from shared.settings import PROJECT_ROOT

REPORTS = PROJECT_ROOT / "loadtests" / "reports"
LOAD_DATABASE = "conduit_load"
TAGS = "/api/tags"
ARTICLES = "/api/articles?limit=20"


@dataclass(frozen=True)
class Target:
    stack: str  # "flask" | "fastapi": whose server and framework
    server: Server
    app: str  # "raw", "bare", "real"
    label: str
    spec: str  # what the server is told to load
    paths: tuple[str, ...]


KINDS = ("raw", "bare", "real")
# (stack, kind): (label, target, paths)
_APPS = {
    ("flask", "raw"): ("raw WSGI", "loadtests.floors:raw_wsgi", (TAGS,)),
    ("flask", "bare"): ("bare Flask", "loadtests.floors:create_bare_flask()", (TAGS,)),
    ("flask", "real"): ("Flask app", servers.APPS["flask"].target, (TAGS, ARTICLES)),
    ("fastapi", "raw"): ("raw ASGI", "loadtests.floors:raw_asgi", (TAGS,)),
    ("fastapi", "bare"): ("bare FastAPI", "loadtests.floors:create_bare_fastapi()", (TAGS,)),
    ("fastapi", "real"): ("FastAPI app", servers.APPS["fastapi"].target, (TAGS, ARTICLES)),
}


def stack_targets(stack: str, server: Server, kinds: Collection[str] = KINDS) -> list[Target]:
    """The raw floor, the bare framework and the real app of one stack on one server."""
    return [Target(stack, server, kind, *_APPS[stack, kind]) for kind in KINDS if kind in kinds]


def _targets(gthread_threads: int, server_names: list[str]) -> list[Target]:
    """Standalone runs: gunicorn sync and gthread, uvicorn, and granian when asked."""
    targets = []
    for name in server_names:
        if name == "default":
            for worker_class in ("sync", "gthread"):
                threads = gthread_threads if worker_class == "gthread" else 1
                gunicorn = Server("gunicorn", "wsgi", worker_class=worker_class, threads=threads)
                targets += stack_targets("flask", gunicorn)
        else:
            wsgi = servers.for_app(
                name, "wsgi", workers=1, worker_class="gthread", threads=gthread_threads
            )
            targets += stack_targets("flask", wsgi)
    for name in server_names:
        asgi = servers.for_app(name, "asgi", workers=1, worker_class="", threads=1)
        targets += stack_targets("fastapi", asgi)
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


@dataclass(frozen=True)
class WrkSettings:
    seconds: float = 10.0
    warmup: float = 2.0
    connections: int = 50

    def describe(self) -> str:
        return (
            f"wrk -t1 -c{self.connections}, {self.seconds:g} s per row after a "
            f"{self.warmup:g} s warm-up"
        )


@dataclass
class Row:
    database: str
    target: Target
    path: str
    result: WrkResult
    server_cpu_seconds: float = float("nan")  # the server tree's, while wrk measured
    wall_seconds: float = float("nan")

    @property
    def server_cpu_percent(self) -> float:
        return 100 * self.server_cpu_seconds / self.wall_seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.server_cpu_seconds / max(1, self.result.requests)


def measure(
    targets: list[Target],
    env: dict[str, str],
    wrk: str,
    settings: WrkSettings,
    pin: bool,
    workdir: Path,
    database: str,
    deadline: float,
    say: Callable[[str], None] = say,
) -> list[Row]:
    """wrk against every target in turn, one server at a time; real apps first, so the floors
    answer their GET /api/tags body (FLOORS_TAGS_BODY_FILE); every target must answer it."""
    env = {**env, "LOG_LEVEL": "WARNING"}
    log_path = workdir / f"servers-{database}.log"
    body: bytes | None = None
    rows = []
    for target in sorted(targets, key=lambda target: target.app != "real"):
        if time.monotonic() > deadline:
            say(f"time limit reached; skipping {target.server.describe()} {target.label}")
            continue
        with servers.serving(target.server, target.spec, env, pin, log_path, target.label) as (
            base_url,
            process,
        ):
            server = psutil.Process(process.pid)
            status, answer = http_get(f"{base_url}{TAGS}")
            if status != 200:
                raise RuntimeError(f"{target.label}: GET {TAGS} answered {status}")
            if body is None:
                body = answer
                body_file = workdir / f"tags-{database}-{target.stack}.json"
                body_file.write_bytes(body)
                env["FLOORS_TAGS_BODY_FILE"] = str(body_file)
            elif json.loads(answer) != json.loads(body):
                raise RuntimeError(f"{target.label}: GET {TAGS} differs from the real app")
            for path in target.paths:
                url = f"{base_url}{path}"
                run_wrk(wrk, url, settings.warmup, settings.connections, pin)
                cpu_before, started = cpu_seconds(process_tree(server)), time.monotonic()
                result = run_wrk(wrk, url, settings.seconds, settings.connections, pin)
                cpu = cpu_seconds(process_tree(server)) - cpu_before
                row = Row(database, target, path, result, cpu, time.monotonic() - started)
                rows.append(row)
                say(
                    f"{database}: {target.server.describe()} {target.label} GET {path}: "
                    f"{result.rate:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                    f"p99 {result.p99_ms:.1f} ms, {result.non_2xx} non-2xx, "
                    f"{result.socket_errors} socket errors, "
                    f"server CPU {row.server_cpu_percent:.0f}%"
                )
    order = {target: index for index, target in enumerate(targets)}
    return sorted(rows, key=lambda row: order[row.target])


def measure_database(
    database: str,
    database_url: str,
    arguments: argparse.Namespace,
    wrk: str,
    pin: bool,
    workdir: Path,
    deadline: float,
) -> list[Row]:
    say(f"{database}: migrating and seeding (demo data)")
    prepare(database_url)
    settings = WrkSettings(arguments.seconds, arguments.warmup, arguments.connections)
    targets = [
        target
        for target in _targets(arguments.gthread_threads, arguments.servers)
        if target.app in arguments.apps
    ]
    return measure(
        targets, _python_env(database_url), wrk, settings, pin, workdir, database, deadline
    )


# Reporting


def _share(rate: float, floor: float | None) -> str:
    return f"{rate / floor:.0%}" if floor else "-"


def floor_rate(rows: list[Row], row: Row, kind: str) -> float | None:
    """GET /api/tags req/s of the `kind` app ("raw" or "bare") of row's stack, on the same
    database and server configuration."""
    for other in rows:
        if (
            other.database == row.database
            and other.target.stack == row.target.stack
            and other.target.server == row.target.server
            and other.target.app == kind
            and other.path == TAGS
        ):
            return other.result.rate
    return None


HEADER = [
    "db", "server", "app", "path", "req/s", "share of raw floor", "share of bare framework",
    "p50 ms", "p99 ms", "server CPU %", "server CPU ms per request", "errors",
]  # fmt: skip


def table_rows(rows: list[Row]) -> list[list[str]]:
    """One line of cells per row, as HEADER names them."""
    return [
        [
            row.database,
            row.target.server.describe(),
            row.target.label,
            f"GET {row.path}",
            f"{row.result.rate:,.0f}",
            _share(row.result.rate, floor_rate(rows, row, "raw")),
            _share(row.result.rate, floor_rate(rows, row, "bare")),
            f"{row.result.p50_ms:.1f}",
            f"{row.result.p99_ms:.1f}",
            f"{row.server_cpu_percent:.0f}",
            f"{row.cpu_ms_per_request:.2f}",
            str(row.result.non_2xx + row.result.socket_errors),
        ]
        for row in rows
    ]


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|---|---" + "|---:" * 8 + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    return "\n".join(lines)


def explanation(settings: WrkSettings, pin: bool) -> str:
    placement = (
        f"server on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU} (taskset)"
        if pin
        else "not pinned (taskset or two CPUs unavailable): server and wrk share the machine"
    )
    return (
        f"One worker per server; {settings.describe()}; {placement}. Shares compare with GET "
        f"{TAGS} of the raw floor and the bare framework of the same stack on the same server "
        "and worker settings (for the articles rows too: they are the only floors). "
        "Server CPU is the server process tree's user+system time while wrk measured (100% = "
        "its one pinned CPU was busy: then CPU ms per request sets the ceiling, 1000 / it req/s). "
        "errors = non-2xx answers + connect errors + timeouts."
    )


def report(rows: list[Row], arguments: argparse.Namespace, pin: bool) -> str:
    settings = WrkSettings(arguments.seconds, arguments.warmup, arguments.connections)
    return "\n".join(
        [
            f"# Ceilings, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            "",
            explanation(settings, pin),
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
    parser.add_argument(
        "--servers",
        default="default",
        help="default (gunicorn sync and gthread, uvicorn) and/or granian",
    )
    parser.add_argument("--time-limit", type=float, default=1200.0)
    arguments = parser.parse_args(argv)
    arguments.apps = {app.strip() for app in arguments.apps.split(",") if app.strip()}
    arguments.servers = [name.strip() for name in arguments.servers.split(",") if name.strip()]
    if set(arguments.servers) - {"default", "granian"} or not arguments.servers:
        parser.error("--servers: default and/or granian")
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
