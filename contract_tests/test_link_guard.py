"""Unit tests of the shared link-preview core (CONTRACT L1, L2, L4): the SSRF guard's decisions,
URL extraction and titles. Pure functions: no app, no network, no DNS.

These tests take neither the `target` nor the `api` fixture, so conftest.py does not
parametrise them per app: they run once per session, whatever the targets.
"""

import pytest

from shared.links.extract import MAX_LINKS
from shared.links.extract import extract_urls
from shared.links.guard import Blocked
from shared.links.guard import Target
from shared.links.guard import address_allowed
from shared.links.guard import allowed_addresses
from shared.links.guard import check_target
from shared.links.guard import check_url
from shared.links.guard import literal_address
from shared.links.guard import parse_allowed_hosts
from shared.links.outcome import Page
from shared.links.outcome import preview_of
from shared.links.titles import MAX_TITLE
from shared.links.titles import page_title

LOOPBACK_ONLY = frozenset({"127.0.0.1"})

# address_allowed


@pytest.mark.parametrize(
    "address",
    [
        # loopback
        "127.0.0.1",
        "127.0.0.2",
        "127.255.255.254",
        "::1",
        # private (RFC 1918) and unique local
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.0.1",
        "192.168.255.255",
        "fc00::1",
        "fd12:3456:789a::1",
        # link-local, including the cloud metadata address
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1",
        "fe80::1%eth0",
        "febf::1",
        # shared address space (carrier-grade NAT)
        "100.64.0.1",
        "100.127.255.254",
        # unspecified, "this network"
        "0.0.0.0",
        "0.1.2.3",
        "::",
        # multicast
        "224.0.0.1",
        "239.255.255.250",
        "ff00::1",
        "ff02::1",
        "ff0e::1",
        # reserved and broadcast
        "240.0.0.1",
        "255.255.255.254",
        "255.255.255.255",
        # documentation and benchmarking ranges: not global
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.1",
        "198.18.0.1",
        "2001:db8::",
        "2001:db8::1",
        # IPv4-mapped IPv6, judged as the IPv4 inside
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:192.168.1.1",
        # IPv4-compatible (deprecated) and NAT64 forms of loopback
        "::127.0.0.1",
        "64:ff9b::7f00:1",
    ],
)
def test_non_global_addresses_are_refused(address: str) -> None:
    assert address_allowed(address) is False


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",
    ],
)
def test_global_unicast_addresses_are_allowed(address: str) -> None:
    assert address_allowed(address) is True


@pytest.mark.parametrize(
    "address",
    ["", "localhost", "example.com", "127.1", "0x7f000001", "2130706433", "1.2.3", "[::1]"],
)
def test_anything_but_a_literal_address_is_refused(address: str) -> None:
    """Only resolved addresses are judged; names and shorthand forms never pass."""
    assert address_allowed(address) is False


# check_url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "ws://127.0.0.1/socket",
        "javascript:alert(1)",
        "data:text/html,<title>x</title>",
        "//127.0.0.1/no-scheme",
        "127.0.0.1/no-scheme",
    ],
)
def test_only_http_and_https_are_allowed(url: str) -> None:
    with pytest.raises(Blocked):
        check_url(url, LOOPBACK_ONLY)


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@127.0.0.1/",
        "http://user@127.0.0.1/",
        "http://:pass@127.0.0.1/",
        "http://@127.0.0.1/",
        "https://user:pass@example.com:8443/path",
        "http://127.0.0.1@169.254.169.254/",
    ],
)
def test_credentials_are_refused(url: str) -> None:
    with pytest.raises(Blocked):
        check_url(url, LOOPBACK_ONLY)


@pytest.mark.parametrize(
    "url",
    ["http://", "http:///path", "http://:80/", "http://127.0.0.1:99999/", "http://127.0.0.1:x/"],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(Blocked):
        check_url(url, LOOPBACK_ONLY)


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("http://127.0.0.1/", "127.0.0.1", 80),
        ("https://127.0.0.1/", "127.0.0.1", 443),
        ("http://127.0.0.1:8080/page?x=1", "127.0.0.1", 8080),
        ("HTTP://127.0.0.1:8080/", "127.0.0.1", 8080),
        ("hTTpS://127.0.0.1/", "127.0.0.1", 443),
        ("http://127.0.0.1./", "127.0.0.1", 80),
    ],
)
def test_the_allowlisted_host_as_written_is_allowlisted(url: str, host: str, port: int) -> None:
    assert check_url(url, LOOPBACK_ONLY) == Target(host=host, port=port, allowlisted=True)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://localhost/", "localhost"),
        ("http://LOCALHOST:8080/", "localhost"),
        ("http://127.0.0.2/", "127.0.0.2"),
        ("http://127.1/", "127.1"),
        ("http://0x7f.1/", "0x7f.1"),
        ("http://0177.0.0.1/", "0177.0.0.1"),
        ("http://2130706433/", "2130706433"),
        ("http://[::1]/", "::1"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
        ("http://example.com/", "example.com"),
    ],
)
def test_other_spellings_are_not_allowlisted(url: str, host: str) -> None:
    """Allowlisting compares the host as written: another spelling of the same address is
    judged by its resolved address (and loopback is then refused)."""
    target = check_url(url, LOOPBACK_ONLY)
    assert (target.host, target.allowlisted) == (host, False)
    with pytest.raises(Blocked):
        allowed_addresses(target, ["127.0.0.1"])


