"""The SSRF guard: which URLs and which resolved addresses a preview may connect to.

Refused: schemes other than http/https, credentials in the URL, and any host whose resolved
address is loopback, private, link-local, multicast, reserved or otherwise not global. Hosts in
LINK_PREVIEW_ALLOWED_HOSTS (compared case-insensitively with the host as written) skip the
address check. Callers check every redirect hop, and check again at connect time on the
address actually used.
"""

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult
from urllib.parse import urlsplit


class Blocked(Exception):
    """The guard refused a URL or an address."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a checked URL points: host as written (lower-cased), port, and whether the host
    is on the allowlist."""

    host: str
    port: int
    allowlisted: bool


def parse_allowed_hosts(raw: str) -> frozenset[str]:
    return frozenset(host.strip().lower() for host in raw.split(",") if host.strip())


def check_url(url: str, allowed_hosts: frozenset[str]) -> Target:
    """Check what can be checked before DNS: scheme, credentials, host, port."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Blocked("malformed URL") from error
    if parts.scheme.lower() not in ("http", "https"):
        raise Blocked("scheme not allowed")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Blocked("credentials in URL")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise Blocked("no host")
    default_port = 443 if parts.scheme.lower() == "https" else 80
    return Target(host=host, port=port or default_port, allowlisted=host in allowed_hosts)


def address_allowed(address: str) -> bool:
    """True only for global unicast addresses. IPv6 that wraps an IPv4 address (mapped, 6to4,
    Teredo) is judged by the IPv4 address inside too."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            candidates = [ip.ipv4_mapped]
        if ip.sixtofour is not None:
            candidates.append(ip.sixtofour)
        if ip.teredo is not None:
            candidates.extend(ip.teredo)
    return all(
        c.is_global and not (c.is_multicast or c.is_reserved or c.is_loopback) for c in candidates
    )


def literal_address(host: str) -> str | None:
    """The address an IP-literal host means, canonical or in a legacy IPv4 spelling that
    resolvers accept (127.1, 0x7f.1, 2130706433, 0177.0.0.1); None for a host name."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host and all(part.isalnum() for part in host.split(".")):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


# Pure (no DNS), and called for every call and redirect hop: cached. Blocked URLs raise, so
# only accepted ones are kept.
@lru_cache(maxsize=4096)
def check_target(url: str, allowed_hosts: frozenset[str]) -> Target:
    """check_url, plus the address check for IP-literal hosts (no DNS involved)."""
    target = check_url(url, allowed_hosts)
    address = literal_address(target.host)
    if address is not None:
        allowed_addresses(target, [address])
    return target


def allowed_addresses(target: Target, addresses: list[str]) -> list[str]:
    """The resolved addresses a connection may use; Blocked if none."""
    usable = addresses if target.allowlisted else [a for a in addresses if address_allowed(a)]
    if not usable:
        raise Blocked("address not allowed")
    return usable


def resolve(target: Target) -> list[str]:
    """Resolve a host (blocking); the async app uses the event loop's getaddrinfo instead."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OSError(f"cannot resolve {target.host}") from error
    return [str(info[4][0]) for info in infos]
