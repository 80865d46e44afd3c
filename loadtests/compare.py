"""Side-by-side load comparison of the two apps: `python -m loadtests compare` (or `make load`).

    uv run python -m loadtests compare [--scenario mixed,reader,author,links] [--duration 30]
        [--users-count 50] [--sweep 1,10,50,100] [--warmup 5] [--apps flask,fastapi]
        [--users 1000] [--articles 10000] [--comments 50000] [--tags 200]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--flask-workers 1] [--flask-worker-class gthread] [--flask-threads 8] [--fastapi-workers 1]
        [--flask-links-threads 32,64,128]
        [--ceilings | --no-ceilings] [--servers default,granian] [--ceiling-seconds 6]
        [--ceiling-warmup 4] [--ceiling-connections 50] [--locust-servers default,granian]
        [--upstream-latency-ms 100] [--think-time 1] [--link-concurrency 500]
        [--locust-processes 1]
        [--time-limit S] [--output DIR]

For each app in turn (never both at once), all on 127.0.0.1 and bounded in time:

1. reset the database and bulk-seed identical data (`loadtests/bulk_seed.py`; SQLite in a
   temporary folder by default, or `--database-url`);
2. ceilings (`--ceilings`, on by default): on that database, for each server of `--servers`
   (default: gunicorn for Flask and uvicorn for FastAPI, then granian for both), wrk against the
   raw WSGI/ASGI floor and the bare framework (`GET /api/tags`) and the real app (`GET /api/tags`,
   `GET /api/articles?limit=20`): `loadtests/ceilings.py`'s `measure()`;
3. one article tagged `load-links` with 10 links to the upstream stand-in (`--upstream-latency-ms`
   per page, default 100 ms);
4. per server of `--locust-servers` and scenario: the app's production server with the scenario's
   worker settings (FLASK_WORKER_SETTINGS below), pinned to the server CPU with taskset when
   available (Locust, wrk and the stand-in on the other CPUs); per user count, one headless
   Locust run of warm-up + duration seconds; after the warm-up the stats are reset
   (`loadtests/compare_locustfile.py`), and from then on the server process tree's CPU time and
   peak RSS (psutil, sampled) and Locust's own CPU are recorded. A run whose generator used more
   than 90% of a CPU is marked invalid.

The report goes to loadtests/reports/<timestamp>/: report.md, report.html (charts embedded),
charts as PNG, Locust's CSVs (csv/), logs (logs/) (`loadtests/compare_report.py`).
"""

import argparse
import csv
import importlib.metadata
import os
import platform
import secrets
import shlex
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path

import psutil

from loadtests import bench_links
from loadtests import bulk_seed
from loadtests import ceilings
from loadtests import compare_report
from loadtests import servers
from loadtests.processes import HOST
from loadtests.processes import SERVER_CPU
from loadtests.processes import can_pin
from loadtests.processes import cpu_seconds
from loadtests.processes import process_tree
from loadtests.processes import rss_bytes
from loadtests.processes import time_limit
from loadtests.servers import Server
from shared.settings import PROJECT_ROOT
from shared.settings import Settings
from upstream import running_upstream

SCENARIOS = ("mixed", "reader", "author", "links")
APPS = ("flask", "fastapi")
SERVERS = ("default", "granian")
LINKS_TAG = "load-links"
LINKS = 10
GENERATOR_LIMIT = 90.0  # % of one CPU; above it the generator, not the server, may be the limit
WARMUP_EXTRA = 60.0  # s: how much longer a warm-up may wait for authors to sign in
OVERHEAD_PER_RUN = 4.0  # seconds: Locust start-up and stop, for the time-left estimate
OVERHEAD_PER_SERVER = 3.0  # seconds: a server's start and stop
OVERHEAD_PER_APP = 6.0  # seconds: seeding
OVERHEAD_PER_WRK = 0.5  # seconds: wrk start-up, twice per row (warm-up and measure)

