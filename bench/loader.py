"""The bench's bulk loader: N published posts of the sample's shape, written with bulk inserts,
every derived field filled by the model's own code, and a sample checked against normal saves.

Each post joins three demo posts' bodies (about 1,500 words), has 3–5 tags from a pool made of
the demo tags, the topics of its first two demo posts (1–2), 2–3 of the demo authors, and the first
demo post's 3 FAQs and 3 references. Bodies repeat (one per ordered pair of demo posts), so each
distinct body is rendered once. Run `manage.py load_demo` first: its authors and topics are used.
"""

import contextlib
import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from blog.fragments import refresh_stale
from blog.importers import markdown_files
from blog.models import (
    FAQ,
    Passage,
    Post,
    PostAuthor,
    Reference,
    SearchEntry,
    SponsoredLink,
    Topic,
)
from blog.models.content import write_search_vectors
from blog.models.stored import PARTS
from blog.rendering import rendered_or_invalid

SOURCE_PREFIX = "bench:"
LINK_SLUG = "bench-offer"
DEMO_AUTHORS = ("maya", "tomas", "priya", "jonah")
TAG_VARIANTS = ("", "basics", "tips", "ideas", "guide")


class LoadMismatch(Exception):
    """A bulk-loaded post differs from the same post saved the normal way."""


@dataclass
class Spec:
    """One post to load, as plain data (what apply_content() takes, plus the body's sources)."""

    number: int
    title: str
    slug: str
    description: str
    body: str
    publish_at: dt.datetime
    tags: list
    topics: list  # slugs
    authors: list  # usernames, in byline order
    faqs: list = field(default_factory=list)  # [{question, answer}]
    references: list = field(default_factory=list)

    def content(self):
        return {
            "title": self.title,
            "description": self.description,
            "body": self.body,
            "status": Post.Status.PUBLISHED,
            "publish_at": self.publish_at,
            "tags": self.tags,
            "topics": self.topics,
            "authors": self.authors,
            "faqs": self.faqs,
            "references": self.references,
        }


def demo_sources():
    folder = Path(settings.BASE_DIR) / "demo" / "posts"
    return [
        markdown_files.read(path.name, path.read_bytes()) for path in sorted(folder.glob("*.md"))
    ]


def tag_pool(sources):
    names = sorted({tag for source in sources for tag in source.tags})
    return [f"{name} {variant}".strip() for variant in TAG_VARIANTS for name in names]


def specs(count, start=0, now=None):
    """The posts numbered start … start+count-1, the same on every run."""
    sources = demo_sources()
    pool = tag_pool(sources)
    topics = {topic.name: topic.slug for topic in Topic.objects.all()}
    now = (now or timezone.now()).replace(microsecond=0)
    for number in range(start, start + count):
        rng = random.Random(number)
        # Three different demo posts, the same three for 14 × 13 of the numbers.
        offset = 1 + number // len(sources) % (len(sources) - 1)
        first = sources[number % len(sources)]
        second = sources[(number + offset) % len(sources)]
        third = sources[(number + offset + (1 if offset != len(sources) - 1 else 2)) % len(sources)]
        title = f"{first.title} ({number + 1})"
        yield Spec(
            number=number,
            title=title,
            slug=f"{slugify(first.title)[:180]}-{number + 1}",
            description=first.description,
            body=f"{first.body}\n\n{second.body}\n\n{third.body}",
            publish_at=now - dt.timedelta(hours=4 * number + 1, seconds=rng.randrange(3600)),
            tags=sorted(rng.sample(pool, rng.randint(3, 5))),
            topics=sorted({topics[name] for s in (first, second) for name in s.topics[:1]}),
            authors=rng.sample(DEMO_AUTHORS, rng.randint(2, 3)),
            faqs=[{"question": q, "answer": a} for q, a in first.faqs[:3]],
            references=[*first.references, *second.references][:3],
        )


class Renderer:
    """Each distinct body and FAQ answer rendered once, by the model's own derivation."""

    def __init__(self):
        self.bodies, self.answers = {}, {}

    def derived(self, body):
        if body not in self.bodies:
            probe = Post(body=body)
            probe._render_body()
            self.bodies[body] = {name: getattr(probe, name) for name in Post.DERIVED}
        return self.bodies[body]

    def answer_html(self, answer):
        if answer not in self.answers:
            self.answers[answer] = rendered_or_invalid(answer, "answer")[0]
        return self.answers[answer]


def bench_posts():
    return Post.objects.filter(source_id__startswith=SOURCE_PREFIX)


