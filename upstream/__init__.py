"""A stand-in for the web pages link previews fetch: a real HTTP server on 127.0.0.1 whose
answers (title, status, delay, hang, slow drip, huge body, redirects, flaky failures) the caller
picks through the URL, and which counts what it saw (`/stats`). See `upstream.app`.

`running_upstream()` starts it as a child process and yields its base URL; the contract tests'
fixture and the link-preview benchmark both use it.
"""

import os
import select
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parent.parent
READY_PREFIX = "upstream: serving on "


def _read_line(stream: IO[bytes], timeout: float) -> str:
    """One line from a child's stdout, or "" when none comes in time."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline().decode().strip() if ready else ""


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def running_upstream(
    *, prefix: Sequence[str] = (), log: IO[bytes] | None = None, timeout: float = 20.0
) -> Iterator[str]:
    """Start `python -m upstream --port 0` (behind `prefix`, e.g. `taskset -c 1`), wait until it
    answers /health, yield its base URL; stop it (TERM, then KILL) on exit."""
    command = [*prefix, sys.executable, "-m", "upstream", "--port", "0"]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=log if log is not None else subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = _read_line(process.stdout, timeout)
        if not line.startswith(READY_PREFIX):
            raise RuntimeError(f"upstream stand-in did not start (said {line!r})")
        base_url = line.removeprefix(READY_PREFIX)
        deadline = time.monotonic() + timeout
        while not _healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("upstream stand-in did not become healthy")
            time.sleep(0.05)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