# Flask's worker settings per scenario, when --flask-worker-class / --flask-threads are not
# given: the documented choice for each kind of traffic (see FLASK_SETTINGS_WHY).
FLASK_WORKER_SETTINGS = {
    "reader": ("gthread", 8),
    "author": ("gthread", 8),
    "mixed": ("gthread", 8),
    "links": ("gthread", 32),
}
FLASK_SETTINGS_WHY = (
    "Flask runs one gunicorn worker (the same CPU budget as FastAPI's one uvicorn worker). "
    "reader, author and mixed are database-bound: gthread with 8 threads, because gunicorn's "
    "sync worker serves one request at a time and closes every keep-alive connection (its docs "
    "advise threads or an async worker as soon as requests wait on I/O), while on one CPU more "
    "threads than the database waits they overlap only add GIL contention. links is I/O fan-out "
    "(each request waits ~1 upstream round trip with its thread idle): gthread with 32 "
    "threads, so that 32 requests wait on upstreams at once, as `make bench-links` documents "
    "(loadtests/bench_links.py); --flask-links-threads 16,32,64 measures others and keeps "
    "Flask's best. The ceilings "
    "phase serves Flask with the database-bound settings. Granian serves Flask with as many "
    "blocking threads as gunicorn has threads."
)


def say(message: str) -> None:
    print(f"load: {message}", flush=True)


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _server_names(text: str) -> list[str]:
    """default,granian; gunicorn and uvicorn are other names of default."""
    aliases = {"gunicorn": "default", "uvicorn": "default"}
    return list(dict.fromkeys(aliases.get(name, name) for name in _names(text)))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loadtests compare", description=__doc__.split("\n\n")[0]
    )
    size = bulk_seed.Size()
    parser.add_argument("--apps", default="flask,fastapi")
    parser.add_argument("--scenario", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=5, help="warm-up seconds per run")
    parser.add_argument("--users-count", type=int, default=50, help="simulated Locust users")
    parser.add_argument("--sweep", default=None, help="several user counts, e.g. 1,10,50,100")
    parser.add_argument("--users", type=int, default=size.users, help="seeded users")
    parser.add_argument("--articles", type=int, default=size.articles)
    parser.add_argument("--comments", type=int, default=size.comments)
    parser.add_argument("--tags", type=int, default=size.tags)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOAD_DATABASE_URL"),
        help="a PostgreSQL server (database conduit_load is created there, reset per app and "
        "dropped at the end); default: SQLite in a temporary folder",
    )
    parser.add_argument(
        "--flask-workers", type=int, default=bench_links._env_int("FLASK_WORKERS", 1)
    )
    parser.add_argument(
        "--flask-worker-class",
        default=os.environ.get("FLASK_WORKER_CLASS"),
        help="gunicorn worker class for every scenario (default: per scenario, gthread)",
    )
    parser.add_argument(
        "--flask-threads",
        type=int,
        default=int(os.environ["FLASK_THREADS"]) if "FLASK_THREADS" in os.environ else None,
        help="threads for every scenario (default: 8, and 32 for links)",
    )
    parser.add_argument(
        "--flask-links-threads",
        default=None,
        help="links only: several gthread thread counts, e.g. 32,64,128; the report keeps "
        "Flask's best (default: the one documented setting)",
    )
    parser.add_argument(
        "--fastapi-workers", type=int, default=bench_links._env_int("FASTAPI_WORKERS", 1)
    )
    parser.add_argument(
        "--ceilings",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the wrk ceilings phase before the Locust runs (default: on)",
    )
    parser.add_argument(
        "--servers",
        default="default,granian",
        help="servers of the ceilings phase: default (gunicorn / uvicorn) and/or granian",
    )
    parser.add_argument(
        "--locust-servers", default="default", help="servers of the Locust runs (same names)"
    )
    parser.add_argument("--ceiling-seconds", type=float, default=6, help="wrk seconds per row")
    parser.add_argument("--ceiling-warmup", type=float, default=4, help="wrk warm-up per row")
    parser.add_argument("--ceiling-connections", type=int, default=50)
    parser.add_argument(
        "--upstream-latency-ms", type=int, default=100, help="stand-in latency per linked page"
    )
    parser.add_argument(
        "--think-time",
        type=float,
        default=1.0,
        help="scale of the users' think time (LOAD_WAIT_SCALE; 0: none, a saturating closed loop)",
    )
    parser.add_argument(
        "--link-concurrency",
        type=int,
        default=None,
        help="LINK_PREVIEW_CONCURRENCY for both apps (default: the apps' own default)",
    )
    parser.add_argument(
        "--locust-processes",
        type=int,
        default=1,
        help="Locust's --processes (more generator processes, when CPUs allow)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="give up after this many s (default: 2x)"
    )
    parser.add_argument("--output", type=Path, default=None, help="report folder")
    return parser


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = _parser()
    arguments = parser.parse_args(argv)
    arguments.apps = _names(arguments.apps)
    arguments.scenarios = _names(arguments.scenario)
    arguments.servers = _server_names(arguments.servers) if arguments.ceilings else []
    arguments.locust_servers = _server_names(arguments.locust_servers)
    if set(arguments.apps) - set(APPS) or not arguments.apps:
        parser.error("--apps: flask and/or fastapi")
    if set(arguments.scenarios) - set(SCENARIOS) or not arguments.scenarios:
        parser.error(f"--scenario: some of {', '.join(SCENARIOS)}")
    for option in ("servers", "locust_servers"):
        names = getattr(arguments, option)
        if set(names) - set(SERVERS) or (option == "locust_servers" and not names):
            parser.error(f"--{option.replace('_', '-')}: default (gunicorn/uvicorn), granian")
    arguments.user_counts = (
        _int_list(arguments.sweep) if arguments.sweep else [arguments.users_count]
    )
    if min(arguments.user_counts) < 1 or arguments.duration <= 0 or arguments.warmup < 0:
        parser.error("user counts must be >= 1, --duration > 0, --warmup >= 0")
    if min(arguments.users, arguments.articles) < 1:
        parser.error("--users and --articles must be >= 1")
    if arguments.database_url and not arguments.database_url.startswith("postgresql"):
        parser.error("--database-url must be a PostgreSQL URL (SQLite is the default)")
    arguments.flask_links_threads = (
        _int_list(arguments.flask_links_threads) if arguments.flask_links_threads else []
    )
    if arguments.think_time < 0:
        parser.error("--think-time must be >= 0")
    if arguments.locust_processes < 1:
        parser.error("--locust-processes must be >= 1")
    return arguments


