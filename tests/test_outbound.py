"""Outbound requests (blog/outbound.py): they reach real servers on loopback when private
addresses are allowed, and every way of pointing one at the server itself, its network or the
cloud metadata service is refused before anything is sent."""

import socket
import ssl
import subprocess

import pytest
from django.core.exceptions import ValidationError

from blog.outbound import EXCERPT_BYTES, OutboundError, check_destination, send
from tests.receivers import Receiver, Silent, Trickle


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def other_receiver():
    server = Receiver()
    yield server
    server.close()


# Requests that go through ------------------------------------------------------------------


def test_request_reaches_the_server_with_its_method_path_headers_and_body(receiver):
    receiver.status, receiver.body = 202, b"queued"

    response = send(
        "post",
        receiver.address("/hooks/in?source=byline"),
        body=b'{"event": "post.published"}',
        headers={"Content-Type": "application/json", "webhook-id": "msg_1"},
        allow_private=True,
    )

    assert (response.status, response.ok, response.excerpt) == (202, True, "queued")
    assert response.elapsed_ms >= 0
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/hooks/in?source=byline")
    assert request.body == b'{"event": "post.published"}'
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["User-Agent"].startswith("Byline")


def test_the_host_header_is_the_urls_whatever_the_caller_passes(receiver):
    send("GET", receiver.address(), headers={"host": "admin.internal"}, allow_private=True)

    [request] = receiver.requests
    assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
    assert "admin.internal" not in str(request.headers)


def test_ipv6_addresses_are_called_with_a_bracketed_host_header():
    try:
        server = Receiver(host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    try:
        response = send("GET", server.address("/six"), allow_private=True)
    finally:
        server.close()

    assert response.status == 200
    assert server.requests[0].headers["Host"] == f"[::1]:{server.port}"


def test_only_the_start_of_a_long_answer_is_read(receiver):
    receiver.status, receiver.body = 500, b"x" * 1_000_000

    response = send("GET", receiver.address(), allow_private=True)

    assert response.status == 500
    assert not response.ok
    assert len(response.excerpt) == EXCERPT_BYTES


def test_private_addresses_follow_the_setting_unless_asked(receiver, settings):
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = True
    assert send("GET", receiver.address()).status == 200

    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(OutboundError):
        send("GET", receiver.address())
    assert send("GET", receiver.address(), allow_private=True).status == 200
    assert len(receiver.requests) == 2


# Attacks: each is refused before any request leaves -----------------------------------------

LOOPBACK = [
    "http://localhost:{port}/",
    "http://127.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://2130706433:{port}/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://0177.0.0.1:{port}/",  # octal
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::127.0.0.1]:{port}/",  # IPv4-compatible IPv6
    "http://[64:ff9b::7f00:1]:{port}/",  # NAT64
    "http://[2002:7f00:1::]:{port}/",  # 6to4
    "http://LocalHost:{port}/",
]
ELSEWHERE = {
    "http://10.0.0.1/": "private",
    "http://172.16.5.4/": "private",
    "http://192.168.1.1/admin": "private",
    "http://[fc00::1]/": "private",
    "http://[fd12:3456::1]/": "private",
    "http://[::ffff:10.0.0.1]/": "private",
    "http://169.254.169.254/latest/meta-data/": "cloud metadata",
    "http://[::ffff:169.254.169.254]/": "cloud metadata",
    "http://169.254.1.1/": "link-local",
    "http://[fe80::1]/": "link-local",
    "http://0.0.0.0:{port}/": "unspecified",
    "http://0:{port}/": "unspecified",
    "http://[::]:{port}/": "unspecified",
    "http://100.64.0.1/": "shared",
    "http://224.0.0.1/": "multicast",
    "http://[ff02::1]/": "multicast",
    "http://240.0.0.1/": "reserved",
    "http://255.255.255.255/": "reserved",
}