def load(count, *, batch_size=500, check=20, log=print):
    """Load `count` posts (or keep them: a database holding exactly that many bench posts is
    used as it is) and check `check` of them against normal saves. Returns the posts' slugs."""
    existing = bench_posts().count()
    if existing not in (0, count):
        raise LoadMismatch(
            f"The database holds {existing} bench posts, not {count}: use N={existing} or a "
            "fresh database."
        )
    users = get_user_model().objects.in_bulk(DEMO_AUTHORS, field_name="username")
    if len(users) != len(DEMO_AUTHORS) or not Topic.objects.exists():
        raise LoadMismatch("The demo authors and topics are missing: run manage.py load_demo.")
    if not existing:
        renderer = Renderer()
        planned = specs(count)
        while chunk := list(islice(planned, batch_size)):
            with transaction.atomic():
                write_batch(chunk, renderer, users)
            log(f"  {chunk[-1].number + 1:,} / {count:,} posts loaded")
    elif refreshed := refresh_stale():
        log(f"  {refreshed:,} posts' fragments stored again: the templates changed since")
    if connection.vendor == "postgresql":
        # The planner's statistics and the visibility map, as autovacuum would make them soon
        # after a bulk load: without statistics the related-posts query takes minutes at 10,000
        # posts; without the map, index-only scans (search's slices by publish time) read the
        # table after all. VACUUM cannot run inside a transaction (a test's, say): ANALYZE then.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        if not connection.in_atomic_block:
            checkpoint()
    if check:
        checked = check_against_normal_saves(count, check)
        log(f"  {checked} posts checked against normal saves: identical derived fields")
    return list(bench_posts().order_by("-publish_at", "-pk").values_list("slug", flat=True))


def checkpoint():
    """Write out what the load left in PostgreSQL's buffers now, not during the first rows: the
    server's own checkpoint spreads that over minutes of the measurements. Only a superuser (or
    pg_checkpoint's member) may; for anyone else the server does it in its own time."""
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def sponsored_link():
    """The active sponsored link the /go/ row follows, with a tracking parameter (so the
    redirect names the post); returns its slug. Its clicks add up from run to run."""
    SponsoredLink.objects.update_or_create(
        slug=LINK_SLUG,
        defaults={
            "name": "Bench offer",
            "destination": "https://shop.example.com/bench?aff=7",
            "tracking_parameter": "tid",
            "active": True,
        },
    )
    return LINK_SLUG


def write_batch(chunk, renderer, users):
    posts = Post.objects.bulk_create(
        Post(
            title=spec.title,
            slug=spec.slug,
            description=spec.description,
            body=spec.body,
            status=Post.Status.PUBLISHED,
            publish_at=spec.publish_at,
            source_id=f"{SOURCE_PREFIX}{spec.number}",
            **renderer.derived(spec.body),
        )
        for spec in chunk
    )
    tags = {
        tag.name: tag for tag in Tag.objects.filter(name__in={t for s in chunk for t in s.tags})
    }
    for name in sorted({t for s in chunk for t in s.tags} - tags.keys()):
        tags[name] = Tag.objects.create(name=name)  # taggit's save makes the slug
    post_type = ContentType.objects.get_for_model(Post)
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=post_type, object_id=post.pk, tag=tags[name])
        for post, spec in zip(posts, chunk, strict=True)
        for name in spec.tags
    )
    topics = dict(Topic.objects.values_list("slug", "pk"))
    Post.topics.through.objects.bulk_create(
        Post.topics.through(post_id=post.pk, topic_id=topics[slug])
        for post, spec in zip(posts, chunk, strict=True)
        for slug in spec.topics
    )
    PostAuthor.objects.bulk_create(
        PostAuthor(post=post, author=users[name], order=order)
        for post, spec in zip(posts, chunk, strict=True)
        for order, name in enumerate(spec.authors, start=1)
    )
    FAQ.objects.bulk_create(
        FAQ(post=post, order=order, answer_html=renderer.answer_html(faq["answer"]), **faq)
        for post, spec in zip(posts, chunk, strict=True)
        for order, faq in enumerate(spec.faqs, start=1)
    )
    Reference.objects.bulk_create(
        Reference(post=post, order=order, **reference)
        for post, spec in zip(posts, chunk, strict=True)
        for order, reference in enumerate(spec.references, start=1)
    )
    Post.store_derived(posts)  # the stored blocks and listings, as a save does
    write_search_vectors(posts)  # as a save does: search entries' vectors and passages


def derived_fields(post):
    """What a save derives, as stored: the post's derived fields, its FAQs' HTML, and on
    PostgreSQL its search vector and passages."""
    row = Post.objects.filter(pk=post.pk)
    fields = [*Post.DERIVED, *(f"stored_{part}" for part in PARTS)]
    passages = Passage.objects.filter(post=post).order_by("number")
    vector = SearchEntry.objects.filter(post=post).values_list("search_vector", flat=True)
    return {
        **dict(zip(fields, row.values_list(*fields).get(), strict=True)),
        "search_vector": vector.first(),
        "faq answer_html": list(post.faqs.order_by("order").values_list("answer_html", flat=True)),
        "passages": list(passages.values_list("number", "text", "last")),
    }


def check_against_normal_saves(count, sample):
    """Save a copy of `sample` loaded posts through save_with_history() and compare what was
    derived; raise LoadMismatch on any difference. The copies are deleted."""
    numbers = sorted({count * k // sample for k in range(sample)})
    by_number = {spec.number: spec for spec in specs(count)}
    for number in numbers:
        spec = by_number[number]
        loaded = Post.objects.get(source_id=f"{SOURCE_PREFIX}{number}")
        with transaction.atomic():
            copy = Post(slug=f"{spec.slug}-check")
            copy.apply_content(spec.content())
            copy.save_with_history()
            expected, got = derived_fields(copy), derived_fields(loaded)
            copy.delete()
        if expected != got:
            differing = [name for name in expected if expected[name] != got[name]]
            raise LoadMismatch(
                f"Bulk-loaded post {loaded.slug} differs from a normal save in: "
                + ", ".join(differing)
            )
    return len(numbers)
