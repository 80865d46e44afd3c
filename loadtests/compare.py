"""Side-by-side load comparison of the two apps: `python -m loadtests compare` (or `make load`).

    uv run python -m loadtests compare [--scenario mixed,reader,author,links] [--duration 30]
        [--users-count 50] [--sweep 1,10,50,100] [--warmup 5] [--apps flask,fastapi]
        [--users 1000] [--articles 10000] [--comments 50000] [--tags 200]
        [--database-url postgresql+psycopg://...] [--flask-workers 1] [--flask-worker-class gthread]
        [--flask-threads 32] [--fastapi-workers 1]

For each app in turn (never both at once), all on 127.0.0.1 and bounded in time:

1. reset the database and bulk-seed identical data (`loadtests/bulk_seed.py`; SQLite in a
   temporary folder by default, or `--database-url`), plus one article tagged `load-links` with
   10 links to the upstream stand-in;
2. start the app's production server (`bench_links.running_app`: gunicorn / uvicorn), pinned to
   the server CPUs with taskset when available; Locust runs on the other CPUs;
3. per scenario and user count: one headless Locust run of warm-up + duration seconds; after the
   warm-up the stats are reset (`loadtests/compare_locustfile.py`), and from then on the server
   process tree's CPU time and peak RSS (psutil, sampled) and Locust's own CPU are recorded.
   A run whose generator used more than 90% of a CPU is marked invalid.

The report goes to loadtests/reports/<timestamp>/: report.md, report.html (charts embedded),
charts as PNG, Locust's CSVs (csv/), logs (logs/).
"""

import argparse
import csv
import importlib.metadata
import os
import platform
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from types import FrameType

import psutil

from loadtests import bench_links
from loadtests import bulk_seed
from loadtests import compare_report
from loadtests.bench_links import HOST
from loadtests.processes import SERVER_CPU
from loadtests.processes import can_pin
from loadtests.smoke import LINKS
from loadtests.smoke import LINKS_TAG
from loadtests.smoke import create_links_article
from shared.settings import PROJECT_ROOT
from shared.settings import Settings
from upstream import running_upstream

SCENARIOS = ("mixed", "reader", "author", "links")
APPS = ("flask", "fastapi")
GENERATOR_LIMIT = 90.0  # % of one CPU; above it the generator, not the server, may be the limit
OVERHEAD_PER_RUN = 4.0  # seconds: Locust start-up and stop, for the time-left estimate
OVERHEAD_PER_APP = 10.0  # seconds: seeding and server start


def say(message: str) -> None:
    print(f"load: {message}", flush=True)