@pytest.mark.parametrize("url", LOOPBACK)
def test_loopback_in_any_spelling_is_refused(receiver, settings, url):
    settings.BYLINE_OUTBOUND_ALLOW_PRIVATE = False
    url = url.format(port=receiver.port)

    with pytest.raises(OutboundError) as refusal:
        send("POST", url, body=b"steal")
    with pytest.raises(ValidationError) as invalid:
        check_destination(url)

    assert "a loopback address" in refusal.value.reason
    assert "only sends requests to public internet addresses" in refusal.value.reason
    assert refusal.value.refused
    assert invalid.value.messages == [refusal.value.reason]
    assert receiver.requests == []


@pytest.mark.parametrize(("url", "kind"), ELSEWHERE.items())
def test_private_link_local_and_reserved_addresses_are_refused(receiver, url, kind):
    url = url.format(port=receiver.port)

    with pytest.raises(OutboundError) as refusal:
        send("GET", url, timeout=1)
    with pytest.raises(ValidationError) as invalid:
        check_destination(url)

    assert kind in refusal.value.reason
    assert refusal.value.refused
    assert kind in invalid.value.messages[0]
    assert receiver.requests == []


def test_the_refusal_names_the_host_and_what_it_resolves_to(receiver):
    with pytest.raises(ValidationError) as decimal:
        check_destination(f"http://2130706433:{receiver.port}/")
    with pytest.raises(ValidationError) as literal:
        check_destination("http://169.254.169.254/")

    assert decimal.value.messages[0].startswith("2130706433 resolves to 127.0.0.1, a loopback")
    assert literal.value.messages[0].startswith(
        "169.254.169.254 is a link-local (cloud metadata service) address"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://user:secret@127.0.0.1:{port}/",
        "http://user@127.0.0.1:{port}/",
        "http://:secret@127.0.0.1:{port}/",
        "http://example.com@127.0.0.1:{port}/",
    ],
)
def test_credentials_in_the_address_are_refused_even_where_private_is_allowed(receiver, url):
    url = url.format(port=receiver.port)

    with pytest.raises(OutboundError) as refusal:
        send("GET", url, allow_private=True)
    with pytest.raises(ValidationError) as invalid:
        check_destination(url, allow_private=True)

    assert "user name or password" in refusal.value.reason
    assert "user name or password" in invalid.value.messages[0]
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1:{port}/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_GET%20/",
        "dict://127.0.0.1:{port}/",
        "javascript:alert(1)",
        "//127.0.0.1:{port}/",
        "127.0.0.1:{port}",
    ],
)
def test_only_http_and_https_are_called(receiver, url):
    url = url.format(port=receiver.port)

    with pytest.raises(OutboundError) as refusal:
        send("GET", url, allow_private=True)
    with pytest.raises(ValidationError):
        check_destination(url, allow_private=True)

    assert refusal.value.reason.startswith("Only http:// and https:// addresses can be called")
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/\r\nX-Injected: 1", "http://127.0.0.1:{port}/a b", ""]
)
def test_addresses_with_spaces_or_line_breaks_are_refused(receiver, url):
    with pytest.raises(OutboundError) as refusal:
        send("GET", url.format(port=receiver.port), allow_private=True)

    assert refusal.value.refused
    assert receiver.requests == []


def test_public_addresses_pass_the_check():
    check_destination("https://93.184.215.14/hooks/byline")
    check_destination("http://[2606:4700:4700::1111]:8080/")


