"""Signing webhook deliveries as Standard Webhooks (standardwebhooks.com) does, so that a
receiver can check with that project's libraries, or a few lines of its own, that a delivery
came from this site, unaltered and recently.

The signed content is "{id}.{timestamp}.{body}": the id lets a receiver drop a repeat, the
timestamp lets it refuse a delivery recorded and replayed later.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"


def new_secret():
    """A random signing secret for an endpoint, in the format Standard Webhooks libraries read."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret):
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError("A webhook secret is whsec_ followed by base64.") from None


def signature(secret, message_id, timestamp, body):
    signed = f"{message_id}.{int(timestamp)}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signature_headers(secret, message_id, timestamp, body):
    """The headers that go with `body` (bytes), sent at `timestamp` (Unix seconds)."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp)),
        "webhook-signature": signature(secret, message_id, timestamp, body),
    }


def verify(secret, headers, body, tolerance=300):
    """Whether `body` with `headers` was signed with `secret` less than `tolerance` seconds
    from now (either way: clocks differ)."""
    headers = {name.lower(): value for name, value in headers.items()}
    message_id = headers.get("webhook-id")
    try:
        timestamp = int(headers.get("webhook-timestamp", ""))
    except ValueError:
        return False
    if not message_id or abs(time.time() - timestamp) > tolerance:
        return False
    expected = signature(secret, message_id, timestamp, body).encode()
    # Several signatures, space-separated, while a receiver moves to a new secret.
    return any(
        hmac.compare_digest(given.encode(), expected)
        for given in headers.get("webhook-signature", "").split()
    )
