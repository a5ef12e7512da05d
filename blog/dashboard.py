"""The editorial desk: what the admin's front page shows one writer or editor.

Contributors and Authors see their own posts (the post list's rule, PostAdmin.get_queryset);
Editors see every post. Whatever the number of posts, the desk costs the same seven queries:
one for every count, one per list, and one for the posts whose compliance is checked (the
newest COMPLIANCE_CHECKED of those in review or gone out in the last COMPLIANCE_DAYS days,
checked in memory from their stored HTML).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from blog.compliance import problems
from blog.models import Post, PostAuthor, StateChange
from blog.workflow import Status

LISTED = 5  # posts per list
SCHEDULED_DAYS = 14
STALE_REVIEW_DAYS = 7  # a review waiting longer than this needs attention
ATTENTION_LISTED = 8
COMPLIANCE_DAYS = 30
COMPLIANCE_CHECKED = 100
# Posts that are out, going out or asked to go out: where a missing description matters.
IN_PLAY = Q(status__in=[Status.IN_REVIEW, Status.PUBLISHED])
NO_ALT = Q(featured_image__isnull=False, featured_image_alt="", featured_image__alt_text="")
# What the lists show of a post (its byline from the stored authors: no query per post).
_SHOWN = ["pk", "title", "status", "publish_at", "updated_at", "stored_authors"]


@dataclass
class Attention:
    post: Post
    reasons: list = field(default_factory=list)


@dataclass
class Desk:
    counts: dict
    drafts: list
    in_review: list
    scheduled: list
    published: list
    attention: list
    everyone: bool  # an editor's desk (every post), or a writer's (their own)
    stale_days = STALE_REVIEW_DAYS

    @property
    def attention_total(self):
        """How many posts need attention (each counted once)."""
        return self.counts["flagged"] + self.counts["compliance_only"]


def age(since, now):
    """How long ago `since` was, in the one unit a glance needs: "just now", "40 minutes",
    "5 hours", "9 days", "7 weeks"."""
    minutes = int((now - since).total_seconds() // 60)
    for unit, size, up_to in [("minute", 1, 60), ("hour", 60, 24), ("day", 1440, 42)]:
        if minutes < size * up_to:
            count = minutes // size
            return "just now" if count < 1 else f"{count} {unit}{'s' * (count != 1)}"
    weeks = minutes // (1440 * 7)
    return f"{weeks} weeks"


def submitted_for_review_at():
    """When a post was last submitted for review (its last edit, for one never submitted:
    an import straight into review)."""
    submitted = StateChange.objects.filter(post=OuterRef("pk"), to_status=Status.IN_REVIEW)
    return Coalesce(Subquery(submitted.order_by("-at").values("at")[:1]), "updated_at")


def desk_for(user, now=None):
    """The desk of `user`, as of `now`."""
    now = now or timezone.now()
    everyone = user.has_perm("blog.edit_any_post")
    posts = Post.objects.all()
    mine = Q(pk__in=PostAuthor.objects.filter(author=user).values("post_id"))
    scope = posts if everyone else posts.filter(mine)
    stale_before = now - timedelta(days=STALE_REVIEW_DAYS)
    soon = Q(
        status=Status.PUBLISHED,
        publish_at__gt=now,
        publish_at__lte=now + timedelta(days=SCHEDULED_DAYS),
    )
    stale = Q(status=Status.IN_REVIEW, submitted_at__lt=stale_before)

    counts = scope.annotate(submitted_at=submitted_for_review_at()).aggregate(
        drafts=Count("pk", filter=mine & Q(status=Status.DRAFT)),
        in_review=Count("pk", filter=Q(status=Status.IN_REVIEW)),
        stale_reviews=Count("pk", filter=stale),
        scheduled_soon=Count("pk", filter=soon),
        scheduled=Count("pk", filter=Q(status=Status.PUBLISHED, publish_at__gt=now)),
        published=Count("pk", filter=Q(status=Status.PUBLISHED, publish_at__lte=now)),
        no_description=Count("pk", filter=IN_PLAY & Q(description="")),
        no_alt=Count("pk", filter=IN_PLAY & NO_ALT),
        flagged=Count("pk", filter=IN_PLAY & (Q(description="") | NO_ALT | stale)),
    )
    drafts = posts.filter(mine, status=Status.DRAFT).only(*_SHOWN).order_by("-updated_at")
    in_review = (
        scope.filter(status=Status.IN_REVIEW)
        .only(*_SHOWN)
        .annotate(submitted_at=submitted_for_review_at())
        .order_by("submitted_at", "pk")
    )
    scheduled = scope.filter(soon).only(*_SHOWN).order_by("publish_at", "pk")
    published = (
        scope.filter(status=Status.PUBLISHED, publish_at__lte=now)
        .only(*_SHOWN)
        .order_by("-publish_at", "-pk")
    )
    in_review = list(in_review[:LISTED])
    for post in in_review:
        post.waiting = age(post.submitted_at, now)
        post.stale = post.submitted_at < stale_before

    drafts = list(drafts[:LISTED])
    for post in drafts:
        edited = age(post.updated_at, now)
        post.edited = edited if edited == "just now" else f"{edited} ago"

    attention = _attention(scope, now, stale_before)
    failing = [item for item in attention if any(k == "compliance" for k, _ in item.reasons)]
    counts["compliance"] = len(failing)
    counts["compliance_only"] = sum(1 for item in failing if len(item.reasons) == 1)
    return Desk(
        counts=counts,
        drafts=drafts,
        in_review=in_review,
        scheduled=list(scheduled[:LISTED]),
        published=list(published[:LISTED]),
        attention=[item for item in attention if item.reasons][:ATTENTION_LISTED],
        everyone=everyone,
    )


def _attention(scope, now, stale_before):
    """Posts in review or out that need an editor's hand, each with its reasons as
    (kind, sentence): the newest few missing a description or alt text or waiting long for
    review (the counts say how many in all), and those failing the sponsored compliance check
    among the ones most likely to be read."""
    flagged = (
        scope.filter(IN_PLAY)
        .annotate(submitted_at=submitted_for_review_at())
        .filter(
            Q(description="") | NO_ALT | Q(status=Status.IN_REVIEW, submitted_at__lt=stale_before)
        )
        .select_related("featured_image")
        .only(*_SHOWN, "description", "featured_image__alt_text", "featured_image_alt")
        .order_by("-publish_at", "-pk")[:ATTENTION_LISTED]
    )
    checked = (
        scope.filter(
            Q(status=Status.IN_REVIEW)
            | Q(status=Status.PUBLISHED, publish_at__gte=now - timedelta(days=COMPLIANCE_DAYS))
        )
        .annotate(submitted_at=submitted_for_review_at())
        .defer("body", "card_html", "metadata")
        .order_by("-publish_at", "-pk")[:COMPLIANCE_CHECKED]
    )
    found = {post.pk: Attention(post, _field_reasons(post, now, stale_before)) for post in flagged}
    for post in checked:
        if failures := problems(post):
            noun = "problem" if len(failures) == 1 else "problems"
            item = found.get(post.pk) or Attention(post, _field_reasons(post, now, stale_before))
            item.reasons.append(("compliance", f"Sponsored-content check: {len(failures)} {noun}"))
            found[post.pk] = item
    return sorted(
        found.values(), key=lambda item: (item.post.publish_at, item.post.pk), reverse=True
    )


def _field_reasons(post, now, stale_before):
    reasons = []
    if not post.description:
        reasons.append(("description", "No description"))
    if post.featured_image_id and not post.featured_alt():
        reasons.append(("alt", "Featured image without alt text"))
    if post.status == Status.IN_REVIEW and post.submitted_at < stale_before:
        reasons.append(("stale", f"In review for {age(post.submitted_at, now)}"))
    return reasons
