"""Keeping posts right as sponsored data changes: which /go/ links each post uses, and the
posts rendered again when an affiliate rule, a network or a sponsored link changes.

A post's HTML is rendered on save with the rules of that moment (blog/affiliates.py), so a
change to them is carried into the posts it affects at once, in the transaction that makes
it: the posts whose text mentions the changed host, or that link to the changed /go/ slug.
Only their HTML is written again: no revision, no new "updated" time (their text is the same).
A change that touches more than IN_REQUEST posts (a rule for a common host on a large site)
renders that many at once and leaves the rest to the task queue, so that the editor's save
never runs into the request's time limit.
"""

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Q
from django.tasks import task

from blog.affiliates import forget_rules, load_rules
from blog.rendering import has_sponsored_links
from blog.rows import update_rows

logger = logging.getLogger(__name__)

# /go/ slugs in rendered HTML: live links (href) and retired ones (data-go, see rendering).
_GO_IN_HTML = re.compile(r'(?:href="/go/|data-go=")([A-Za-z0-9_-]+)')
BATCH_SIZE = 200
IN_REQUEST = BATCH_SIZE
# The posts rendered again, while someone counts them (see posts_rendered_again).
_rendered = ContextVar("sponsored_rendered_again", default=None)


class RenderedAgain(set):
    """The ids of the posts rendered again at once; `later`, those left to the worker."""

    def __init__(self):
        super().__init__()
        self.later = set()


@contextmanager
def posts_rendered_again():
    """Collect the ids of the posts render_again renders within the block (and those it
    leaves to the worker) into what it gives: what the admin tells an editor after a save."""
    rendered = RenderedAgain()
    token = _rendered.set(rendered)
    try:
        yield rendered
    finally:
        _rendered.reset(token)


def record_sponsored_links(posts):
    """Set each post's `has_sponsored_links` from what its page shows (body and end, loaded
    with their HTML: blog/fragments.store_fragments) and record the /go/ slugs it uses."""
    from blog.models import SponsoredLinkUse

    uses = []
    for post in posts:
        shown = post.body_html + post.footer_html
        post.has_sponsored_links = has_sponsored_links(shown)
        uses += [SponsoredLinkUse(post=post, slug=slug) for slug in set(_GO_IN_HTML.findall(shown))]
    SponsoredLinkUse.objects.filter(post__in=posts).delete()
    SponsoredLinkUse.objects.bulk_create(uses)


def render_again(post_ids):
    """Render these posts' body and FAQ answers again with the rules as they are now, and
    store what follows from them (references' links, fragments, links used): the newest
    IN_REQUEST now, the rest by the worker once this transaction is committed. Returns how
    many posts it rendered now."""
    post_ids = sorted(set(post_ids), reverse=True)  # the newest first
    now, later = post_ids[:IN_REQUEST], post_ids[IN_REQUEST:]
    if (counting := _rendered.get()) is not None:
        counting.update(now)
        counting.later.update(later)
    if later:
        transaction.on_commit(lambda: render_posts_again.enqueue(later))
    return _render(now)


@task
def render_posts_again(post_ids):
    """The worker's part of render_again(), with the rules as they are when it runs."""
    return _render(post_ids)


def _render(post_ids):
    from blog.content_version import bump_content_generation
    from blog.figures import figures
    from blog.models import FAQ, Post
    from blog.models.stored import store_parts
    from blog.rendering import rendered_or_invalid

    if not post_ids:
        return 0
    forget_rules()
    rules = load_rules()
    for start in range(0, len(post_ids), BATCH_SIZE):
        batch = post_ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            posts = list(
                Post.objects.select_for_update()
                .filter(pk__in=batch)
                .order_by("pk")
                .only("pk", "slug", "body", "body_html")
            )
            slugs = {post.pk: post.slug for post in posts}
            for post in posts:
                try:
                    html = Post.derive(post.body, rules, post.slug)["body_html"]
                    post.body_html = figures(html)
                except Exception:  # a body stored before today's limits: left as it is
                    logger.warning("Post %s could not be rendered again", post.pk, exc_info=True)
            update_rows(posts, ["body_html"])
            faqs = list(FAQ.objects.filter(post_id__in=batch).only("pk", "post_id", "answer"))
            for faq in faqs:
                try:
                    html = rendered_or_invalid(faq.answer, "answer", rules, slugs[faq.post_id])
                    faq.answer_html = html[0]
                except Exception:
                    logger.warning("FAQ %s could not be rendered again", faq.pk, exc_info=True)
            update_rows(faqs, ["answer_html"])
            store_parts(posts, ["faqs", "references"])
    # Bulk updates send no signals: cached pages showing these posts go stale here (the worker's
    # part of render_again() too, which no save around it announces).
    bump_content_generation()
    return len(post_ids)


def _literal(host_pattern):
    """The part of a host pattern every matching host contains."""
    return host_pattern.removeprefix("*.").removesuffix(".*")


def posts_mentioning(hosts):
    """Ids of posts whose body, FAQ answers or references mention one of `hosts` (patterns)."""
    from blog.models import Post

    match = Q()
    for literal in {_literal(host) for host in hosts if host}:
        match |= (
            Q(body__icontains=literal)
            | Q(faqs__answer__icontains=literal)
            | Q(references__url__icontains=literal)
        )
    if not match:
        return []
    return list(Post.objects.filter(match).values_list("pk", flat=True).distinct())


def posts_using(slugs):
    from blog.models import SponsoredLinkUse

    rows = SponsoredLinkUse.objects.filter(slug__in=[slug for slug in slugs if slug])
    return list(rows.values_list("post_id", flat=True).distinct())


# Receivers, wired in blog/apps.py -----------------------------------------------------------


def remember_before(sender, instance, **kwargs):
    """pre_save/pre_delete: what the row was, to find the posts the old one affected."""
    stored = sender.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._before = stored


def rule_changed(sender, instance, raw=False, **kwargs):
    """post_save/post_delete of an AffiliateRule."""
    if raw:
        return
    before = getattr(instance, "_before", None)
    forget_rules()
    render_again(posts_mentioning([instance.host, before.host if before else ""]))


def network_changed(sender, instance, raw=False, **kwargs):
    """post_save of an AffiliateNetwork (turned on or off, renamed): its rules' posts."""
    if raw:
        return
    forget_rules()
    render_again(posts_mentioning(instance.rules.values_list("host", flat=True)))


def link_changed(sender, instance, raw=False, **kwargs):
    """post_save/post_delete of a SponsoredLink: the posts using its slug (old or new) link
    to it, or show its text without a link once it is retired or gone."""
    if raw:
        return
    before = getattr(instance, "_before", None)
    forget_rules()
    if before is not None and (before.slug, before.active) == (instance.slug, instance.active):
        return  # a new destination or name: /go/ reads it on each click
    render_again(posts_using([instance.slug, before.slug if before else ""]))


def link_deleted(sender, instance, **kwargs):
    """post_delete of a SponsoredLink: its posts show its text without a link."""
    forget_rules()
    render_again(posts_using([instance.slug]))
