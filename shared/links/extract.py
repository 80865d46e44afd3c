"""Find the http(s) URLs in an article body, in order of first appearance."""

import re

MAX_LINKS = 20

# A markdown link target, or a bare URL; both stop at whitespace and at characters that cannot
# end a URL in running text.
_URL = re.compile(
    r"""https?://"""
    r"""(?:[^\s\[\]<>"'`{}|\\^/@]*@)?"""  # user info (the guard refuses it, but keep the URL whole)
    r"""(?:\[[0-9A-Fa-f:.%]+\])?"""  # an IPv6 literal host, the only place brackets belong
    r"""[^\s<>"'`\[\]{}|\\^]*""",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?*_~"


def _trim(url: str) -> str:
    """Drop punctuation that ends a sentence, and a ')' that closes markdown, not the URL."""
    while url:
        if url[-1] in _TRAILING_PUNCTUATION or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def extract_urls(body: str, limit: int = MAX_LINKS) -> list[str]:
    """Distinct http/https URLs (markdown links and bare), first appearance first, at most 20."""
    found: dict[str, None] = {}
    for match in _URL.finditer(body):
        url = _trim(match.group(0))
        if len(url) > len("http://x"):
            found.setdefault(url, None)
        if len(found) == limit:
            break
    return list(found)
