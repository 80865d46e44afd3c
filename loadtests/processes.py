"""What every load-test runner needs to place its processes: loopback, CPU pinning, free ports,
and a dependency-free GET for readiness checks."""

import os
import shutil
import socket
import urllib.error
import urllib.request

HOST = "127.0.0.1"
SERVER_CPU = 0
CLIENT_CPU = 1


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
