"""How the load-test runners serve an app: one command line per server (gunicorn and granian for
WSGI, uvicorn and granian for ASGI) and a context manager that serves until the block ends.

A target is `module:attribute` (a callable app) or `module:factory()` (called to make it). The
server runs in a session of its own, pinned to the server CPU with taskset when asked; it counts
as ready when `GET /api/tags` answers 200.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from loadtests.processes import HOST
from loadtests.processes import SERVER_CPU
from loadtests.processes import free_port
from loadtests.processes import http_get
from shared.settings import PROJECT_ROOT

READY_PATH = "/api/tags"
DEFAULT_SERVER = {"wsgi": "gunicorn", "asgi": "uvicorn"}


@dataclass(frozen=True)
class Server:
    """One server configuration. `threads`: gunicorn gthread threads, granian WSGI blocking
    threads; `worker_class`: gunicorn only."""

    name: str  # "gunicorn" | "uvicorn" | "granian"
    interface: str  # "wsgi" | "asgi"
    workers: int = 1
    worker_class: str = "gthread"
    threads: int = 1

    def describe(self) -> str:
        if self.name == "gunicorn":
            threads = f", {self.threads} threads" if self.worker_class == "gthread" else ""
            return f"gunicorn {self.worker_class}{threads}, {self.workers} worker(s)"
        if self.name == "granian" and self.interface == "wsgi":
            return f"granian wsgi, {self.threads} blocking threads, {self.workers} worker(s)"
        return f"{self.name} {self.interface}, {self.workers} worker(s)"


def for_app(
    server: str, interface: str, *, workers: int, worker_class: str, threads: int
) -> Server:
    """`server` is "default" (gunicorn for WSGI, uvicorn for ASGI) or a server's name."""
    name = DEFAULT_SERVER[interface] if server == "default" else server
    if (name, interface) not in {
        ("gunicorn", "wsgi"),
        ("uvicorn", "asgi"),
        ("granian", "wsgi"),
        ("granian", "asgi"),
    }:
        raise ValueError(f"{name} does not serve {interface.upper()} here")
    if interface == "asgi":  # one event loop per worker; threads and classes do not apply
        return Server(name, interface, workers=workers, worker_class="", threads=1)
    return Server(name, interface, workers=workers, worker_class=worker_class, threads=threads)


def command(server: Server, target: str, port: int) -> list[str]:
    """The server's command line for `target` (`module:app` or `module:factory()`)."""
    factory = target.endswith("()")
    spec = target.removesuffix("()")
    if server.name == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}",
            "--workers", str(server.workers), "--worker-class", server.worker_class,
            "--threads", str(server.threads), "--backlog", "2048", "--log-level", "warning",
            f"{spec}()" if factory else spec,
        ]  # fmt: skip
    if server.name == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", spec, *(["--factory"] if factory else []),
            "--host", HOST, "--port", str(port), "--workers", str(server.workers),
            "--backlog", "2048", "--log-level", "warning", "--no-access-log",
        ]  # fmt: skip
    blocking = ["--blocking-threads", str(server.threads)] if server.interface == "wsgi" else []
    return [
        sys.executable, "-m", "granian", "--interface", server.interface,
        *(["--factory"] if factory else []), "--host", HOST, "--port", str(port),
        "--workers", str(server.workers), *blocking, "--backlog", "2048", "--no-ws",
        "--log-level", "warning", "--no-access-log", spec,
    ]  # fmt: skip


def stop(process: "subprocess.Popen[bytes]") -> None:
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
    server: Server,
    target: str,
    env: dict[str, str],
    pin: bool,
    log_path: Path,
    label: str | None = None,
) -> Iterator[tuple[str, "subprocess.Popen[bytes]"]]:
    """Serve `target` on a free port of 127.0.0.1 until the block ends; yield (base URL, the
    server's root process: taskset execs the server, so its pid is the server's)."""
    label = label or target
    port = free_port()
    prefix = ["taskset", "-c", str(SERVER_CPU)] if pin else []
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*prefix, *command(server, target, port)],
            cwd=PROJECT_ROOT,
            env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://{HOST}:{port}"
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{label} exited at start-up; see {log_path}")
                status = 0
                with suppress(OSError):
                    status = http_get(f"{base_url}{READY_PATH}")[0]
                if status == 200:
                    break
                if status >= 500:
                    raise RuntimeError(f"{label} answered {status} to {READY_PATH}; see {log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{label} not ready after 60 s; see {log_path}")
                time.sleep(0.2)
            yield base_url, process
        finally:
            stop(process)


@dataclass(frozen=True)
class App:
    interface: str
    target: str


APPS = {
    "flask": App("wsgi", "flask_app:create_app()"),
    "fastapi": App("asgi", "fastapi_app:create_app()"),
}
