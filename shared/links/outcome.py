"""Turning what happened upstream into a LinkPreview: the same rules in both apps."""

import codecs
from dataclasses import dataclass

from shared.links.model import LinkPreview
from shared.links.model import LinkStatus
from shared.links.titles import page_title


class UpstreamStatus(Exception):
    """The upstream answered 5xx: counted by the circuit breaker, retried if 502/503/504."""

    def __init__(self, status: int) -> None:
        super().__init__(f"upstream answered {status}")
        self.status = status


class TooManyRedirects(Exception):
    """More redirects than the policy allows."""


class CallTimedOut(Exception):
    """A call ran past its timeout while connecting or reading (even a slow drip)."""


@dataclass(frozen=True, slots=True)
class Page:
    """What one successful (non-5xx) fetch returned, body already capped."""

    status: int
    content_type: str
    body: bytes


def preview_of(url: str, page: Page) -> LinkPreview:
    """ok with a title for 2xx/3xx; error for 4xx (5xx never gets here: UpstreamStatus)."""
    if page.status >= 400:
        return LinkPreview(url=url, status=LinkStatus.ERROR, http_status=page.status)
    media_type, _, parameters = page.content_type.partition(";")
    title = None
    if media_type.strip().lower() == "text/html":
        title = page_title(page.body.decode(_charset(parameters), errors="replace"))
    return LinkPreview(url=url, status=LinkStatus.OK, title=title, http_status=page.status)


def _charset(parameters: str) -> str:
    """The declared charset if Python knows it, else UTF-8."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
            try:
                codecs.lookup(charset)
            except LookupError:
                break
            return charset
    return "utf-8"


def failed(url: str, status: LinkStatus, http_status: int | None = None) -> LinkPreview:
    return LinkPreview(url=url, status=status, http_status=http_status)


def stale(cached: LinkPreview) -> LinkPreview:
    return LinkPreview(
        url=cached.url,
        status=LinkStatus.STALE,
        title=cached.title,
        http_status=cached.http_status,
    )
