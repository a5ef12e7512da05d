"""The one way Byline sends HTTP requests to addresses that editors or settings give: webhooks,
WebSub hub pings, cache purges.

An editor who may type a webhook address must not be able to make the server call itself, its
private network or the cloud metadata service (server-side request forgery). So the host is
resolved once, every address it resolves to must be public, and the connection goes to one of
those very addresses: a second lookup could answer differently (DNS rebinding). A redirect is a
result, never followed, since it could lead anywhere. Timeouts bound each step and the whole
exchange, and only the first few KB of an answer are read.

The standard library does it all (http.client over a socket connected here); no HTTP client
package is needed for one request at a time.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.encoding import iri_to_uri

EXCERPT_BYTES = 4096
# The whole exchange (look-up, connection, TLS, answer) may take this many timeouts: each step
# waits at most one, and a server that trickles its answer a byte at a time is still cut off.
TOTAL_TIMEOUTS = 3
USER_AGENT = "Byline"
DEFAULT_PORTS = {"http": 80, "https": 443}
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_METADATA = ipaddress.ip_address("169.254.169.254")
# IETF protocol assignments: the standard library's tables before Python 3.12.4 (CVE-2024-4032)
# call most of them global. No webhook lives there.
_IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")


class OutboundError(Exception):
    """A request refused before it left (`refused` is true: sending it again will not help) or
    one that failed on the way; `reason` says which, for people."""

    def __init__(self, reason, *, refused=False):
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True)
class OutboundResponse:
    status: int
    reason: str
    elapsed_ms: int
    excerpt: str  # the first EXCERPT_BYTES of the body, decoded leniently
    location: str = ""  # where a redirect pointed; never followed

    @property
    def ok(self):
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # ASCII (IDNA): what the Host header, SNI and the certificate check use
    port: int
    host_header: str
    target: str  # path and query
    addresses: tuple  # getaddrinfo() entries, every one checked


def _embedded_ipv4(address):
    """The IPv4 address an IPv6 one stands for, which the network delivers to."""
    if address.version == 4:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    value = int(address)
    if (value >> 32 == 0 and value > 1) or address in _NAT64:  # ::a.b.c.d, 64:ff9b::a.b.c.d
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def not_public(address):
    """What kind of non-public address `address` is; "" for a public one."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return not_public(embedded)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address == _METADATA:
        return "link-local (cloud metadata service)"
    if address.is_link_local:
        return "link-local"
    if address in _SHARED:
        return "shared (carrier-grade NAT)"
    if address.version == 6 and address.is_site_local:  # fec0::/10: deprecated, still routed
        return "site-local"
    if address in _IETF_PROTOCOL:
        return "reserved"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"
    return ""


def _parse(url):
    if not isinstance(url, str) or not url:
        raise OutboundError("No address given.", refused=True)
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise OutboundError("The address contains spaces or control characters.", refused=True)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundError(f"{url} is not a valid address ({error}).", refused=True) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        shown = f"{scheme}://" if scheme else "a relative address"
        raise OutboundError(
            f"Only http:// and https:// addresses can be called, not {shown}.", refused=True
        )
    if "@" in parts.netloc:
        raise OutboundError(
            "The address contains a user name or password (user:password@…): Byline does not "
            "send credentials in addresses.",
            refused=True,
        )
    if not parts.hostname:
        raise OutboundError(f"{url} has no host name.", refused=True)
    if port == 0:
        raise OutboundError(f"{url}: port 0 is not a port.", refused=True)
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise OutboundError(f"{parts.hostname} is not a valid host name.", refused=True) from None
    host_header = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host_header += f":{port}"
    target = iri_to_uri(parts.path or "/") + (f"?{iri_to_uri(parts.query)}" if parts.query else "")
    return scheme, host, port or DEFAULT_PORTS[scheme], host_header, target


def shown(url):
    """`url` as the delivery log and other messages may show it: without its query, where a
    CDN's or hub's key may be (these requests take no headers from settings)."""
    base, query = url.split("?", 1) if "?" in url else (url, "")
    return f"{base}?…" if query else base


