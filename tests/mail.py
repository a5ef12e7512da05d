"""A real SMTP server on loopback for tests (aiosmtpd), with Django's mailer pointed at it."""

import email
import socket
from email import policy

from aiosmtpd.controller import Controller


class Mailbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [
            email.message_from_bytes(envelope.content, policy=policy.default)
            for envelope in self.envelopes
        ]

    @property
    def recipients(self):
        return sorted(address for envelope in self.envelopes for address in envelope.rcpt_tos)


class RefusingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 Mailbox unavailable"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_server(settings, handler):
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    # Django 6.1's MAILERS, which replaced EMAIL_BACKEND, EMAIL_HOST and EMAIL_PORT.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    return controller
