"""Shareable preview links: signed, expiring URLs that show an unpublished post to anyone
holding them, until they expire, the post's links are revoked (its preview generation moves
on) or the post is archived or deleted."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "byline.preview"


def preview_url(post):
    """An absolute-path preview URL for `post` and the time it stops working."""
    token = signing.dumps(
        {"post": post.pk, "uuid": str(post.uuid), "generation": post.preview_generation},
        salt=SALT,
        compress=True,
    )
    expires = timezone.now() + timedelta(seconds=settings.BYLINE_PREVIEW_SECONDS)
    return reverse("blog:preview", kwargs={"token": token}), expires


def post_lookup_for(token):
    """Field values that find the post a token was made for (if its links still stand), or
    None when the token is tampered with or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.BYLINE_PREVIEW_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("generation"), int):
        return None  # made before links could be revoked
    return {
        "pk": data.get("post"),
        "uuid": data.get("uuid"),
        "preview_generation": data["generation"],
    }