def test_allowlist_is_case_insensitive_both_ways() -> None:
    allowed = parse_allowed_hosts(" Example.COM , 127.0.0.1,, ")
    assert allowed == frozenset({"example.com", "127.0.0.1"})
    assert check_url("https://EXAMPLE.com/a", allowed).allowlisted is True
    assert check_url("https://www.example.com/a", allowed).allowlisted is False
    assert check_url("https://example.com.evil.test/a", allowed).allowlisted is False


def test_an_empty_allowlist_allowlists_nothing() -> None:
    assert parse_allowed_hosts("") == frozenset()
    assert parse_allowed_hosts(" , ") == frozenset()
    assert check_url("http://127.0.0.1/", parse_allowed_hosts("")).allowlisted is False


# allowed_addresses


def test_an_allowlisted_host_skips_the_address_check() -> None:
    target = Target(host="127.0.0.1", port=80, allowlisted=True)
    assert allowed_addresses(target, ["127.0.0.1"]) == ["127.0.0.1"]


def test_only_global_addresses_of_other_hosts_are_usable() -> None:
    target = Target(host="example.com", port=443, allowlisted=False)
    resolved = ["127.0.0.1", "93.184.216.34", "10.0.0.1", "2606:2800:220:1::1", "::1"]
    assert allowed_addresses(target, resolved) == ["93.184.216.34", "2606:2800:220:1::1"]


@pytest.mark.parametrize(
    "resolved", [[], ["127.0.0.1"], ["10.0.0.1", "169.254.169.254", "::1", "fe80::1"]]
)
def test_no_usable_address_is_blocked(resolved: list[str]) -> None:
    with pytest.raises(Blocked):
        allowed_addresses(Target(host="example.com", port=80, allowlisted=False), resolved)


# extract_urls


def test_markdown_and_bare_urls_in_order_of_first_appearance() -> None:
    body = (
        "See [one](http://a.test/1) and http://b.test/2, then [again](http://a.test/1)\n"
        "and https://c.test/3?x=1&y=2#frag plus http://b.test/2."
    )
    assert extract_urls(body) == [
        "http://a.test/1",
        "http://b.test/2",
        "https://c.test/3?x=1&y=2#frag",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("end of sentence http://a.test/x.", "http://a.test/x"),
        ("list http://a.test/x, more", "http://a.test/x"),
        ("so http://a.test/x; then", "http://a.test/x"),
        ("what http://a.test/x?!", "http://a.test/x"),
        ("wow http://a.test/x!!!", "http://a.test/x"),
        ("(see http://a.test/x)", "http://a.test/x"),
        ("[md](http://a.test/x)", "http://a.test/x"),
        ("[md](http://a.test/x).", "http://a.test/x"),
        ('[md](http://a.test/x "a title")', "http://a.test/x"),
        ("**http://a.test/x**", "http://a.test/x"),
        ("_http://a.test/x_", "http://a.test/x"),
        ("~~http://a.test/x~~", "http://a.test/x"),
        ("<http://a.test/x>", "http://a.test/x"),
        ('"http://a.test/x"', "http://a.test/x"),
        ("'http://a.test/x'", "http://a.test/x"),
        ("`http://a.test/x`", "http://a.test/x"),
        ("http://a.test/wiki/Foo_(bar)", "http://a.test/wiki/Foo_(bar)"),
        ("[wiki](http://a.test/wiki/Foo_(bar))", "http://a.test/wiki/Foo_(bar)"),
        ("HTTPS://A.test/Path", "HTTPS://A.test/Path"),
        ("http://a.test/caf\u00e9", "http://a.test/caf\u00e9"),
        ("http://127.0.0.1:8080/page?title=a+b", "http://127.0.0.1:8080/page?title=a+b"),
    ],
)
def test_punctuation_that_ends_a_sentence_or_markup_is_trimmed(body: str, expected: str) -> None:
    assert extract_urls(body) == [expected]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "no links at all",
        "www.example.com and example.com/path",
        "ftp://a.test/file gopher://a.test/ file:///etc/passwd mailto:x@a.test",
        "javascript:alert(1) data:text/html,hi",
        "http:// and https:// alone",
        "http:/a.test/one-slash",
    ],
)
def test_non_http_text_has_no_links(body: str) -> None:
    assert extract_urls(body) == []


def test_at_most_twenty_distinct_links() -> None:
    urls = [f"http://a.test/{n}" for n in range(30)]
    body = " ".join([urls[0], urls[0], *urls, urls[1]])
    assert MAX_LINKS == 20
    assert extract_urls(body) == urls[:20]
    assert extract_urls(body, limit=3) == urls[:3]


def test_trailing_punctuation_variants_are_one_link() -> None:
    body = "http://a.test/x. http://a.test/x, (http://a.test/x) [x](http://a.test/x)"
    assert extract_urls(body) == ["http://a.test/x"]


