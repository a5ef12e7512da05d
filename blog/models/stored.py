"""What a post's pages show of its parts, stored on the post, and the listings of posts under
their tags, topics and authors: so that a page is read in a bounded number of queries, each
reading a bounded number of rows, whatever the site's size.

The relational tables (the byline, taggit's tags, topics, FAQs, references) stay the source of
truth. From them `store_parts()` computes the blocks a post's pages show (its `stored_*`
fields: bylines, tags, topics, FAQs, references, as plain JSON), and `refresh_listings()` keeps
`Listing` right: one row per published post (scheduled ones included, with their publish time)
and tag, topic or author of it, indexed by scope and publish time. A tag, topic or author page
reads its posts along that index, a page at a time; related posts are, per tag and topic of the
post, its `limit` newest rows, merged (each group's newest `limit` hold the union's newest
`limit`). Scheduled posts going live need no write: readers compare publish times with now.

Both run in the model's write paths (Post.save, save_with_history, and the signals wired in
blog/apps.py for parts, tags, topics and profiles), for a batch of posts at once
(Post.store_derived(), which bulk writers call), with one bulk write per change.

Post is imported where it is used: blog/models/post.py imports this module.
"""

import contextvars
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from taggit.models import TaggedItem

from blog.affiliates import current_rules
from blog.fragments import store_fragments
from blog.models.parts import FAQ, PostAuthor, Reference
from blog.rendering import REL_OUTBOUND, REL_SPONSORED, link_kind, web_url
from blog.rows import update_rows
from blog.workflow import Kind, Status

BATCH_SIZE = 500

PARTS = ("authors", "tags", "topics", "faqs", "references")
# The parts a post is listed under: writing one of them rewrites the post's listings.
LISTED_PARTS = {"authors", "tags", "topics"}
SCOPES = ("tag", "topic", "author")