def link_concurrency(arguments: argparse.Namespace) -> int:
    """The apps' link-preview bulkhead: --link-concurrency, else their environment's or default."""
    default = Settings.model_fields["link_preview_concurrency"].default
    return int(arguments.link_concurrency or os.environ.get("LINK_PREVIEW_CONCURRENCY", default))


def flask_settings(arguments: argparse.Namespace, scenario: str) -> tuple[str, int]:
    """(worker class, threads) of Flask's server for `scenario`: the options, else the
    scenario's documented default."""
    worker_class, threads = FLASK_WORKER_SETTINGS[scenario]
    return (arguments.flask_worker_class or worker_class, arguments.flask_threads or threads)


def flask_configurations(
    arguments: argparse.Namespace, app: str, scenario: str
) -> list[int | None]:
    """Thread counts to try (None: the one setting): several only for Flask on links."""
    if app == "flask" and scenario == "links" and arguments.flask_links_threads:
        return list(arguments.flask_links_threads)
    return [None]


def server_for(
    app: str,
    server: str,
    arguments: argparse.Namespace,
    scenario: str,
    threads_override: int | None = None,
) -> Server:
    worker_class, threads = flask_settings(arguments, scenario)
    threads = threads_override or threads
    return servers.for_app(
        server,
        servers.APPS[app].interface,
        workers=arguments.flask_workers if app == "flask" else arguments.fastapi_workers,
        worker_class=worker_class,
        threads=threads,
    )


