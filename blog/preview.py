"""Shareable preview links: signed, expiring URLs that show an unpublished post to anyone
holding them."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

SALT = "byline.preview"


def preview_url(post):
    """An absolute-path preview URL for `post` and the time it stops working."""
    token = signing.dumps({"post": post.pk, "uuid": str(post.uuid)}, salt=SALT, compress=True)
    expires = timezone.now() + timedelta(seconds=settings.BYLINE_PREVIEW_SECONDS)
    return reverse("blog:preview", kwargs={"token": token}), expires


def post_id_for(token):
    """The post a token was made for, or None when it is tampered with or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.BYLINE_PREVIEW_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return data.get("post"), data.get("uuid")
