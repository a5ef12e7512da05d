"""What a post's pages show of its parts, stored on the post, and the candidates for its
related posts: so that a page is read in a bounded number of queries whatever the site's size.

The relational tables (the byline, taggit's tags, topics, FAQs, references) stay the source of
truth. From them `store_parts()` computes the blocks a post's pages show (its `stored_*`
fields: bylines, tags, topics, FAQs, references, as plain JSON), and `refresh_related()` keeps
`RelatedCandidate` right: per tag and per topic, its RELATED_DEPTH newest public posts and every
scheduled one. The newest `limit` posts sharing a tag or topic with a post, other than itself,
are then always among those rows (each is among the newest `limit` + 1 of one of its tags or
topics), and a scheduled post going live needs no write.

Both run in the model's write paths (Post.save, save_with_history, and the signals wired in
blog/apps.py for parts, tags, topics and profiles), for a batch of posts at once
(Post.store_derived(), which bulk writers call), with one bulk write per change.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blog.rendering import web_url
from blog.workflow import Status

# A post page shows up to 4 related posts: each group keeps one more, since it may be the post.
RELATED_LIMIT = 4
RELATED_DEPTH = RELATED_LIMIT + 1
BATCH_SIZE = 500

PARTS = ("authors", "tags", "topics", "faqs", "references")


class RelatedCandidate(models.Model):
    """A published post that may be shown as related on the posts of one tag or one topic."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey("taggit.Tag", null=True, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("blog.Topic", null=True, on_delete=models.CASCADE, related_name="+")
    publish_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=True, topic__isnull=False)
                | Q(tag__isnull=False, topic__isnull=True),
                name="related_candidate_one_group",
            )
        ]

    def __str__(self):
        return f"post {self.post_id} in {'tag' if self.tag_id else 'topic'} {self.group_id}"

    @property
    def group_id(self):
        return self.tag_id or self.topic_id


def same_as(author):
    """The author's profiles elsewhere, as schema.org `sameAs` gives them."""
    urls = [url for url in map(web_url, (author.website, author.linkedin)) if url]
    if author.twitter:
        urls.append(f"https://x.com/{author.twitter}")
    if author.github:
        urls.append(f"https://github.com/{author.github}")
    return urls


def byline_entry(author):
    """What a byline, an author card, a feed and JSON-LD show of `author`."""
    return {
        "name": author.name,
        "slug": author.slug,
        "url": author.get_absolute_url() if author.slug else "",
        "avatar": author.avatar.url if author.avatar else "",
        "bio_html": author.bio_html,
        "same_as": same_as(author),
    }


def _post_type():
    from blog.models.post import Post

    return ContentType.objects.get_for_model(Post)


def _authors(ids):
    from blog.models.parts import PostAuthor

    rows = (
        PostAuthor.objects.filter(post_id__in=ids)
        .select_related("author")
        .order_by("post_id", "order", "pk")
    )
    found = defaultdict(list)
    for row in rows:
        found[row.post_id].append(byline_entry(row.author))
    return found


def _tags(ids):
    from taggit.models import TaggedItem

    rows = (
        TaggedItem.objects.filter(content_type=_post_type(), object_id__in=ids)
        .order_by("tag__name", "tag_id")
        .values_list("object_id", "tag_id", "tag__name", "tag__slug")
    )
    found = defaultdict(list)
    for post_id, tag_id, name, slug in rows:
        url = reverse("blog:tag_detail", args=[slug])
        found[post_id].append({"id": tag_id, "name": name, "slug": slug, "url": url})
    return found


def _topics(ids):
    from blog.models.post import Post

    rows = (
        Post.topics.through.objects.filter(post_id__in=ids)
        .order_by("topic__name", "topic_id")
        .values_list("post_id", "topic_id", "topic__name", "topic__slug")
    )
    found = defaultdict(list)
    for post_id, topic_id, name, slug in rows:
        url = reverse("blog:topic_detail", args=[slug])
        found[post_id].append({"id": topic_id, "name": name, "slug": slug, "url": url})
    return found


