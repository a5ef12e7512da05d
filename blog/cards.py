"""Post cards (a post in a list) rendered when the post or what its card shows changes, and
stored on the post: a list page joins twenty stored strings instead of rendering twenty cards,
which was three quarters of its time.

A stored card is used only while it is the card the current template would render: each is
stored with `card_version()`, a fingerprint of the card's templates and of the settings its
text depends on. A card from other templates (a deploy that changed them, or a site that
overrides them) is rendered from its post instead, so a page is never wrong, only slower, until
`manage.py rebuild_stored_blocks` stores them again.

What a card shows comes from the post's row and its stored byline and tags, so a card is
stored again by every write of those: Post.store_derived() (a save, the bulk writers),
HistoryBatch (save_with_history), and store_parts() when bylines or tags change.
"""

import functools
import hashlib
import logging

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

CARD_TEMPLATE = "includes/post_card.html"
# Every template the card renders, for its fingerprint.
CARD_TEMPLATES = (CARD_TEMPLATE, "includes/byline.html", "includes/tag_list.html")
# What a card shows of its post: the row's columns and the stored blocks.
CARD_FIELDS = (
    "title",
    "slug",
    "description",
    "excerpt",
    "status",
    "publish_at",
    "reading_time",
    "stored_authors",
    "stored_tags",
)
# The stored parts a card shows: writing one of them stores the card again.
CARD_PARTS = {"authors", "tags"}

logger = logging.getLogger(__name__)
_warned = set()  # the versions this process has warned of stale cards under


def _fingerprint():
    digest = hashlib.sha256()
    for name in CARD_TEMPLATES:
        digest.update(get_template(name).template.source.encode())
    # Dates are shown in the site's time zone and language.
    digest.update(f"{settings.TIME_ZONE}|{settings.LANGUAGE_CODE}".encode())
    return digest.hexdigest()[:12]


_cached_fingerprint = functools.cache(_fingerprint)


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in {"TEMPLATES", "TIME_ZONE", "LANGUAGE_CODE"}:
        _cached_fingerprint.cache_clear()


def card_version():
    """The fingerprint of the cards the current templates render. Computed once per process,
    except with DEBUG on, where templates are edited while the server runs."""
    return _fingerprint() if settings.DEBUG else _cached_fingerprint()


def render_card(post, snippet=""):
    """The card of `post` (its CARD_FIELDS loaded); search results pass the words that matched
    as `snippet`, shown instead of the description."""
    return render_to_string(CARD_TEMPLATE, {"post": post, "snippet": snippet})


def store_cards(post_ids):
    """Render and store the cards of these posts, from their rows as committed: their rows
    are locked first (in one order), so a writer changing them at once has committed, and the
    last card written is of the last change."""
    from blog.models.post import Post

    post_ids = sorted(set(post_ids))
    if not post_ids:
        return
    version = card_version()
    with transaction.atomic():
        posts = list(
            Post.objects.select_for_update()
            .filter(pk__in=post_ids)
            .order_by("pk")
            .only(*CARD_FIELDS)
        )
        for post in posts:
            post.card_html = render_card(post)
            post.card_version = version
        Post.objects.bulk_update(posts, ["card_html", "card_version"], batch_size=500)


def cards(posts):
    """The cards of `posts` (loaded with `card_html` and `card_version`), in order, as safe
    HTML: stored ones as they are, the others rendered from their posts, read in one query."""
    from blog.models.post import Post

    version = card_version()
    stale = [post.pk for post in posts if post.card_version != version]
    rendered = {}
    if stale:
        if version not in _warned:
            _warned.add(version)
            logger.warning(
                "Stored post cards are from other templates, so pages render them: run "
                "manage.py rebuild_stored_blocks to store them again."
            )
        stale_posts = Post.objects.filter(pk__in=stale).only(*CARD_FIELDS)
        rendered = {post.pk: render_card(post) for post in stale_posts}
    return [mark_safe(rendered.get(post.pk, post.card_html)) for post in posts]
