"""Locust file for `python -m loadtests compare`: the scenarios of `loadtests/scenarios.py`
(chosen by LOAD_SCENARIO) plus a warm-up and a fixed measured part.

The warm-up lasts LOAD_WARMUP_SECONDS, and longer while users are still in `on_start` (each
author registers and logs in: two argon2 hashes on the server, seconds of its CPU at 50 users;
that is sign-up traffic, not the steady state being compared), at most
LOAD_WARMUP_EXTRA_SECONDS more.
Then every statistic is reset, the file LOAD_WARMUP_MARK is written (its text: the Unix time),
and the test stops LOAD_DURATION_SECONDS later, so the CSV stats cover exactly the measured part
(the stats history keeps the warm-up; its rows are marked by time). With Locust's
`--processes`, users live in the worker processes, so the warm-up is by time only.
"""

import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import LocalRunner
from locust.runners import WorkerRunner

from loadtests.scenarios import AuthorUser
from loadtests.scenarios import LinksUser
from loadtests.scenarios import ReaderUser

__all__ = ["AuthorUser", "LinksUser", "ReaderUser"]

WARMUP = float(os.environ.get("LOAD_WARMUP_SECONDS", "0"))
DURATION = float(os.environ.get("LOAD_DURATION_SECONDS", "0"))  # 0: until --run-time
MARK = os.environ.get("LOAD_WARMUP_MARK")
WARMUP_EXTRA = float(os.environ.get("LOAD_WARMUP_EXTRA_SECONDS", "60"))

_signed_in = 0
_author_on_start = AuthorUser.on_start


def _counted_on_start(self: AuthorUser) -> None:
    global _signed_in
    try:
        _author_on_start(self)
    finally:
        _signed_in += 1


AuthorUser.on_start = _counted_on_start  # type: ignore[method-assign]


def _authors_ready(environment: Environment) -> bool:
    runner = environment.runner
    if not isinstance(runner, LocalRunner):
        return True
    if runner.spawning_greenlet is not None and not runner.spawning_greenlet.dead:
        return False
    return _signed_in >= runner.user_classes_count.get(AuthorUser.__name__, 0)


@events.test_start.add_listener
def _schedule_reset(environment: Environment, **_kwargs: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return  # the master resets the aggregated stats and stops the test

    def reset() -> None:
        give_up = time.monotonic() + WARMUP_EXTRA
        while not _authors_ready(environment) and time.monotonic() < give_up:
            gevent.sleep(0.1)
        if environment.runner is not None:
            environment.runner.stats.reset_all()
        if MARK:
            Path(MARK).write_text(str(time.time()))
        if DURATION > 0 and environment.runner is not None:
            gevent.spawn_later(DURATION, environment.runner.quit)

    gevent.spawn_later(WARMUP, reset)