def _int_list(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _arguments(argv: list[str] | None) -> argparse.Namespace:
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
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temp folder")
    parser.add_argument(
        "--flask-workers", type=int, default=bench_links._env_int("FLASK_WORKERS", 1)
    )
    parser.add_argument(
        "--flask-worker-class", default=os.environ.get("FLASK_WORKER_CLASS", "gthread")
    )
    parser.add_argument(
        "--flask-threads", type=int, default=bench_links._env_int("FLASK_THREADS", 32)
    )
    parser.add_argument(
        "--fastapi-workers", type=int, default=bench_links._env_int("FASTAPI_WORKERS", 1)
    )
    parser.add_argument(
        "--time-limit", type=float, default=None, help="give up after this many s (default: 2x)"
    )
    parser.add_argument("--output", type=Path, default=None, help="report folder")
    arguments = parser.parse_args(argv)
    arguments.apps = [app.strip() for app in arguments.apps.split(",") if app.strip()]
    arguments.scenarios = [name.strip() for name in arguments.scenario.split(",") if name.strip()]
    if set(arguments.apps) - set(APPS) or not arguments.apps:
        parser.error("--apps: flask and/or fastapi")
    if set(arguments.scenarios) - set(SCENARIOS) or not arguments.scenarios:
        parser.error(f"--scenario: some of {', '.join(SCENARIOS)}")
    arguments.user_counts = (
        _int_list(arguments.sweep) if arguments.sweep else [arguments.users_count]
    )
    if min(arguments.user_counts) < 1 or arguments.duration <= 0 or arguments.warmup < 0:
        parser.error("user counts must be >= 1, --duration > 0, --warmup >= 0")
    if min(arguments.users, arguments.articles) < 1:
        parser.error("--users and --articles must be >= 1")
    return arguments


@dataclass
class Run:
    app: str
    scenario: str
    users: int
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
    def prefix(self) -> str:
        return f"{self.app}-{self.scenario}-u{self.users}"

    @property
    def valid(self) -> bool:
        return self.problem is None and self.generator_cpu_percent <= GENERATOR_LIMIT


# Measuring processes


def _tree(root: psutil.Process) -> list[psutil.Process]:
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _rss_bytes(processes: list[psutil.Process]) -> int:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def _server_process(port: int) -> psutil.Process:
    """The server's root process: our child whose command line serves `port`."""
    for child in psutil.Process().children():
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if ("gunicorn" in command or "uvicorn" in command) and str(port) in command:
            return child
    raise RuntimeError(f"no server process found for port {port}")


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
    total = arguments.warmup + arguments.duration
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
    ]
    env = {
        **os.environ,
        "LOAD_SCENARIO": run.scenario,
        "LOAD_LINKS_TAG": LINKS_TAG,
        "LOAD_LINKS_EXPECTED": str(LINKS),
        "LOAD_WARMUP_SECONDS": f"{arguments.warmup:g}",
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
                processes = _tree(server)
                try:
                    generator_cpu = _cpu_seconds([generator])
                except psutil.Error:
                    break
                sample = (time.monotonic(), _cpu_seconds(processes), generator_cpu)
                if baseline is None and mark.exists():
                    baseline = sample
                    run.warmup_done_at = float(mark.read_text() or time.time())
                if baseline is not None:
                    last = sample
                    peak_rss = max(peak_rss, _rss_bytes(processes))
                time.sleep(0.25)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
    if baseline is not None and last is not None and last[0] > baseline[0]:
        run.measured_seconds = last[0] - baseline[0]
        run.server_cpu_seconds = last[1] - baseline[1]
        run.generator_cpu_percent = 100 * (last[2] - baseline[2]) / run.measured_seconds
    run.server_peak_rss_mb = peak_rss / 2**20
    if run.problem is None and baseline is None:
        run.problem = "warm-up never ended (see the Locust log)"
    read_stats(run, folders["csv"])


def _number(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "", "N/A") else float("nan")
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
        "starlette", "sqlalchemy", "aiosqlite", "psycopg", "locust", "psutil",
    )  # fmt: skip
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


# Main


class TimeLimit(Exception):
    pass


def _on_alarm(_signal: int, _frame: FrameType | None) -> None:
    raise TimeLimit("load: time limit reached")


def _on_term(_signal: int, _frame: FrameType | None) -> None:
    raise SystemExit(143)


def estimate_seconds(arguments: argparse.Namespace) -> float:
    runs = len(arguments.scenarios) * len(arguments.user_counts)
    per_app = OVERHEAD_PER_APP + runs * (arguments.warmup + arguments.duration + OVERHEAD_PER_RUN)
    return len(arguments.apps) * per_app


