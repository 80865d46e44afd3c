"""Locust file for `python -m loadtests compare`: the scenarios of `loadtests/scenarios.py`
(chosen by LOAD_SCENARIO) plus a warm-up: LOAD_WARMUP_SECONDS after the test starts, every
statistic is reset and the file LOAD_WARMUP_MARK is written, so the CSV stats cover only the
measured part of the run (the stats history keeps the warm-up; its rows are marked by time)."""

import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.env import Environment

from loadtests.scenarios import AuthorUser
from loadtests.scenarios import LinksUser
from loadtests.scenarios import ReaderUser

__all__ = ["AuthorUser", "LinksUser", "ReaderUser"]

WARMUP = float(os.environ.get("LOAD_WARMUP_SECONDS", "0"))
MARK = os.environ.get("LOAD_WARMUP_MARK")


@events.test_start.add_listener
def _schedule_reset(environment: Environment, **_kwargs: Any) -> None:
    def reset() -> None:
        if environment.runner is not None:
            environment.runner.stats.reset_all()
        if MARK:
            Path(MARK).write_text(str(time.time()))

    if WARMUP > 0:
        gevent.spawn_later(WARMUP, reset)
    else:
        reset()