class Listing(models.Model):
    """A published post (or a scheduled one) under one of its tags, topics or authors."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="listings")
    # Indexed below, with the publish time: the order pages read them in.
    tag = models.ForeignKey(
        "taggit.Tag", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    topic = models.ForeignKey(
        "blog.Topic", null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    publish_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=[scope, "-publish_at", "-post"], name=f"listing_{scope}_idx")
            for scope in SCOPES
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(tag__isnull=False, topic=None, author=None)
                | Q(tag=None, topic__isnull=False, author=None)
                | Q(tag=None, topic=None, author__isnull=False),
                name="listing_one_scope",
            )
        ]

    def __str__(self):
        return f"post {self.post_id} under {self.tag_id or self.topic_id or self.author_id}"


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
    rows = TaggedItem.objects.filter(content_type=_post_type(), object_id__in=ids)
    return _grouped(rows, "tag", "object_id", "blog:tag_detail")


def _topics(ids):
    from blog.models.post import Post

    rows = Post.topics.through.objects.filter(post_id__in=ids).order_by("pk")
    return _grouped(rows, "topic", "post_id", "blog:topic_detail")  # the primary topic first


def _grouped(rows, group, post_field, url_name):
    """{post id: [its tags or topics]} from `rows` of a through table (tags by name, topics in
    the order `rows` has)."""
    if not rows.query.order_by:
        rows = rows.order_by(f"{group}__name", f"{group}_id")
    rows = rows.values_list(post_field, f"{group}_id", f"{group}__name", f"{group}__slug")
    found = defaultdict(list)
    for post_id, group_id, name, slug in rows:
        url = reverse(url_name, args=[slug]) if slug else ""  # taggit slugs "!!!" to ""
        found[int(post_id)].append({"id": group_id, "name": name, "slug": slug, "url": url})
    return found


def _faqs(ids):
    rows = FAQ.objects.filter(post_id__in=ids).order_by("post_id", "order", "pk")
    found = defaultdict(list)
    for post_id, question, answer_html in rows.values_list("post_id", "question", "answer_html"):
        found[post_id].append({"question": question, "answer_html": answer_html})
    return found


def _references(ids):
    fields = ("title", "publisher", "year", "url")
    rows = Reference.objects.filter(post_id__in=ids).order_by("post_id", "order", "pk")
    found = defaultdict(list)
    rules = current_rules()
    for post_id, *values in rows.values_list("post_id", *fields):
        reference = dict(zip(fields, values, strict=True))
        # A source can be an affiliate link too: marked as the body's are.
        sponsored = link_kind(reference["url"], rules) == "sponsored"
        reference["rel"] = REL_SPONSORED if sponsored else REL_OUTBOUND
        found[post_id].append(reference)
    return found


READERS = {
    "authors": _authors,
    "tags": _tags,
    "topics": _topics,
    "faqs": _faqs,
    "references": _references,
}


def store_parts(posts, parts=PARTS, fragments=True):
    """Compute the `stored_*` blocks named by `parts` for `posts` (saved Post instances, which
    get them set) from the relational tables, and write them: one query per part, one bulk
    update per BATCH_SIZE posts. Their fragments (blog/fragments.py) too, unless the caller
    stores them itself (`fragments=False`)."""
    from blog.models.post import Post

    posts = [post for post in posts if post.pk is not None]
    for start in range(0, len(posts), BATCH_SIZE):
        batch = posts[start : start + BATCH_SIZE]
        ids = [post.pk for post in batch]
        with transaction.atomic():
            _lock(Post, ids)
            for part in parts:
                found = READERS[part](ids)
                for post in batch:
                    setattr(post, f"stored_{part}", found.get(post.pk, []))
            update_rows(batch, [f"stored_{part}" for part in parts])
            if fragments:
                store_fragments(ids)


def _lock(model, ids):
    """Lock the posts' rows (in one order, so two writers cannot deadlock here) before reading
    what is stored from: a writer changing the same posts at once has committed by then, and
    each statement after the lock sees it (READ COMMITTED). Without it, the last of two
    writers wrote what it had read before the other committed."""
    list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def store_parts_of(post_ids, parts):
    """store_parts() for the posts with these ids (loads nothing but their ids)."""
    from blog.models.post import Post

    store_parts(list(Post.objects.filter(pk__in=post_ids).only("pk")), parts)


def rebuild_all(fragments=True):
    """Store the blocks, listings and fragments of every post again, BATCH_SIZE posts at a time
    (a restore, migration 0012, manage.py rebuild_stored_blocks); returns how many posts."""
    from blog.models.post import Post

    ids = list(Post.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        posts = Post.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).only("pk")
        Post.store_derived(list(posts), fragments=fragments)
    return len(ids)


def refresh_listings(post_ids):
    """Rewrite the listings of these posts (after their status, publish time, tags, topics or
    byline changed): one row per tag, topic and author of each published one."""
    from blog.models.post import Post

    post_ids = list(post_ids)
    with transaction.atomic():
        _lock(Post, post_ids)
        # A page (listed nowhere) may have rows too, under its authors: those who read the
        # listings check the post's kind, as its status. Not read here, as the backfill of
        # migration 0012 runs this code before the column exists.
        published = dict(
            Post.objects.filter(pk__in=post_ids, status=Status.PUBLISHED).values_list(
                "pk", "publish_at"
            )
        )
        rows = []
        if published:
            tagged = TaggedItem.objects.filter(content_type=_post_type(), object_id__in=published)
            in_topics = Post.topics.through.objects.filter(post_id__in=published)
            credited = PostAuthor.objects.filter(post_id__in=published)
            for scope, through, post_field in (
                ("tag", tagged, "object_id"),
                ("topic", in_topics, "post_id"),
                ("author", credited, "post_id"),
            ):
                rows += [
                    Listing(post_id=post_id, publish_at=published[post_id], **{f"{scope}_id": key})
                    for post_id, key in through.values_list(post_field, f"{scope}_id").distinct()
                ]
        Listing.objects.filter(post_id__in=post_ids).delete()
        Listing.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def public_under(**scope):
    """Listings of public posts under one tag, topic or author (`tag=…`, `topic=…` or
    `author=…`, an instance or an id), newest first."""
    now = timezone.now()
    # The post's own status and time as well as the listing's: a listing is rewritten after
    # its post changes, and must never be what makes a post public.
    return Listing.objects.filter(
        publish_at__lte=now,
        post__status=Status.PUBLISHED,
        post__publish_at__lte=now,
        post__kind=Kind.POST,
        **scope,
    ).order_by("-publish_at", "-post_id")


# Receivers (wired in blog/apps.py): a change made outside save_with_history() (which stores
# everything once, after all its parts) is followed here, one bulk write per change. Rows loaded
# from a fixture (`raw`: a restore) come with their stored blocks and listings.


# True while a HistoryBatch writes its posts' parts (blog/models/content.py): it stores their
# blocks and listings, and moves the page cache on, once for all of them afterwards, so the
# receivers of each row it deletes or adds leave them alone.
writing_batch = contextvars.ContextVar("writing_batch", default=False)


def _deferring(post):
    return writing_batch.get() or (post is not None and getattr(post, "_defer_derived", False))


def _deleting_posts(origin):
    """Whether a delete started at `origin` (post_delete's) is of posts: their parts go with
    them, and there is nothing left to store."""
    from blog.models.post import Post

    model = getattr(origin, "model", None)
    return isinstance(origin, Post) or (isinstance(model, type) and issubclass(model, Post))


def part_changed(sender, instance, origin=None, raw=False, **kwargs):
    """post_save/post_delete of a byline entry, FAQ or reference."""
    post = instance._state.fields_cache.get("post")  # the writer's own instance, if any
    if not (raw or _deferring(post) or _deleting_posts(origin)):
        store_parts_of([instance.post_id], [PART_OF[sender._meta.model_name]])
        if sender._meta.model_name == "postauthor":
            refresh_listings([instance.post_id])


PART_OF = {"postauthor": "authors", "faq": "faqs", "reference": "references"}


def post_ids_of(group):
    """Ids of the posts carrying `group`: a Tag, a Topic or an account (their bylines)."""
    from blog.models.post import Post

    if group._meta.model_name == "topic":
        rows = Post.topics.through.objects.filter(topic_id=group.pk).values_list("post_id")
    elif group._meta.model_name != "tag":  # an account
        rows = Post.authors.through.objects.filter(author_id=group.pk).values_list("post_id")
    else:
        rows = TaggedItem.objects.filter(tag_id=group.pk, content_type=_post_type())
        rows = rows.values_list("object_id")
    return [post_id for (post_id,) in rows]


def _part_of(group_model):
    return {"topic": "topics", "tag": "tags"}.get(group_model._meta.model_name, "authors")


def posts_regrouped(sender, instance, action, reverse, model, pk_set, **kwargs):
    """m2m_changed of posts' tags, topics or authors (`post.authors.add()`), from either
    side."""
    if not reverse:  # instance is a post; model the Tag or Topic
        if action in {"post_add", "post_remove", "post_clear"} and not _deferring(instance):
            store_parts([instance], [_part_of(model)])
            refresh_listings([instance.pk])
        return
    # instance is a tag, topic or account; pk_set post ids (none on a clear: taken before it)
    if action == "pre_clear":
        instance._posts_before_clear = post_ids_of(instance)
    elif action in {"post_add", "post_remove", "post_clear"}:
        ids = getattr(instance, "_posts_before_clear", []) if action == "post_clear" else pk_set
        store_parts_of(ids, [_part_of(type(instance))])
        refresh_listings(ids)


def group_saved(sender, instance, raw=False, **kwargs):
    """post_save of a tag or topic: a rename shows on the posts carrying it."""
    if raw:
        return
    store_parts_of(post_ids_of(instance), [_part_of(sender)])


def group_deleting(sender, instance, **kwargs):
    instance._posts_before_delete = post_ids_of(instance)


def group_deleted(sender, instance, **kwargs):
    """post_delete of a tag or topic: its listings went with it (cascade); the posts that
    carried it show it no more."""
    store_parts_of(getattr(instance, "_posts_before_delete", []), [_part_of(sender)])


def profile_saved(sender, instance, update_fields=None, raw=False, **kwargs):
    """post_save of an account: bylines show its name, address, avatar and profiles."""
    if raw or update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return
    ids = PostAuthor.objects.filter(author=instance).values_list("post_id", flat=True)
    store_parts_of(list(ids), ["authors"])