def _faqs(ids):
    from blog.models.parts import FAQ

    rows = FAQ.objects.filter(post_id__in=ids).order_by("post_id", "order", "pk")
    found = defaultdict(list)
    for post_id, question, answer_html in rows.values_list("post_id", "question", "answer_html"):
        found[post_id].append({"question": question, "answer_html": answer_html})
    return found


def _references(ids):
    from blog.models.parts import Reference

    fields = ("title", "publisher", "year", "url")
    rows = Reference.objects.filter(post_id__in=ids).order_by("post_id", "order", "pk")
    found = defaultdict(list)
    for post_id, *values in rows.values_list("post_id", *fields):
        found[post_id].append(dict(zip(fields, values, strict=True)))
    return found


READERS = {
    "authors": _authors,
    "tags": _tags,
    "topics": _topics,
    "faqs": _faqs,
    "references": _references,
}


def store_parts(posts, parts=PARTS):
    """Compute the `stored_*` blocks named by `parts` for `posts` (saved Post instances, which
    get them set) from the relational tables, and write them: one query per part, one bulk
    update per BATCH_SIZE posts."""
    from blog.models.post import Post

    posts = [post for post in posts if post.pk is not None]
    for start in range(0, len(posts), BATCH_SIZE):
        batch = posts[start : start + BATCH_SIZE]
        ids = [post.pk for post in batch]
        for part in parts:
            found = READERS[part](ids)
            for post in batch:
                setattr(post, f"stored_{part}", found.get(post.pk, []))
        Post.objects.bulk_update(batch, [f"stored_{part}" for part in parts])


def store_parts_of(post_ids, parts):
    """store_parts() for the posts with these ids (loads nothing but their ids)."""
    from blog.models.post import Post

    store_parts(list(Post.objects.filter(pk__in=post_ids).only("pk")), parts)


def groups_of(post_ids):
    """The (tag ids, topic ids) whose candidates may change when these posts change: those the
    posts are candidates of now, and those they carry."""
    from blog.models.post import Post

    tags, topics = set(), set()
    for tag_id, topic_id in RelatedCandidate.objects.filter(post_id__in=post_ids).values_list(
        "tag_id", "topic_id"
    ):
        (tags.add(tag_id) if tag_id else topics.add(topic_id))
    from taggit.models import TaggedItem

    tags.update(
        TaggedItem.objects.filter(content_type=_post_type(), object_id__in=post_ids).values_list(
            "tag_id", flat=True
        )
    )
    topics.update(
        Post.topics.through.objects.filter(post_id__in=post_ids).values_list("topic_id", flat=True)
    )
    return tags, topics


def refresh_related(post_ids):
    """Bring the related-post candidates up to date after these posts' visibility, publish
    time, tags or topics changed (or they were deleted: call with groups_of() taken before)."""
    refresh_groups(*groups_of(list(post_ids)))


def refresh_groups(tag_ids, topic_ids):
    """Recompute the candidates of these tags and topics: for each, its RELATED_DEPTH newest
    public posts and all its scheduled ones (two small queries per group)."""
    from blog.models.post import Post

    now = timezone.now()
    rows = []
    for field, ids in (("tag", tag_ids), ("topic", topic_ids)):
        for group_id in ids:
            posts = Post.objects.filter(status=Status.PUBLISHED, **{f"{field}s__id": group_id})
            public = posts.filter(publish_at__lte=now).order_by("-publish_at", "-pk")
            for kind in (public[:RELATED_DEPTH], posts.filter(publish_at__gt=now)):
                rows += [
                    RelatedCandidate(post_id=pk, publish_at=moment, **{f"{field}_id": group_id})
                    for pk, moment in kind.values_list("pk", "publish_at")
                ]
    if tag_ids or topic_ids:
        RelatedCandidate.objects.filter(Q(tag_id__in=tag_ids) | Q(topic_id__in=topic_ids)).delete()
        RelatedCandidate.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def related_posts(post, limit=RELATED_LIMIT):
    """Published posts sharing a tag or a topic with `post`, newest first, never itself, in one
    query over the candidates of its tags and topics (a few rows per group, whatever the
    site's size). Post instances with the title, slug and publish time loaded."""
    from blog.models.post import Post

    tag_ids = [tag["id"] for tag in post.stored_tags]
    topic_ids = [topic["id"] for topic in post.stored_topics]
    if not tag_ids and not topic_ids:
        return []
    fields = ["id", "title", "slug", "publish_at"]
    rows = (
        RelatedCandidate.objects.filter(
            Q(tag_id__in=tag_ids) | Q(topic_id__in=topic_ids),
            publish_at__lte=timezone.now(),
            post__status=Status.PUBLISHED,
        )
        .exclude(post_id=post.pk)
        .values_list("post_id", "post__title", "post__slug", "publish_at")
        .distinct()
        .order_by("-publish_at", "-post_id")[:limit]
    )
    return [Post.from_db(None, fields, row) for row in rows]


