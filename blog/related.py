"""Related posts: the newest published posts sharing a tag or a topic with a post, never itself.

A post's related posts are the `limit` newest of the union of its tags' and topics' newest
posts. Those per-tag and per-topic lists are what every post page of the site shares, so each
worker remembers them for the content version (blog/memo.py: a publish, an edit, a scheduled
post going live all move it) and merges them in Python: a post page reads its related posts
with no query once its tags' lists are known, and with one (every missing list at once, an
index range each) when they are not. What a list holds does not grow with the site.
"""

from collections import namedtuple

from django.db import connection, connections, router
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from blog.memo import VersionMemo
from blog.models.stored import Listing, public_under
from blog.workflow import Kind, Status

RELATED_LIMIT = 4
# Each list keeps one more than a page shows: the post itself may be among them.
KEPT = RELATED_LIMIT + 1

# `html`: its item in a post page's list (includes/related_item.html), rendered once per
# worker and content version rather than on every page showing it.
Related = namedtuple("Related", "pk title slug publish_at html")

# Per (scope, id): the KEPT newest public posts under it, newest first.
_newest = VersionMemo(per="version", kept=5000)

# Per tag (then per topic) asked for, its KEPT newest listings (LATERAL: an index range each),
# with their posts. Listings hold published posts only, but the post's own status and time are
# checked too: a listing is rewritten after its post changes, and must never make a post public.
NEWEST_SQL = """
SELECT newest.kind, newest.scope, p.id, p.title, p.slug, p.publish_at FROM (
    SELECT 'tag' AS kind, scope.id AS scope, n.post_id
    FROM unnest(%(tags)s::bigint[]) AS scope(id)
    CROSS JOIN LATERAL (
        SELECT l.post_id FROM {listing} l
        WHERE l.tag_id = scope.id AND l.publish_at <= %(now)s
        ORDER BY l.publish_at DESC, l.post_id DESC LIMIT %(kept)s
    ) AS n
    UNION ALL
    SELECT 'topic', scope.id, n.post_id
    FROM unnest(%(topics)s::bigint[]) AS scope(id)
    CROSS JOIN LATERAL (
        SELECT l.post_id FROM {listing} l
        WHERE l.topic_id = scope.id AND l.publish_at <= %(now)s
        ORDER BY l.publish_at DESC, l.post_id DESC LIMIT %(kept)s
    ) AS n
) AS newest
JOIN {post} p ON p.id = newest.post_id
WHERE p.status = %(published)s AND p.publish_at <= %(now)s AND p.kind = %(post_kind)s
"""


def related_posts(post, limit=RELATED_LIMIT):
    """Up to `limit` Related(pk, title, slug, publish_at, html), newest first, sharing a tag or a
    topic with `post` (its stored tags and topics), never `post` itself."""
    scopes = [("tag", tag["id"]) for tag in post.stored_tags]
    scopes += [("topic", topic["id"]) for topic in post.stored_topics]
    if not scopes:
        return []
    lists = _newest.get_many(scopes, _read)
    merged = {item.pk: item for scope in scopes for item in lists[scope] or ()}
    merged.pop(post.pk, None)
    newest = sorted(merged.values(), key=lambda item: (item.publish_at, item.pk), reverse=True)
    return newest[:limit]


def _read(scopes):
    """{scope: tuple of Related} for `scopes`, in one query."""
    from blog.models.post import Post

    now = timezone.now()
    found = {}
    if connection.vendor == "postgresql":
        sql = NEWEST_SQL.format(listing=Listing._meta.db_table, post=Post._meta.db_table)
        params = {
            "tags": [id for kind, id in scopes if kind == "tag"],
            "topics": [id for kind, id in scopes if kind == "topic"],
            "now": now,
            "kept": KEPT,
            "published": Status.PUBLISHED,
            "post_kind": Kind.POST,
        }
        with connections[router.db_for_read(Post)].cursor() as cursor:  # a replica, maybe
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        # Elsewhere (SQLite, small sites): each scope's rows numbered newest first, the first
        # KEPT of each kept; the same rows.
        wanted = Q()
        for kind, id in scopes:
            wanted |= Q(**{f"{kind}_id": id})
        order = [F("publish_at").desc(), F("post_id").desc()]
        rows = (
            public_under()
            .filter(wanted)
            .annotate(rank=Window(RowNumber(), partition_by=["tag_id", "topic_id"], order_by=order))
            .filter(rank__lte=KEPT)
            .values_list("tag_id", "topic_id", "post_id", "post__title", "post__slug", "publish_at")
        )
        rows = [
            ("tag" if tag_id else "topic", tag_id or topic_id, *rest)
            for tag_id, topic_id, *rest in rows
        ]
    template = get_template("includes/related_item.html")
    items = {}
    for kind, id, pk, title, slug, publish_at in rows:
        if pk not in items:
            html = template.render({"title": title, "slug": slug, "publish_at": publish_at})
            items[pk] = Related(pk, title, slug, publish_at, mark_safe(html.strip()))
        found.setdefault((kind, id), []).append(items[pk])
    return {scope: tuple(items) for scope, items in found.items()}
