"""The one clock and the one timestamp format of the API."""

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Clock = system_clock


def utc_now() -> datetime:
    """The current time in UTC: the single clock every service and token uses."""
    return _clock()


def set_clock(clock: Clock) -> Clock:
    """Replace the clock (tests freeze it to compare two apps); returns the previous one."""
    global _clock
    previous, _clock = _clock, clock
    return previous


class SteppingClock:
    """A deterministic clock: starts at `start` and moves `step` forward on every reading."""

    def __init__(self, start: datetime, step: timedelta = timedelta(milliseconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        moment = self.now
        self.now += self.step
        return moment


def format_timestamp(moment: datetime) -> str:
    """Format as ISO 8601 in UTC with milliseconds and a Z suffix: 2026-12-04T10:00:00.000Z.

    On the hot path (40 calls per page of articles), so no strftime and no needless astimezone:
    SQLite hands back naive datetimes (everything stored is UTC), PostgreSQL's drivers aware
    ones in UTC; isoformat's first 23 characters are the date and time to the millisecond.
    """
    if moment.tzinfo is not None and moment.tzinfo is not UTC and moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:23] + "Z"