@dataclass
class Run:
    app: str
    scenario: str
    users: int
    server: str = "default"
    server_description: str = ""
    config: str = ""  # one of several Flask configurations tried on links, e.g. "64 threads"
    requests: int = 0
    failures: int = 0
    rate: float = 0.0
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    average: float = float("nan")
    server_cpu_seconds: float = 0.0
    server_peak_rss_mb: float = 0.0
    generator_cpu_percent: float = 0.0
    measured_seconds: float = 0.0
    warmup_done_at: float | None = None  # Unix time of the stats reset
    problem: str | None = None
    failure_kinds: list[str] = field(default_factory=list)

    @property
    def variant(self) -> str:
        """The column of this run in the report: the app, and its server when not default."""
        name = self.app if self.server == "default" else f"{self.app} on {self.server}"
        return f"{name} ({self.config})" if self.config else name

    @property
    def prefix(self) -> str:
        server = "" if self.server == "default" else f"-{self.server}"
        config = f"-{self.config.replace(' ', '')}" if self.config else ""
        return f"{self.app}{server}{config}-{self.scenario}-u{self.users}"

    @property
    def server_cpu_percent(self) -> float:
        if not self.measured_seconds:
            return float("nan")
        return 100 * self.server_cpu_seconds / self.measured_seconds

    @property
    def valid(self) -> bool:
        return self.problem is None and self.generator_cpu_percent <= GENERATOR_LIMIT


def run_locust(
    run: Run,
    base_url: str,
    server: psutil.Process,
    arguments: argparse.Namespace,
    folders: dict[str, Path],
    generator_cpus: set[int] | None,
) -> None:
    mark = folders["tmp"] / f"{run.prefix}.warm"
    mark.unlink(missing_ok=True)
    # the locustfile stops the test `duration` s after the warm-up, which may outlast `warmup`
    # while authors sign in; --run-time is only the backstop
    total = arguments.warmup + arguments.duration + WARMUP_EXTRA + 10
    spawn_rate = max(1.0, run.users / max(1.0, arguments.warmup / 2))
    command = [
        *(["taskset", "-c", ",".join(map(str, sorted(generator_cpus)))] if generator_cpus else []),
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(PROJECT_ROOT / "loadtests" / "compare_locustfile.py"),
        "--headless",
        "--users",
        str(run.users),
        "--spawn-rate",
        f"{spawn_rate:g}",
        "--run-time",
        f"{round(total)}s",
        "--stop-timeout",
        "5",
        "--host",
        base_url,
        "--csv",
        str(folders["csv"] / run.prefix),
        "--csv-full-history",
        "--only-summary",
        "--loglevel",
        "WARNING",
        *(
            ["--processes", str(arguments.locust_processes)]
            if arguments.locust_processes > 1
            else []
        ),
    ]
    env = {
        **os.environ,
        "LOAD_SCENARIO": run.scenario,
        "LOAD_WAIT_SCALE": f"{arguments.think_time:g}",
        "LOAD_LINKS_TAG": LINKS_TAG,
        "LOAD_LINKS_EXPECTED": str(LINKS),
        "LOAD_WARMUP_SECONDS": f"{arguments.warmup:g}",
        "LOAD_DURATION_SECONDS": f"{arguments.duration:g}",
        "LOAD_WARMUP_EXTRA_SECONDS": f"{WARMUP_EXTRA:g}",
        "LOAD_WARMUP_MARK": str(mark),
    }
    log_path = folders["logs"] / f"{run.prefix}-locust.log"
    peak_rss = 0
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        generator = psutil.Process(process.pid)
        deadline = time.monotonic() + total + 60
        baseline: tuple[float, float, float] | None = None  # wall, server cpu, generator cpu
        last: tuple[float, float, float] | None = None
        try:
            while process.poll() is None:
                if time.monotonic() > deadline:
                    run.problem = "locust did not stop in time"
                    break
                processes = process_tree(server)
                generator_cpu = cpu_seconds(process_tree(generator))  # with --processes, the forks
                sample = (time.monotonic(), cpu_seconds(processes), generator_cpu)
                if baseline is None and mark.exists():
                    baseline = sample
                    run.warmup_done_at = float(mark.read_text() or time.time())
                if baseline is not None:
                    last = sample
                    peak_rss = max(peak_rss, rss_bytes(processes))
                time.sleep(0.25)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
    if baseline is not None and last is not None and last[0] > baseline[0]:
        run.measured_seconds = last[0] - baseline[0]
        run.server_cpu_seconds = last[1] - baseline[1]
        # % of one CPU per generator process: each Locust process is single-threaded
        run.generator_cpu_percent = (
            100 * (last[2] - baseline[2]) / run.measured_seconds / arguments.locust_processes
        )
    run.server_peak_rss_mb = peak_rss / 2**20
    if run.problem is None and baseline is None:
        run.problem = "warm-up never ended (see the Locust log)"
    read_stats(run, folders["csv"])


