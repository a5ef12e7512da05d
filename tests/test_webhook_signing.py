"""Webhook signatures (blog/webhooks.py): what Standard Webhooks receivers check, and every
tampering they must catch."""

import base64
import time

from blog.webhooks import new_secret, signature_headers, verify

SECRET = new_secret()
BODY = b'{"type": "post.published", "data": {"slug": "bread"}}'


def signed(secret=SECRET, message_id="msg_2a", timestamp=None, body=BODY):
    return signature_headers(secret, message_id, timestamp or int(time.time()), body)


def test_secrets_are_random_and_in_the_standard_format():
    first, second = new_secret(), new_secret()

    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32


def test_signature_matches_the_standard_webhooks_reference():
    """The example in the Standard Webhooks specification, so its libraries accept ours."""
    headers = signature_headers(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )

    assert headers == {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }


def test_a_signed_delivery_verifies():
    headers = signed()

    assert verify(SECRET, headers, BODY)
    assert verify(SECRET, {name.title(): value for name, value in headers.items()}, BODY)


def test_a_tampered_body_is_refused():
    assert not verify(SECRET, signed(), BODY.replace(b"bread", b"bre4d"))


def test_a_tampered_timestamp_or_id_is_refused():
    headers = signed()

    assert not verify(SECRET, headers | {"webhook-timestamp": str(int(time.time()) - 1)}, BODY)
    assert not verify(SECRET, headers | {"webhook-id": "msg_2b"}, BODY)


def test_another_secret_is_refused():
    assert not verify(new_secret(), signed(), BODY)
    assert not verify(SECRET, signed(secret=new_secret()), BODY)


def test_a_stale_or_future_timestamp_is_refused_even_when_correctly_signed():
    now = int(time.time())

    assert verify(SECRET, signed(timestamp=now - 290), BODY)
    assert not verify(SECRET, signed(timestamp=now - 301), BODY)
    assert not verify(SECRET, signed(timestamp=now + 301), BODY)
    assert verify(SECRET, signed(timestamp=now - 3000), BODY, tolerance=3600)


def test_missing_or_malformed_headers_are_refused():
    headers = signed()

    assert not verify(SECRET, {}, BODY)
    assert not verify(SECRET, headers | {"webhook-timestamp": "yesterday"}, BODY)
    assert not verify(SECRET, headers | {"webhook-signature": ""}, BODY)
    v1 = headers["webhook-signature"].removeprefix("v1,")
    assert not verify(SECRET, headers | {"webhook-signature": f"v2,{v1}"}, BODY)


def test_any_one_of_several_signatures_is_enough():
    """A receiver moving to a new secret is sent signatures made with both."""
    headers = signed()
    old = signed(secret=new_secret())["webhook-signature"]

    assert verify(
        SECRET, headers | {"webhook-signature": f"{old} {headers['webhook-signature']}"}, BODY
    )
