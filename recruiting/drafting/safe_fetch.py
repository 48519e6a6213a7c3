"""Fetching a company's public web page without letting the server reach inside our network (SSRF).

- http/https only, ports 80/443 (or the URL's explicit port if it is one of those), no credentials.
- The host name is resolved once; every address must be public (not private, loopback, link-local,
  multicast, reserved or unspecified, IPv4-mapped included), and the connection goes to that
  vetted address, so DNS cannot change its answer between the check and the connect.
- Redirects are followed by hand, at most MAX_REDIRECTS, each target checked like the first URL.
- The whole fetch is bounded in time (per socket operation and overall) and in bytes.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_BYTES = 2_000_000
TIMEOUT_SECONDS = 5.0
TOTAL_SECONDS = 10.0
MAX_REDIRECTS = 3
ALLOWED_PORTS = {"http": 80, "https": 443}
WEB_PORTS = frozenset(ALLOWED_PORTS.values())
USER_AGENT = "HeadhunterProfileBot/1.0 (+company profile import)"

Resolver = Callable[[str, int], list[str]]
AddressCheck = Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool]


class FetchRefused(Exception):
    """The URL may not or could not be fetched; the message is safe to show to the user."""


@dataclass(frozen=True)
class FetchedPage:
    url: str
    content_type: str
    text: str
    truncated: bool


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise FetchRefused(f"The host {host!r} could not be found.") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def vetted_address(
    url: str, *, resolver: Resolver, allowed: AddressCheck, ports: frozenset[int] = WEB_PORTS
) -> tuple[str, int, str]:
    """(scheme, port, address) of a URL that may be fetched, else FetchRefused."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_PORTS:
        raise FetchRefused("Only http:// and https:// addresses can be fetched.")
    if parts.username or parts.password:
        raise FetchRefused("Addresses with a user name or password are not fetched.")
    host = parts.hostname
    if not host:
        raise FetchRefused("The address has no host name.")
    try:
        port = parts.port or ALLOWED_PORTS[scheme]
    except ValueError:
        raise FetchRefused("The address has an invalid port.") from None
    if port not in ports:
        raise FetchRefused("Only the standard web ports (80 and 443) are fetched.")
    addresses = resolver(host, port)
    if not addresses:
        raise FetchRefused(f"The host {host!r} could not be found.")
    for address in addresses:
        if not allowed(ipaddress.ip_address(address.split("%")[0])):
            raise FetchRefused(f"{host!r} points to a private or reserved network address; it is not fetched.")
    return scheme, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted address while speaking to the URL's host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_public_page(
    url: str,
    *,
    resolver: Resolver = resolve,
    allowed: AddressCheck = is_public_address,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_SECONDS,
    total_seconds: float = TOTAL_SECONDS,
    ports: frozenset[int] = WEB_PORTS,
) -> FetchedPage:
    deadline = time.monotonic() + total_seconds
    for _ in range(MAX_REDIRECTS + 1):
        scheme, port, address = vetted_address(url, resolver=resolver, allowed=allowed, ports=ports)
        parts = urlsplit(url)
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname or "", port, address=address, timeout=timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location") or ""
                if not location:
                    raise FetchRefused("The site answered with a redirect without a target.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(f"The site answered with HTTP {response.status}.")
            content_type = response.getheader("Content-Type") or ""
            if content_type and not content_type.startswith(("text/html", "text/plain", "application/xhtml")):
                raise FetchRefused(f"The address is not a web page ({content_type.split(';')[0]}).")
            body, truncated = _read_bounded(response, max_bytes=max_bytes, deadline=deadline)
        except (OSError, http.client.HTTPException) as problem:
            raise FetchRefused(f"The page could not be fetched ({type(problem).__name__}).") from None
        finally:
            connection.close()
        charset = response.headers.get_content_charset() or "utf-8"
        return FetchedPage(
            url=url, content_type=content_type, text=body.decode(charset, "replace"), truncated=truncated
        )
    raise FetchRefused(f"The site redirected more than {MAX_REDIRECTS} times.")


def _read_bounded(response: http.client.HTTPResponse, *, max_bytes: int, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        if time.monotonic() > deadline:
            raise FetchRefused("The site took too long to answer.")
        chunk = response.read(min(65_536, max_bytes - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), bool(response.read(1))