def _number(text: str | None) -> float:
    if text is None or text in ("", "N/A"):
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return float("nan")


def read_stats(run: Run, folder: Path) -> None:
    path = folder / f"{run.prefix}_stats.csv"
    if not path.exists():
        run.problem = run.problem or "no stats file"
        return
    with path.open(newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("Name") == "Aggregated"]
    if not rows:
        run.problem = run.problem or "no Aggregated row"
        return
    total = rows[0]
    run.requests = int(total["Request Count"])
    run.failures = int(total["Failure Count"])
    run.rate = _number(total["Requests/s"])
    run.p50, run.p95, run.p99 = (_number(total[key]) for key in ("50%", "95%", "99%"))
    run.average = _number(total["Average Response Time"])
    if run.requests == 0:
        run.problem = run.problem or "no requests"
    failures = folder / f"{run.prefix}_failures.csv"
    if failures.exists():
        with failures.open(newline="") as handle:
            run.failure_kinds = [
                f"{row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']}x)"
                for row in csv.DictReader(handle)
            ][:10]


# Reproduction info


def machine() -> dict[str, str]:
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "CPU model": model,
        "logical CPUs": str(psutil.cpu_count(logical=True)),
        "physical cores": str(psutil.cpu_count(logical=False)),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }


def versions() -> dict[str, str]:
    names = (
        "flask", "flask-smorest", "marshmallow", "gunicorn", "fastapi", "pydantic", "uvicorn",
        "starlette", "granian", "sqlalchemy", "aiosqlite", "psycopg", "locust", "psutil",
    )  # fmt: skip
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    try:
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        found["wrk"] = (wrk.stdout or wrk.stderr).splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        found["wrk"] = "not installed"
    return found


# Main


def _wrk_rows(app: str) -> int:
    """wrk rows per server in the ceilings phase: the paths of the raw, bare and real apps."""
    return sum(len(target.paths) for target in ceilings.stack_targets(app, Server("", "")))


def ceilings_seconds(arguments: argparse.Namespace, app: str) -> float:
    per_row = float(arguments.ceiling_warmup + arguments.ceiling_seconds) + 2 * OVERHEAD_PER_WRK
    per_server = len(ceilings.KINDS) * OVERHEAD_PER_SERVER + _wrk_rows(app) * per_row
    return len(arguments.servers) * per_server


