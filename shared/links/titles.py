"""A page's title: <title>, or og:title, whitespace-collapsed and capped."""

from html.parser import HTMLParser

MAX_TITLE = 200


class _TitleFound(Exception):
    """A non-blank <title> is complete: nothing after it can change the answer."""


class _TitleParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_title = False
        self.title_parts: list[str] = []
        self.title_done = False
        self.og_title: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.title_done:
            self.in_title = True
        elif tag == "meta":
            attributes = dict(attrs)
            if (attributes.get("property") or attributes.get("name")) == "og:title":
                self.og_title = self.og_title or attributes.get("content")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.in_title:
            self.in_title = False
            self.title_done = True
            # <title> wins over og:title: stop parsing (a page can be 256 KiB of markup).
            if _clean("".join(self.title_parts)) is not None:
                raise _TitleFound

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    collapsed = " ".join(text.split())
    return collapsed[:MAX_TITLE].rstrip() or None


def page_title(html: str) -> str | None:
    """The <title> text, else og:title; None when neither has any text."""
    parser = _TitleParser()
    try:
        parser.feed(html)
        parser.close()
    except _TitleFound:
        pass
    return _clean("".join(parser.title_parts)) or _clean(parser.og_title)