# page_title


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<title>Hello</title>", "Hello"),
        ("<html><head><TITLE>Upper</TITLE></head></html>", "Upper"),
        ("<title>  Hello \n\t  wide\r\n world  </title>", "Hello wide world"),
        (
            "<title>Fish &amp; Chips &lt;3 &#39;n&#x27; &eacute;</title>",
            "Fish & Chips <3 'n' \u00e9",
        ),
        ("<title>First</title><title>Second</title>", "First"),
        ("<title>Unclosed", "Unclosed"),
        ('<script>var s = "<title>No</title>";</script><title>Real</title>', "Real"),
        ('<meta property="og:title" content="Graph">', "Graph"),
        ('<meta name="og:title" content="By name">', "By name"),
        ('<meta property="og:title" content="  Spaced \n out ">', "Spaced out"),
        ('<meta property="og:title" content="Graph"><title>Title</title>', "Title"),
        ('<title> \n </title><meta property="og:title" content="Fallback">', "Fallback"),
        ('<meta property="og:title" content="One"><meta property="og:title" content="Two">', "One"),
        ('<meta property="og:title">', None),
        ('<meta property="og:description" content="Not a title">', None),
        ("<title></title>", None),
        ("", None),
        ("no markup at all", None),
        ("<title", None),
        ("<<<>>><title>Still</title>", "Still"),
    ],
)
def test_title_then_og_title(html: str, expected: str | None) -> None:
    assert page_title(html) == expected


def test_titles_are_capped_after_collapsing() -> None:
    assert MAX_TITLE == 200
    assert page_title(f"<title>{'x' * 500}</title>") == "x" * 200
    assert page_title(f"<title>{'ab' + ' ' * 50}{'c' * 300}</title>") == ("ab " + "c" * 300)[:200]
    og = f'<meta property="og:title" content="{"y" * 201}">'
    assert page_title(og) == "y" * 200


# preview_of: which answers are parsed


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html", "T"),
        ("text/html; charset=utf-8", "T"),
        ("TEXT/HTML;charset=UTF-8", "T"),
        (" text/html ", "T"),
        ("text/plain", None),
        ("application/json", None),
        ("application/xhtml+xml", None),
        ("", None),
    ],
)
def test_only_text_html_is_parsed(content_type: str, expected: str | None) -> None:
    page = Page(status=200, content_type=content_type, body=b"<title>T</title>")
    preview = preview_of("http://a.test/", page)
    assert (preview.status, preview.title, preview.http_status) == ("ok", expected, 200)


@pytest.mark.parametrize("status", [200, 204, 301, 304, 399])
def test_2xx_and_3xx_are_ok(status: int) -> None:
    preview = preview_of("http://a.test/", Page(status=status, content_type="text/html", body=b""))
    assert (preview.status, preview.http_status) == ("ok", status)


@pytest.mark.parametrize("status", [400, 404, 451, 499])
def test_4xx_is_an_error_without_title(status: int) -> None:
    page = Page(status=status, content_type="text/html", body=b"<title>Not found</title>")
    preview = preview_of("http://a.test/", page)
    assert (preview.status, preview.title, preview.http_status) == ("error", None, status)


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        ("text/html; charset=iso-8859-1", "latin-1"),
        ('text/html; Charset="windows-1252"', "cp1252"),
        ("text/html; charset=no-such-charset", "utf-8"),
        ("text/html", "utf-8"),
    ],
)
def test_the_declared_charset_is_used_else_utf8(content_type: str, encoding: str) -> None:
    page = Page(
        status=200, content_type=content_type, body="<title>Caf\u00e9</title>".encode(encoding)
    )
    assert preview_of("http://a.test/", page).title == "Caf\u00e9"


def test_undecodable_bytes_do_not_fail() -> None:
    page = Page(status=200, content_type="text/html", body=b"<title>Bad \xff\xfe bytes</title>")
    assert preview_of("http://a.test/", page).title == "Bad \ufffd\ufffd bytes"


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 wrapping 127.0.0.1
        "2002:a00:1::",  # 6to4 wrapping 10.0.0.1
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo whose client is 10.0.0.1
    ],
)
def test_ipv6_that_wraps_a_private_ipv4_address_is_refused(address: str) -> None:
    assert not address_allowed(address)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("localhost", None),
        ("1.2.3.4.5", None),
    ],
)
def test_literal_addresses_are_recognised_in_every_spelling(host: str, address: str | None) -> None:
    assert literal_address(host) == address


@pytest.mark.parametrize(
    "url", ["http://127.1:80/", "http://0x7f.1/", "http://2130706433/", "http://[::1]/"]
)
def test_literal_loopback_spellings_are_blocked_before_any_dns(url: str) -> None:
    with pytest.raises(Blocked):
        check_target(url, frozenset({"127.0.0.1"}))


def test_a_url_carrying_another_url_is_kept_whole() -> None:
    body = "Archived at https://web.example/save/https://a.example/page and done."
    assert extract_urls(body) == ["https://web.example/save/https://a.example/page"]