def locust_seconds(arguments: argparse.Namespace) -> float:
    """One scenario on one server: its start and every user count's run."""
    per_run = float(arguments.warmup + arguments.duration) + OVERHEAD_PER_RUN
    return OVERHEAD_PER_SERVER + len(arguments.user_counts) * per_run


def _servings(arguments: argparse.Namespace, app: str) -> int:
    """Server starts of `app`'s Locust phase: one per server, scenario and configuration."""
    return len(arguments.locust_servers) * sum(
        len(flask_configurations(arguments, app, scenario)) for scenario in arguments.scenarios
    )


def estimate_seconds(arguments: argparse.Namespace) -> float:
    return sum(
        OVERHEAD_PER_APP
        + ceilings_seconds(arguments, app)
        + _servings(arguments, app) * locust_seconds(arguments)
        for app in arguments.apps
    )


class Progress:
    """What is running and how long is left, from the planned cost of the steps still to come
    (the plan is `estimate_seconds`; a step done early or late moves the clock with it)."""

    def __init__(self, planned: float) -> None:
        self.planned = planned
        self.done = 0.0

    def advance(self, seconds: float) -> None:
        self.done += seconds

    def left(self) -> str:
        seconds = max(0.0, self.planned - self.done)
        return (
            f"about {seconds / 60:.1f} min left" if seconds >= 60 else f"about {seconds:.0f} s left"
        )


def _redacted_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def create_links_article(base_url: str, stand_in: str, latency_ms: int) -> str:
    """One article tagged LINKS_TAG with LINKS distinct links to the stand-in; its slug."""
    name = f"load{secrets.token_hex(4)}"
    user = {"username": name, "email": f"{name}@example.com", "password": "load-password-1"}
    token = bench_links._post_json(f"{base_url}/api/users", {"user": user})["user"]["token"]
    links = [
        f"{stand_in}/page?title=Load+page+{n}&delay_ms={latency_ms}&n={n}" for n in range(LINKS)
    ]
    body = "Links:\n" + "\n".join(f"- [page {n}]({url})" for n, url in enumerate(links))
    article = {
        "title": f"Load links {name}",
        "description": "Link previews for the load comparison",
        "body": body,
        "tagList": [LINKS_TAG],
    }
    result = bench_links._post_json(f"{base_url}/api/articles", {"article": article}, token)
    return str(result["article"]["slug"])


def wrk_settings(arguments: argparse.Namespace) -> ceilings.WrkSettings:
    return ceilings.WrkSettings(
        arguments.ceiling_seconds, arguments.ceiling_warmup, arguments.ceiling_connections
    )


def measure_ceilings(
    app: str,
    env: dict[str, str],
    arguments: argparse.Namespace,
    folders: dict[str, Path],
    pin: bool,
    progress: Progress,
) -> list[ceilings.Row]:
    """wrk on the raw floor, the bare framework and the real app of `app`'s stack, on each
    server of --servers, against the database just seeded."""
    wrk = ceilings.ensure_wrk()
    settings = wrk_settings(arguments)
    database = "postgresql" if arguments.database_url else "sqlite"
    per_row = arguments.ceiling_warmup + arguments.ceiling_seconds + 2 * OVERHEAD_PER_WRK
    rows = []
    for name in arguments.servers:
        server = server_for(app, name, arguments, "reader")
        say(f"{app}: ceilings on {server.describe()} (wrk, {progress.left()})")
        progress.advance(len(ceilings.KINDS) * OVERHEAD_PER_SERVER)

        def report(message: str) -> None:
            progress.advance(per_row)
            say(f"    {message.removeprefix(f'{database}: ')} ({progress.left()})")

        rows += ceilings.measure(
            ceilings.stack_targets(app, server),
            env,
            wrk,
            settings,
            pin,
            folders["logs"],
            database,
            time.monotonic() + 600,
            report,
        )
    return rows