def _resolve(host, port, timeout):
    """getaddrinfo() has no timeout of its own: it runs in a thread that is given up on."""
    found = {}

    def look_up():
        try:
            found["addresses"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            found["error"] = error

    thread = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise OutboundError(f"Looking up {host} took longer than {timeout:g} s.")
    if "error" in found:
        error = found["error"]
        raise OutboundError(f"Could not look up {host}: {error.strerror or error}.")
    addresses = [
        entry for entry in found["addresses"] if entry[0] in (socket.AF_INET, socket.AF_INET6)
    ]
    if not addresses:
        raise OutboundError(f"{host} has no internet address.")
    return tuple(dict.fromkeys(addresses))


def _check(host, addresses):
    for *_, sockaddr in addresses:
        address = ipaddress.ip_address(sockaddr[0].partition("%")[0])
        if kind := not_public(address):
            where = f"{host} is" if host == str(address) else f"{host} resolves to {address},"
            raise OutboundError(
                f"{where} a {kind} address: Byline only sends requests to public internet "
                "addresses.",
                refused=True,
            )


def destination(url, allow_private=None, timeout=None):
    """Where `url` leads, resolved once and checked; OutboundError says why it may not be
    called."""
    if allow_private is None:
        allow_private = settings.BYLINE_OUTBOUND_ALLOW_PRIVATE
    timeout = settings.BYLINE_OUTBOUND_TIMEOUT if timeout is None else timeout
    scheme, host, port, host_header, target = _parse(url)
    addresses = _resolve(host, port, timeout)
    if not allow_private:
        _check(host, addresses)
    return Destination(scheme, host, port, host_header, target, addresses)


def check_destination(url, allow_private=None):
    """For forms: ValidationError naming the problem when `url` may not be called. A name that
    does not resolve now passes (its DNS may not be set up yet): every send() resolves and
    checks it again."""
    try:
        destination(url, allow_private)
    except OutboundError as error:
        if error.refused:
            raise ValidationError(error.reason, code="outbound_destination") from error


class _Deadline:
    """The time left of the whole exchange; once it is out, cuts the connection off."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.passed = False
        self._timer = None

    def left(self, step):
        left = self.end - time.monotonic()
        if left <= 0:
            self.passed = True
            raise OutboundError(f"No complete answer within {self.seconds:g} s.")
        return min(step, left)

    def guard(self, sock):
        """Shut `sock` down when the time is out, waking whatever read or handshake waits on
        it. Through a duplicate of its descriptor: shutdown acts on the connection itself, and
        wrapping the socket in TLS detaches the original object."""
        seconds = self.left(self.seconds)
        copy = socket.fromfd(sock.fileno(), sock.family, sock.type)

        def cut():
            self.passed = True
            try:
                copy.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        self._copy = copy
        self._timer = threading.Timer(seconds, cut)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self):
        if self._timer:
            self._timer.cancel()
            self._copy.close()


def _connect(place, timeout, deadline):
    error = None
    for family, kind, proto, _name, sockaddr in place.addresses:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(deadline.left(timeout))
        try:
            sock.connect(sockaddr)
            return sock
        except OSError as failure:
            sock.close()
            error = failure
    where = f"{place.host}:{place.port}"
    if isinstance(error, TimeoutError):
        raise OutboundError(f"No connection to {where} within {timeout:g} s.")
    if isinstance(error, ConnectionRefusedError):
        raise OutboundError(f"{where} refused the connection.")
    raise OutboundError(f"Could not connect to {where}: {error.strerror or error}.")


class _PinnedConnection(http.client.HTTPConnection):
    """http.client over a socket this module connected (and wrapped in TLS) itself."""

    def __init__(self, place, sock, timeout):
        super().__init__(place.host, place.port, timeout=timeout)
        self.sock = sock

    def connect(self):
        raise OutboundError("The connection was closed before the request was sent.")


def _read_excerpt(response):
    """The first EXCERPT_BYTES of the body; the status is the result, so a body that stalls or
    breaks off only shortens the excerpt."""
    chunks, size = [], 0
    try:
        while size < EXCERPT_BYTES:
            chunk = response.read1(EXCERPT_BYTES - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (OSError, http.client.HTTPException):
        pass
    return b"".join(chunks).decode("utf-8", "replace")


def _failure(error, place, timeout):
    host = place.host
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"The TLS certificate of {host} was not accepted: {error.verify_message}."
    if isinstance(error, ssl.SSLError):
        return f"TLS with {host} failed: {error.reason or error}."
    if isinstance(error, TimeoutError):
        return f"{host} sent no answer within {timeout:g} s."
    if isinstance(error, http.client.RemoteDisconnected | ConnectionResetError):
        return f"{host} closed the connection without answering."
    if isinstance(error, http.client.HTTPException):
        return f"{host} did not answer in HTTP ({type(error).__name__})."
    return f"The request to {host} failed: {getattr(error, 'strerror', None) or error}."


def send(method, url, *, body=b"", headers=None, timeout=None, allow_private=None):
    """Send one request to a checked public address (or any, with `allow_private`) and return
    its status and the start of its answer; OutboundError says why there is none."""
    timeout = settings.BYLINE_OUTBOUND_TIMEOUT if timeout is None else timeout
    if not timeout > 0:
        raise ValueError("The timeout must be a positive number of seconds.")
    # The Host header names the host of the URL, whatever the caller passed.
    headers = {name: value for name, value in (headers or {}).items() if name.lower() != "host"}
    started = time.monotonic()
    deadline = _Deadline(timeout * TOTAL_TIMEOUTS)
    place = destination(url, allow_private, deadline.left(timeout))
    sock = _connect(place, timeout, deadline)
    connection = response = None
    try:
        deadline.guard(sock)
        sock.settimeout(timeout)
        if place.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=place.host)
        connection = _PinnedConnection(place, sock, timeout)
        connection.request(
            method.upper(),
            place.target,
            body=body,
            headers={"User-Agent": USER_AGENT, **headers, "Host": place.host_header},
        )
        response = connection.getresponse()
        if deadline.passed:  # a cut connection ends the headers early: they may be a fragment
            raise OSError("cut off")
        excerpt = _read_excerpt(response)
    except (OSError, http.client.HTTPException) as error:
        if deadline.passed:
            raise OutboundError(f"No complete answer within {deadline.seconds:g} s.") from None
        raise OutboundError(_failure(error, place, timeout)) from None
    finally:
        deadline.cancel()
        for opened in (response, connection, sock):
            if opened:
                opened.close()
    return OutboundResponse(
        status=response.status,
        reason=response.reason,
        elapsed_ms=round((time.monotonic() - started) * 1000),
        excerpt=excerpt,
        location=response.getheader("Location", "") if 300 <= response.status < 400 else "",
    )


def send_all(requests, *, allow_private=None, workers=8):
    """send(**request) for each of `requests`, several at once; in their order, each an
    OutboundResponse or the OutboundError that stopped it."""

    def one(request):
        try:
            return send(**{"allow_private": allow_private, **request})
        except OutboundError as error:
            return error

    if not requests:
        return []
    with ThreadPoolExecutor(max_workers=min(workers, len(requests))) as pool:
        return list(pool.map(one, requests))
