"""The one clock and the one timestamp format of the API."""

from datetime import UTC
from datetime import datetime


def utc_now() -> datetime:
    """Return the current time in UTC; the single clock services use (tests may freeze it)."""
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format as ISO 8601 in UTC with milliseconds and a Z suffix: 2026-12-04T10:00:00.000Z."""
    if moment.tzinfo is None:
        # SQLite hands back naive datetimes; everything stored is UTC.
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