def run_all(
    arguments: argparse.Namespace, folders: dict[str, Path], info: dict[str, str]
) -> tuple[list[Run], list[ceilings.Row]]:
    pin = can_pin()
    all_cpus = set(os.sched_getaffinity(0))
    generator_cpus = (all_cpus - {SERVER_CPU}) if pin else None
    info["CPU pinning"] = (
        f"server on CPU {SERVER_CPU} (taskset); Locust, wrk and the upstream stand-in on "
        f"CPU(s) {','.join(map(str, sorted(generator_cpus or ())))}"
        if pin
        else "none (taskset or a second CPU unavailable): everything shares the machine"
    )
    for app in arguments.apps:
        settings = {
            server_for(app, name, arguments, scenario).describe()
            for name in arguments.locust_servers
            for scenario in arguments.scenarios
        }
        info[f"{app} server (Locust runs)"] = (
            "; ".join(
                f"{scenario}: {server_for(app, name, arguments, scenario).describe()}"
                for name in arguments.locust_servers
                for scenario in arguments.scenarios
            )
            if len(settings) > 1
            else settings.pop()
        )
    size = bulk_seed.Size(arguments.users, arguments.articles, arguments.comments, arguments.tags)
    runs: list[Run] = []
    rows: list[ceilings.Row] = []
    total_runs = sum(_servings(arguments, app) for app in arguments.apps) * len(
        arguments.user_counts
    )
    progress = Progress(estimate_seconds(arguments))
    prefix = ["taskset", "-c", ",".join(map(str, sorted(generator_cpus)))] if generator_cpus else []
    with (
        (folders["logs"] / "upstream.log").open("wb") as upstream_log,
        running_upstream(prefix=prefix, log=upstream_log) as stand_in,
        (
            ceilings.postgres_database(arguments.database_url)
            if arguments.database_url
            else nullcontext(None)
        ) as postgres_url,
    ):
        for app in arguments.apps:
            database_url = postgres_url or f"sqlite:///{folders['tmp'] / f'{app}.db'}"
            secret_key = secrets.token_hex(32)
            started = time.monotonic()
            counts = bulk_seed.reset_and_seed(
                Settings(database_url=database_url, secret_key=secret_key), size
            )
            progress.advance(OVERHEAD_PER_APP)
            say(f"{app}: database reset and seeded in {time.monotonic() - started:.1f} s {counts}")
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
            if arguments.servers:
                rows += measure_ceilings(app, env, arguments, folders, pin, progress)
            slug: str | None = None
            for name in arguments.locust_servers:
                for scenario in arguments.scenarios:
                    for threads in flask_configurations(arguments, app, scenario):
                        config = f"{threads} threads" if threads else ""
                        server = server_for(app, name, arguments, scenario, threads)
                        progress.advance(OVERHEAD_PER_SERVER)
                        log_path = folders["logs"] / f"{app}-{name}-{scenario}-server.log"
                        with servers.serving(
                            server, servers.APPS[app].target, env, pin, log_path, app
                        ) as (base_url, process):
                            if slug is None:
                                slug = create_links_article(
                                    base_url, stand_in, arguments.upstream_latency_ms
                                )
                            for users in arguments.user_counts:
                                run = Run(app, scenario, users, name, server.describe(), config)
                                say(
                                    f"[{len(runs) + 1}/{total_runs}] {run.variant} {scenario}, "
                                    f"{users} users, {server.describe()}: "
                                    f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s "
                                    f"({progress.left()})"
                                )
                                run_locust(
                                    run,
                                    base_url,
                                    psutil.Process(process.pid),
                                    arguments,
                                    folders,
                                    generator_cpus,
                                )
                                progress.advance(
                                    arguments.warmup + arguments.duration + OVERHEAD_PER_RUN
                                )
                                runs.append(run)
                                say(
                                    f"    {run.rate:.1f} req/s, p50 {run.p50:g} ms, p95 "
                                    f"{run.p95:g} ms, p99 {run.p99:g} ms, {run.failures} "
                                    f"failures, server CPU {run.server_cpu_percent:.0f}%, "
                                    f"generator {run.generator_cpu_percent:.0f}%"
                                    + (f" [{run.problem}]" if run.problem else "")
                                    + ("" if run.valid else " INVALID")
                                )
            say(f"{app}: done")
    return runs, rows


