from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from blog.models import Post
from tests.factories import PostFactory

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PAST = NOW - timedelta(minutes=1)
FUTURE = NOW + timedelta(minutes=1)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "publish_at", "visible"),
    [
        (Post.Status.DRAFT, PAST, False),
        (Post.Status.DRAFT, FUTURE, False),
        (Post.Status.IN_REVIEW, PAST, False),
        (Post.Status.IN_REVIEW, FUTURE, False),
        (Post.Status.PUBLISHED, PAST, True),
        (Post.Status.PUBLISHED, NOW, True),
        (Post.Status.PUBLISHED, FUTURE, False),
        (Post.Status.ARCHIVED, PAST, False),
        (Post.Status.ARCHIVED, FUTURE, False),
    ],
)
def test_published_is_status_published_with_publish_time_reached(status, publish_at, visible):
    with time_machine.travel(NOW, tick=False):
        post = PostFactory(status=status, publish_at=publish_at)

        assert (post in Post.objects.published()) is visible
        assert post.is_published() is visible


def test_scheduled_post_becomes_public_when_its_time_comes_without_any_job():
    with time_machine.travel(NOW, tick=False):
        post = PostFactory(status=Post.Status.PUBLISHED, publish_at=NOW + timedelta(hours=2))
        assert post.is_scheduled()
        assert not Post.objects.published().filter(pk=post.pk).exists()

    with time_machine.travel(NOW + timedelta(hours=2, seconds=1), tick=False):
        assert Post.objects.published().filter(pk=post.pk).exists()
        post.refresh_from_db()
        assert post.is_published() and not post.is_scheduled()