# Receivers (wired in blog/apps.py): a change made outside save_with_history() (which stores
# everything once, after all its parts) is followed here, one bulk write per change.


def _deferring(post):
    return post is not None and getattr(post, "_defer_derived", False)


def part_changed(sender, instance, **kwargs):
    """post_save/post_delete of a byline entry, FAQ or reference."""
    post = instance._state.fields_cache.get("post")  # the writer's own instance, if any
    if not _deferring(post):
        store_parts_of([instance.post_id], [PART_OF[sender._meta.model_name]])


PART_OF = {"postauthor": "authors", "faq": "faqs", "reference": "references"}


def post_ids_of(group):
    """Ids of the posts carrying `group`, a Tag or a Topic."""
    from taggit.models import TaggedItem

    from blog.models.post import Post

    if group._meta.model_name == "topic":
        rows = Post.topics.through.objects.filter(topic_id=group.pk).values_list("post_id")
    else:
        rows = TaggedItem.objects.filter(tag_id=group.pk, content_type=_post_type())
        rows = rows.values_list("object_id")
    return [post_id for (post_id,) in rows]


def _part_of(group_model):
    return "topics" if group_model._meta.model_name == "topic" else "tags"


def posts_regrouped(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed of posts' tags or topics, from either side."""
    if not reverse:  # instance is a post; model the Tag or Topic
        if action in {"post_add", "post_remove", "post_clear"} and not _deferring(instance):
            store_parts([instance], [_part_of(model)])
            refresh_related([instance.pk])
        return
    # instance is a tag or topic; pk_set post ids (none on a clear: taken before it)
    if action == "pre_clear":
        instance._posts_before_clear = post_ids_of(instance)
    elif action in {"post_add", "post_remove", "post_clear"}:
        ids = getattr(instance, "_posts_before_clear", []) if action == "post_clear" else pk_set
        store_parts_of(ids, [_part_of(type(instance))])
        refresh_related(ids)


def group_saved(sender, instance, **kwargs):
    """post_save of a tag or topic: a rename shows on the posts carrying it."""
    store_parts_of(post_ids_of(instance), [_part_of(sender)])


def group_deleting(sender, instance, **kwargs):
    instance._posts_before_delete = post_ids_of(instance)


def group_deleted(sender, instance, **kwargs):
    """post_delete of a tag or topic: its candidates went with it (cascade)."""
    store_parts_of(getattr(instance, "_posts_before_delete", []), [_part_of(sender)])


def profile_saved(sender, instance, update_fields=None, **kwargs):
    """post_save of an account: bylines show its name, address, avatar and profiles."""
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    from blog.models.parts import PostAuthor

    ids = PostAuthor.objects.filter(author=instance).values_list("post_id", flat=True)
    store_parts_of(list(ids), ["authors"])


def post_deleting(sender, instance, **kwargs):
    """pre_delete of a post: the groups it is a candidate of lose it (cascade) and must find
    the next newest post."""
    rows = list(
        RelatedCandidate.objects.filter(post_id=instance.pk).values_list("tag_id", "topic_id")
    )
    instance._candidate_groups = (
        {tag for tag, _ in rows if tag},
        {topic for _, topic in rows if topic},
    )


def post_deleted(sender, instance, **kwargs):
    refresh_groups(*getattr(instance, "_candidate_groups", (set(), set())))