@dataclass
class Outcome:
    runs: list[Run]
    rows: list[ceilings.Row]
    report: Path
    arguments: argparse.Namespace


def execute(argv: list[str]) -> Outcome:
    """Run the comparison of `argv` and write its report."""
    arguments = _arguments(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    output: Path = arguments.output or bench_links.REPORTS / stamp
    folders = {"root": output, "csv": output / "csv", "logs": output / "logs"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    if arguments.servers:
        ceilings.ensure_wrk()  # before seeding: a missing wrk fails (or installs) at once
    estimate = estimate_seconds(arguments)
    time_limit_seconds = arguments.time_limit or 2 * estimate + 120
    size = bulk_seed.Size(arguments.users, arguments.articles, arguments.comments, arguments.tags)
    wrk = wrk_settings(arguments)
    info = {
        "command": shlex.join(["python", "-m", "loadtests", "compare", *argv]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "git commit": bench_links._commit(),
        "database": f"PostgreSQL: database {ceilings.LOAD_DATABASE} created (and dropped after) "
        f"on {_redacted_url(arguments.database_url)}"
        if arguments.database_url
        else "SQLite (a fresh file per app in a temporary folder)",
        "seeded data": size.describe() + " (loadtests/bulk_seed.py, seed 42) + 1 links article",
        "Locust runs": f"{arguments.warmup:g} s warm-up (not measured; longer while authors "
        f"register and log in, up to {WARMUP_EXTRA:g} s more) + {arguments.duration:g} "
        f"s measured; users {', '.join(map(str, arguments.user_counts))}; "
        f"{arguments.locust_processes} Locust process(es), FastHttpUser; think time "
        f"x{arguments.think_time:g} (readers and links 0.1-0.5 s, authors 0.2-1 s at x1)",
        "ceilings": f"{wrk.describe()}; servers {', '.join(arguments.servers)}"
        if arguments.servers
        else "not measured (--no-ceilings)",
        "upstream stand-in": f"{arguments.upstream_latency_ms} ms per page, {LINKS} links",
        "link previews": f"bulkhead LINK_PREVIEW_CONCURRENCY={link_concurrency(arguments)} "
        "upstream calls in flight per process"
        + ("" if arguments.link_concurrency else " (default)"),
    }
    say(
        f"apps {', '.join(arguments.apps)}; scenarios {', '.join(arguments.scenarios)}; "
        f"ceilings on {', '.join(arguments.servers) or 'no server'}; "
        f"about {estimate / 60:.1f} min; report in {output}"
    )
    started = time.monotonic()
    with (
        time_limit(time_limit_seconds, "load"),
        tempfile.TemporaryDirectory(prefix="load-compare-") as temporary,
    ):
        folders["tmp"] = Path(temporary)
        runs, rows = run_all(arguments, folders, info)
    info["elapsed"] = f"{time.monotonic() - started:.0f} s (estimated {estimate:.0f} s)"
    path = compare_report.write(output, runs, rows, arguments, info, machine(), versions())
    return Outcome(runs, rows, path, arguments)


def main(argv: list[str] | None = None) -> int:
    outcome = execute(sys.argv[2:] if argv is None else argv)
    print()
    print(compare_report.summary_markdown(outcome.runs, outcome.rows, outcome.arguments))
    say(f"report written to {outcome.report} (and report.html)")
    problems = [run for run in outcome.runs if run.problem]
    if problems:
        say("FAILED: " + ", ".join(f"{run.prefix}: {run.problem}" for run in problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
