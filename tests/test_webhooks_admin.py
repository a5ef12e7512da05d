"""Webhooks in the admin: Editors register them (never an address inside the network), writers
neither see nor reach them or the delivery log."""

import pytest

from blog.models import Delivery, Event, WebhookEndpoint
from blog.models.golive import Channel, EventKind
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

WEBHOOKS = "/admin/blog/webhookendpoint/"
DELIVERIES = "/admin/blog/delivery/"


def webhook_form(url, events=("post.published",), name="Receiver"):
    return {"name": name, "url": url, "events": list(events), "active": "on"}


def test_an_editor_registers_a_webhook_and_gets_its_signing_secret(client, editor):
    client.force_login(editor)

    response = client.post(f"{WEBHOOKS}add/", webhook_form("https://hooks.example.com/byline"))

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["post.published"] and endpoint.secret.startswith("whsec_")
    page = client.get(f"{WEBHOOKS}{endpoint.pk}/change/").content.decode()
    assert endpoint.secret in page


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://localhost/",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://2130706433/",
        "ftp://example.com/hook",
        "http://user:password@example.com/hook",
    ],
)
def test_a_webhook_to_an_inside_address_is_refused(client, editor, url):
    client.force_login(editor)

    response = client.post(f"{WEBHOOKS}add/", webhook_form(url))

    assert response.status_code == 200  # the form again, with the reason
    assert response.context["adminform"].form.errors["url"]
    assert WebhookEndpoint.objects.count() == 0


def test_writers_cannot_reach_webhooks_or_the_delivery_log(client, contributor, author):
    endpoint = WebhookEndpoint.objects.create(
        name="Receiver", url="https://hooks.example.com/", events=["post.published"], secret="s"
    )
    event = Event.objects.create(
        kind=EventKind.PUBLISHED, post=PostFactory(), due_at="2026-01-01T00:00Z"
    )
    delivery = Delivery.objects.create(
        event=event, channel=Channel.WEBHOOK, target=str(endpoint.pk), endpoint=endpoint
    )
    for user in (contributor, author):
        client.force_login(user)
        for url in (
            WEBHOOKS,
            f"{WEBHOOKS}add/",
            f"{WEBHOOKS}{endpoint.pk}/change/",
            DELIVERIES,
            f"{DELIVERIES}{delivery.pk}/change/",
        ):
            assert client.get(url).status_code == 403, (user, url)
        response = client.post(
            DELIVERIES, {"action": "send_again", "_selected_action": [delivery.pk]}
        )
        assert response.status_code == 403
        index = client.get("/admin/").content.decode()
        assert "Webhooks" not in index and "deliveries" not in index.lower()