def test_the_connection_goes_to_the_address_that_was_checked(receiver, monkeypatch):
    """DNS rebinding: a name that resolves to a public address when checked and to loopback a
    moment later never reaches loopback, because nothing looks it up a second time."""
    real = socket.getaddrinfo
    lookups = []

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        answer = "93.184.215.14" if len(lookups) == 1 else "127.0.0.1"
        return real(answer, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    with pytest.raises(OutboundError):  # this machine cannot reach the public address
        send("GET", f"http://rebind.example:{receiver.port}/", timeout=0.5)

    assert lookups == ["rebind.example"]
    assert receiver.requests == []


def test_the_request_names_the_host_it_was_given_not_the_address(receiver, monkeypatch):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        return real("127.0.0.1" if host == "hooks.example" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    send("GET", f"http://hooks.example:{receiver.port}/in", allow_private=True)

    assert receiver.requests[0].headers["Host"] == f"hooks.example:{receiver.port}"


# Redirects, timeouts and failures ------------------------------------------------------------


def test_a_redirect_is_a_result_and_is_not_followed(receiver, other_receiver):
    target = other_receiver.address("/internal")
    receiver.status, receiver.headers, receiver.body = 302, {"Location": target}, b""

    response = send("POST", receiver.address(), body=b"{}", allow_private=True)

    assert (response.status, response.ok, response.location) == (302, False, target)
    assert len(receiver.requests) == 1
    assert other_receiver.requests == []


def test_a_server_that_never_answers_times_out():
    silent = Silent()
    try:
        with pytest.raises(OutboundError) as failure:
            send("POST", silent.url, body=b"{}", timeout=0.3, allow_private=True)
    finally:
        silent.close()

    assert failure.value.reason == "127.0.0.1 sent no answer within 0.3 s."
    assert not failure.value.refused


def test_a_server_that_trickles_its_answer_is_cut_off():
    trickle = Trickle()
    try:
        with pytest.raises(OutboundError) as failure:
            send("GET", trickle.url, timeout=0.5, allow_private=True)
    finally:
        trickle.close()

    assert failure.value.reason == "No complete answer within 1.5 s."


def test_a_refused_connection_is_reported():
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()

    with pytest.raises(OutboundError) as failure:
        send("GET", f"http://127.0.0.1:{port}/", allow_private=True)

    assert failure.value.reason == f"127.0.0.1:{port} refused the connection."


def test_a_name_that_does_not_resolve_is_reported_when_sent_not_refused_in_forms():
    with pytest.raises(OutboundError) as failure:
        send("GET", "https://no-such-host.invalid/hook")

    assert failure.value.reason.startswith("Could not look up no-such-host.invalid")
    assert not failure.value.refused  # its DNS may be set up later: worth sending again
    check_destination("https://no-such-host.invalid/hook")


# HTTPS -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A certificate authority of the test's own, and a certificate it signed for localhost."""
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    (folder / "leaf.ext").write_text(
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n"
    )
    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
        *("-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Byline test CA"),
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    )
    openssl(
        *("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "leaf.key"),
        *("-out", "leaf.csr", "-subj", "/CN=localhost"),
    )
    openssl(
        *("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-days", "2", "-out", "leaf.pem", "-extfile", "leaf.ext"),
    )
    return folder


@pytest.fixture
def tls_receiver(certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    server = Receiver(tls=context)
    yield server
    server.close()


def test_https_checks_the_certificate_against_the_host_name(
    tls_receiver, certificates, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))

    response = send("POST", tls_receiver.address("/in", host="localhost"), allow_private=True)

    assert response.status == 200
    assert tls_receiver.server_names == ["localhost"]  # SNI, though the connection is to an IP
    assert tls_receiver.requests[0].headers["Host"] == f"localhost:{tls_receiver.port}"


def test_https_refuses_a_certificate_for_another_name(tls_receiver, certificates, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))

    with pytest.raises(OutboundError) as failure:
        send("POST", tls_receiver.address("/in", host="127.0.0.1"), allow_private=True)

    assert failure.value.reason.startswith("The TLS certificate of 127.0.0.1 was not accepted")
    assert tls_receiver.requests == []


def test_https_refuses_a_certificate_from_an_unknown_authority(tls_receiver):
    with pytest.raises(OutboundError) as failure:
        send("POST", tls_receiver.address("/in", host="localhost"), allow_private=True)

    assert "certificate verify failed" in failure.value.reason or "issuer" in failure.value.reason
    assert tls_receiver.requests == []
