"""What a link preview is, whichever app computed it."""

from dataclasses import dataclass
from enum import StrEnum


class LinkStatus(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    BLOCKED = "blocked"
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class LinkPreview:
    url: str
    status: LinkStatus
    title: str | None = None
    http_status: int | None = None


@dataclass(frozen=True, slots=True)
class LinksView:
    links: tuple[LinkPreview, ...]
    links_count: int


def links_view(previews: list[LinkPreview]) -> LinksView:
    return LinksView(links=tuple(previews), links_count=len(previews))
