"""The upstream stand-in (`upstream/`) as a session fixture for the link-preview tests.

Import the fixture into a test module (conftest.py is shared):

    from contract_tests.upstream_fixture import upstream_server  # noqa: F401

(the fixture is named `upstream`; the function has another name so that test parameters
called `upstream` do not shadow an import).

It serves on a free port of 127.0.0.1 (the only host the apps under test may reach, see
`test_settings()`), in a child process so that its timing does not depend on the test process.
"""

import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

import httpx
import pytest

from upstream import running_upstream


class Upstream:
    """Builds stand-in URLs and reads and resets what the stand-in saw."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        parts = urlsplit(base_url)
        assert parts.hostname == "127.0.0.1", base_url
        assert parts.port is not None
        self.port: int = parts.port
        self.control = httpx.Client(base_url=base_url, timeout=10)

    def url(self, path: str, **params: Any) -> str:
        """An absolute stand-in URL; parameters in the order given."""
        query = urlencode({name: str(value) for name, value in params.items()})
        return f"{self.base_url}{path}{'?' + query if query else ''}"

    @staticmethod
    def key(prefix: str = "k") -> str:
        """A key no other test uses, so counts, flaky counters and stale entries stay apart."""
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    # What the stand-in saw

    def stats(self) -> dict[str, Any]:
        response = self.control.get("/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def requests(self, key: str) -> int:
        """How many requests carried `key=<key>` since the last stats reset."""
        entry = self.stats()["keys"].get(key)
        return int(entry["requests"]) if entry else 0

    def durations(self, key: str, settle: float = 3.0) -> list[float]:
        """Seconds each finished request for `key` lasted, once none is in flight any more."""
        deadline = time.monotonic() + settle
        while True:
            entry = self.stats()["keys"].get(key) or {"in_flight": 0, "durations_ms": []}
            if entry["in_flight"] == 0 or time.monotonic() > deadline:
                return [milliseconds / 1000 for milliseconds in entry["durations_ms"]]
            time.sleep(0.05)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no request is in flight (a previous test's calls may still be ending)."""
        deadline = time.monotonic() + timeout
        while self.stats()["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.05)

    def reset_stats(self) -> None:
        self.control.post("/stats/reset").raise_for_status()

    # What the stand-in does

    def reset(self) -> None:
        """Forget /flaky counters and /toggle states."""
        self.control.post("/reset").raise_for_status()

    def set_toggle(self, key: str, status: int) -> None:
        """From now on /toggle?key=<key> answers `status`."""
        self.control.post("/toggle/set", params={"key": key, "status": status}).raise_for_status()


@pytest.fixture(scope="session", name="upstream")
def upstream_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upstream]:
    """The stand-in, live on 127.0.0.1 for the whole session; its log is in a temp folder."""
    log_path = tmp_path_factory.mktemp("upstream") / "upstream.log"
    with log_path.open("wb") as log, running_upstream(log=log) as base_url:
        stand_in = Upstream(base_url)
        try:
            yield stand_in
        finally:
            stand_in.control.close()
