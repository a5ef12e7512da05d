"""Email notifications about posts: who hears of what happened to a post, and the message.

The task queue calls `recipients()` when something happens and `send()` once per recipient from
a worker, retrying a send that raised. Titles and names are writers' input: they are kept to
one line in headers (a line break there would start a header of the writer's choosing) and
escaped in the HTML part.
"""

import re
from dataclasses import dataclass
from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from blog.seo import site_url
from blog.workflow import Status

EDITORS, AUTHORS, MENTIONED = "editors", "authors", "mentioned"


@dataclass(frozen=True)
class Kind:
    subject: str
    audience: str
    # The state change whose time the message gives (None: the post's publish time).
    status: str | None


KINDS = {
    "post.submitted": Kind("Submitted for review", EDITORS, Status.IN_REVIEW),
    "post.published": Kind("Published", AUTHORS, Status.PUBLISHED),
    "post.returned_to_draft": Kind("Back to draft", AUTHORS, Status.DRAFT),
    "post.went_live": Kind("Now live", AUTHORS, None),
    # Those an editorial note names (blog/models/notes.py), each note once.
    "note.mention": Kind("A note for you", MENTIONED, None),
}
NOTE_EXCERPT = 600

# Editors are recognised as the workflow recognises them: by the right to edit any post.
EDITOR_PERMISSION = "blog.edit_any_post"
_ID_PART = re.compile(r"[A-Za-z0-9._-]+")
_FULL_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")


def recipients(kind, post, actor=None):
    """Who hears of `kind` happening to `post`: the editors of a post submitted for review, the
    post's authors (in byline order) of anything else. Never `actor`, who did it; only active
    people with an email address who have not turned notifications off."""
    if KINDS[kind].audience == MENTIONED:
        raise ValueError("A note's mentions are its own recipients (EditorialNote.mentioned).")
    if KINDS[kind].audience == EDITORS:
        people = get_user_model().objects.with_perm(
            EDITOR_PERMISSION, backend="django.contrib.auth.backends.ModelBackend"
        )
        # Reviewing is done in the admin.
        people = people.filter(is_staff=True).order_by("username")
    else:
        people = post.authors.order_by("postauthor__order", "postauthor__pk")
    people = people.filter(is_active=True, email_notifications=True).exclude(email="")
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    return list(people)


def wants(recipient):
    """Whether `recipient` may still be sent a notification: they can turn notifications off,
    or be deactivated, between the event and its delivery."""
    return recipient.is_active and recipient.email_notifications and bool(recipient.email)


def build_message(kind, post, recipient, *, actor=None, message_id=None, note=None):
    """The email telling `recipient` that `kind` happened to `post` (done by `actor`, if known):
    plain text with an HTML alternative. `message_id` (a delivery's id, or a whole
    "<local@domain>") makes its Message-ID, the same on every retry of that delivery."""
    details = KINDS[kind]
    title = one_line(post.title)
    context = {
        "kind": kind,
        "post": post,
        "title": title,
        "recipient": recipient,
        "actor_name": actor.name if actor is not None else "",
        "when": date_format(
            timezone.localtime(note.created_at if note else _when(details, post)), "j F Y, H:i T"
        ),
        "note": note.body[:NOTE_EXCERPT] if note else "",
        "note_cut": note is not None and len(note.body) > NOTE_EXCERPT,
        # Only staff can log in to the admin; imported authors may not.
        "admin_url": site_url(
            reverse("admin:blog_post_notes" if note else "admin:blog_post_change", args=[post.pk])
        )
        if recipient.is_staff
        else "",
        "profile_url": site_url(reverse("admin:accounts_user_change", args=[recipient.pk]))
        if recipient.is_staff
        else "",
        "public_url": site_url(post.get_absolute_url()) if post.is_published() else "",
        "site_name": settings.BYLINE_SITE_NAME,
        "site_url": settings.BYLINE_SITE_URL,
    }
    headers = {
        # RFC 3834: no out-of-office or other automatic replies to this.
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if message_id is not None:
        headers["Message-ID"] = _message_id(message_id)
    message = EmailMultiAlternatives(
        subject=f"{details.subject}: {title}",
        body=render_to_string("emails/post_notification.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((one_line(recipient.name), recipient.email))],
        headers=headers,
    )
    message.attach_alternative(
        render_to_string("emails/post_notification.html", context), "text/html"
    )
    return message


def send(kind, post, recipient, *, actor=None, message_id=None, note=None):
    """Send one notification through Django's email backend; a failure raises (for the queue
    to retry). Returns False, sending nothing, when `recipient` no longer wants it."""
    if not wants(recipient):
        return False
    build_message(kind, post, recipient, actor=actor, message_id=message_id, note=note).send()
    return True


def one_line(text):
    """`text` with every run of whitespace, line breaks of any kind included, as one space."""
    return " ".join(str(text).split())


def _when(details, post):
    """When it happened, as recorded, so that a message sent late or again says the same."""
    if details.status is not None:
        change = post.state_changes.filter(to_status=details.status).first()
        if change is not None:
            return change.at
    return post.publish_at if details.status in {None, Status.PUBLISHED} else timezone.now()


def _message_id(message_id):
    text = str(message_id)
    if _FULL_ID.fullmatch(text):
        return text
    if not _ID_PART.fullmatch(text):
        raise ValueError(f"{text!r} cannot be part of a Message-ID.")
    return f"<notification.{text}@{urlsplit(settings.BYLINE_SITE_URL).hostname}>"