def _redacted_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def run_all(
    arguments: argparse.Namespace, folders: dict[str, Path], info: dict[str, str]
) -> list[Run]:
    pin = can_pin()
    all_cpus = set(os.sched_getaffinity(0))
    generator_cpus = (all_cpus - {SERVER_CPU}) if pin else None
    info["CPU pinning"] = (
        f"server on CPU {SERVER_CPU} (taskset); Locust and the upstream stand-in on "
        f"CPU(s) {','.join(map(str, sorted(generator_cpus or ())))}"
        if pin
        else "none (taskset or a second CPU unavailable): everything shares the machine"
    )
    server_arguments = bench_links._arguments(
        [
            f"--flask-workers={arguments.flask_workers}",
            f"--flask-worker-class={arguments.flask_worker_class}",
            f"--flask-threads={arguments.flask_threads}",
            f"--fastapi-workers={arguments.fastapi_workers}",
        ]
    )
    for app in arguments.apps:
        info[f"{app} server"] = bench_links._server_description(app, server_arguments)
    size = bulk_seed.Size(arguments.users, arguments.articles, arguments.comments, arguments.tags)
    runs: list[Run] = []
    total_runs = len(arguments.apps) * len(arguments.scenarios) * len(arguments.user_counts)
    deadline = time.monotonic() + estimate_seconds(arguments)
    prefix = ["taskset", "-c", ",".join(map(str, sorted(generator_cpus)))] if generator_cpus else []
    with (
        (folders["logs"] / "upstream.log").open("wb") as upstream_log,
        running_upstream(prefix=prefix, log=upstream_log) as stand_in,
    ):
        for app in arguments.apps:
            database_url = arguments.database_url or f"sqlite:///{folders['tmp'] / f'{app}.db'}"
            secret_key = secrets.token_hex(32)
            started = time.monotonic()
            counts = bulk_seed.reset_and_seed(
                Settings(database_url=database_url, secret_key=secret_key), size
            )
            say(f"{app}: database reset and seeded in {time.monotonic() - started:.1f} s {counts}")
            env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "SECRET_KEY": secret_key,
                "ENVIRONMENT": "production",
                "LOG_LEVEL": "WARNING",
                "LINK_PREVIEW_ALLOWED_HOSTS": HOST,
            }
            say(f"{app}: starting {info[f'{app} server']}")
            with bench_links.running_app(
                app, env, server_arguments, pin, folders["logs"] / f"{app}-server.log"
            ) as base_url:
                server = _server_process(int(base_url.rsplit(":", 1)[1]))
                create_links_article(base_url, stand_in)
                for scenario in arguments.scenarios:
                    for users in arguments.user_counts:
                        run = Run(app, scenario, users)
                        left = max(0.0, deadline - time.monotonic())
                        say(
                            f"[{len(runs) + 1}/{total_runs}] {app} {scenario}, {users} users: "
                            f"{arguments.warmup:g} s warm-up + {arguments.duration:g} s "
                            f"(about {left / 60:.1f} min left)"
                        )
                        run_locust(run, base_url, server, arguments, folders, generator_cpus)
                        runs.append(run)
                        say(
                            f"    {run.rate:.1f} req/s, p50 {run.p50:g} ms, p95 {run.p95:g} ms, "
                            f"p99 {run.p99:g} ms, {run.failures} failures, server CPU "
                            f"{run.server_cpu_seconds:.1f} s, generator "
                            f"{run.generator_cpu_percent:.0f}%"
                            + (f" [{run.problem}]" if run.problem else "")
                            + ("" if run.valid else " INVALID")
                        )
            say(f"{app}: stopped")
    return runs


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    output: Path = arguments.output or bench_links.REPORTS / stamp
    folders = {"root": output, "csv": output / "csv", "logs": output / "logs"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    estimate = estimate_seconds(arguments)
    time_limit = arguments.time_limit or 2 * estimate + 120
    size = bulk_seed.Size(arguments.users, arguments.articles, arguments.comments, arguments.tags)
    info = {
        "command": shlex.join(["python", "-m", "loadtests", "compare", *(argv or sys.argv[2:])]),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "git commit": bench_links._commit(),
        "database": _redacted_url(arguments.database_url)
        if arguments.database_url
        else "SQLite (a fresh file per app in a temporary folder)",
        "seeded data": size.describe() + " (loadtests/bulk_seed.py, seed 42) + 1 links article",
        "runs": f"{arguments.warmup:g} s warm-up (not measured) + {arguments.duration:g} s "
        f"measured; users {', '.join(map(str, arguments.user_counts))}",
    }
    say(
        f"apps {', '.join(arguments.apps)}; scenarios {', '.join(arguments.scenarios)}; "
        f"about {estimate / 60:.1f} min; report in {output}"
    )
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGTERM, _on_term)
    signal.alarm(int(time_limit))
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="load-compare-") as temporary:
            folders["tmp"] = Path(temporary)
            runs = run_all(arguments, folders, info)
    finally:
        signal.alarm(0)
    info["elapsed"] = f"{time.monotonic() - started:.0f} s"
    path = compare_report.write(output, runs, arguments, info, machine(), versions())
    print()
    print(compare_report.summary_markdown(runs, arguments))
    say(f"report written to {path} (and report.html)")
    return 0 if all(run.problem is None for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
