"""What every load-test runner needs to place and watch its processes: loopback, CPU pinning,
free ports, a dependency-free GET for readiness checks, and CPU time and memory of a process
tree (psutil)."""

import os
import shutil
import signal
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import psutil

HOST = "127.0.0.1"
SERVER_CPU = 0
CLIENT_CPU = 1


class TimeLimit(Exception):
    """A runner went past its --time-limit."""


@contextmanager
def time_limit(seconds: float, who: str) -> Iterator[None]:
    """Stop the block after `seconds` (SIGALRM raises TimeLimit); TERM exits with 143, so the
    servers' context managers still stop them on the way out."""

    def on_alarm(_signal: int, _frame: FrameType | None) -> None:
        raise TimeLimit(f"{who}: time limit reached")

    def on_term(_signal: int, _frame: FrameType | None) -> None:
        raise SystemExit(143)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.alarm(int(seconds))
    try:
        yield
    finally:
        signal.alarm(0)


def can_pin() -> bool:
    """Pin when taskset exists and this process may use CPUs 0 and 1."""
    return shutil.which("taskset") is not None and {SERVER_CPU, CLIENT_CPU} <= set(
        os.sched_getaffinity(0)
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """(status, body) of a GET; HTTP errors are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


def process_tree(root: psutil.Process) -> list[psutil.Process]:
    """The process and all its descendants (none once it has gone)."""
    try:
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_seconds(processes: list[psutil.Process]) -> float:
    """User + system CPU time of the processes still there."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def rss_bytes(processes: list[psutil.Process]) -> int:
    """Summed resident memory of the processes still there."""
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total
