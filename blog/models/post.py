"""Posts: what a post is, what is derived from it on save, and the queries that find posts."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from blog.figures import figures
from blog.fragments import CARD_FIELDS, store_fragments
from blog.models.compiled import published_post_page
from blog.models.content import PostContent, write_search_vectors
from blog.models.media import ImageUse
from blog.models.parts import PostSlugRedirect
from blog.models.planning import PostPlanning, PostPlanningQuerySet
from blog.models.stored import PARTS, refresh_listings, store_parts
from blog.rendering import (
    EXCERPT_LENGTH,
    count_words,
    excerpt,
    has_sponsored_links,
    plain_text,
    reading_minutes,
    rendered_or_invalid,
    renders,
    validate_markdown,
    with_derived_fields,
)
from blog.seo import slug_url
from blog.slugs import check_page_slug, reserved_slugs, unique_slug
from blog.workflow import Kind, PostWorkflow, Status

# A table of contents is shown on posts at least this long with at least this many sections.
TOC_MIN_WORDS = 400
TOC_MIN_SECTIONS = 3

SEARCH_CONFIG = "english"
# A search vector as the GIN indexes have it (migration 0013): the same vector, marked costly to
# read, so PostgreSQL finds matches through an index rather than by reading vectors row by row.
SEARCH_DOCUMENT = "byline_search_document"

# What a post page shows: what its card shows, and more.
POST_PAGE_FIELDS = (
    *CARD_FIELDS,
    "uuid",
    "seo_title",
    "body_html",
    "toc_html",
    "updated_at",
    "canonical_url",
    "noindex",
    "has_sponsored_links",
    "disclosure",
    "word_count",
    "stored_faqs",
    "stored_references",
    "header_html",
    "footer_html",
    "fragments_version",
)


class PostQuerySet(PostPlanningQuerySet, models.QuerySet):
    def public(self, now=None):
        """The one definition of what the public may see, posts and pages alike (at `now`, by
        default now)."""
        return self.filter(status=Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def published(self, now=None):
        """Public posts: what lists, feeds, search, archives and related posts show (pages are
        public() too, but are none of those)."""
        return self.public(now).filter(kind=Kind.POST)

    def posts(self):
        return self.filter(kind=Kind.POST)

    def pages(self):
        return self.filter(kind=Kind.PAGE)

    def going_live_after(self, moment):
        """Publish times, in order, of the published posts that the public can see only after
        `moment` (scheduled then)."""
        return (
            self.filter(status=Status.PUBLISHED, publish_at__gt=moment)
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
        )

    def under(self, **scope):
        """Public posts under one tag, topic or author (`tag=…`, `topic=…` or `author=…`),
        newest first, read along that scope's listing index: a page of a tag with 100,000
        posts reads as few rows as one of a tag with ten."""
        ((name, value),) = scope.items()
        listed = {f"listings__{name}": value, "listings__publish_at__lte": timezone.now()}
        return (
            self.published()
            .filter(**listed)
            .order_by("-listings__publish_at", "-listings__post_id")
        )

    def by_author(self, user):
        return self.filter(authors=user)

    def visible_to(self, user):
        """Posts `user` may know of in the admin: all for editors, otherwise the public ones
        and their own."""
        if user.has_perm("blog.edit_any_post"):
            return self
        return self.filter(Q(pk__in=self.public().values("pk")) | Q(authors=user)).distinct()

    def latest_publish_time(self):
        return self.aggregate(latest=Max("publish_at"))["latest"]

    def with_bylines(self):
        """Prefetch the authors, in byline order."""
        authors = get_user_model().objects.order_by("postauthor__order", "postauthor__pk")
        return self.prefetch_related(models.Prefetch("authors", queryset=authors))

    def for_post_page(self):
        """The columns a post page shows, its stored blocks included: one query."""
        return self.select_related("featured_image").only(*POST_PAGE_FIELDS)

    def published_post_page(self, slug):
        """published().for_post_page().filter(slug=slug).first(), with its SQL compiled once
        per process (blog/models/compiled.py)."""
        return published_post_page(self.model, slug)

    def for_listing(self):
        """Posts as a list shows them: rows of their stored cards (blog/fragments.py), not model
        instances (making twenty of those cost more than the rest of the list)."""
        return self.values_list("pk", "card_html", "fragments_version", named=True)


class Post(PostPlanning, PostWorkflow, PostContent, models.Model):
    Status = Status
    Kind = Kind

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        max_length=8, choices=Kind.choices, default=Kind.POST, db_index=True, editable=False
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="The last part of the post's address. Left blank, it is made from the title. "
        "Changing it later keeps the old address working as a redirect.",
    )
    seo_title = models.CharField(
        "SEO title",
        max_length=200,
        blank=True,
        help_text="The title in search results, browser tabs and social cards, if it should "
        "differ from the headline (about 60 characters). Blank: the headline.",
    )
    description = models.CharField(
        max_length=300,
        blank=True,
        help_text="One or two sentences for search results and social cards (about 155 "
        "characters).",
    )
    body = MarkdownxField(
        help_text="Markdown. Raw HTML is allowed but sanitised.", validators=[validate_markdown]
    )
    body_html = models.TextField(blank=True, editable=False)
    toc_html = models.TextField("table of contents", blank=True, editable=False)
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="blog.PostAuthor", related_name="posts", blank=True
    )
    tags = TaggableManager(blank=True, help_text="Free-form keywords, separated by commas.")
    topics = models.ManyToManyField("blog.Topic", blank=True, related_name="posts")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        "publish time",
        default=timezone.now,
        db_index=True,
        help_text="A publish time in the future makes a published post scheduled: it goes "
        "live on its own at that time.",
    )
    planned_for = models.DateField(
        "planned for",
        null=True,
        blank=True,
        db_index=True,
        help_text="The day this draft is meant to go out, for the editorial calendar. It "
        "publishes nothing: scheduling sets the publish time.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    featured_image = models.ForeignKey(
        "blog.Image",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="featured_in",
        help_text="From the image library. Shown at the top of the post and on social cards; "
        "at least 1200 pixels wide is best.",
    )
    featured_image_alt = models.CharField(
        "featured image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for readers who cannot see it. Blank: the alt text the "
        "image has in the library.",
    )
    canonical_url = models.URLField(
        "canonical URL",
        blank=True,
        help_text="Only if this post first appeared elsewhere: the original's address.",
    )
    noindex = models.BooleanField(
        "hide from search engines",
        default=False,
        help_text="Asks search engines not to index this post and leaves it out of the sitemap.",
    )
    disclosure = models.TextField(
        "disclosure for this post",
        blank=True,
        max_length=1000,
        help_text="Replaces the site's sponsored-link disclosure (Site settings) on this post: "
        "shown before its first sponsored or affiliate link. Markdown. Blank: the site's. On "
        "the page, only its first sentence stands before a link in the text (with a link to "
        "the whole): make that sentence say the post has sponsored links.",
    )
    # In its body, FAQs or references: written with its fragments (blog/fragments.py).
    has_sponsored_links = models.BooleanField(
        "contains sponsored links", default=False, editable=False
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", default=1, editable=False
    )
    excerpt = models.CharField(
        max_length=EXCERPT_LENGTH,
        blank=True,
        editable=False,
        help_text="The start of the body as plain text: the summary where there is no description.",
    )
    source_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        editable=False,
        help_text="Where an imported post came from (file name, WordPress id): how a second "
        "import finds it again.",
    )
    import_checksum = models.CharField(max_length=64, blank=True, editable=False)
    metadata = models.JSONField(
        default=dict,
        blank=True,
        help_text="Front-matter keys Byline has no field for, kept from an import.",
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Moved on by every save (save_with_history): what a form was opened at, so a "
        "save begun before another is merged with it, never silently replacing it.",
    )
    preview_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Part of every preview link; raising it revokes the links made before.",
    )
    # What the post's pages show of its parts, kept by blog/models/stored.py.
    stored_authors = models.JSONField(default=list, blank=True, editable=False)
    stored_tags = models.JSONField(default=list, blank=True, editable=False)
    stored_topics = models.JSONField(default=list, blank=True, editable=False)
    stored_faqs = models.JSONField(default=list, blank=True, editable=False)
    stored_references = models.JSONField(default=list, blank=True, editable=False)
    # What its pages show of it, rendered by the templates `fragments_version` names: its card
    # in lists, the top and the end of its page (blog/fragments.py).
    card_html = models.TextField(blank=True, default="", editable=False)
    header_html = models.TextField(blank=True, default="", editable=False)
    footer_html = models.TextField(blank=True, default="", editable=False)
    fragments_version = models.CharField(max_length=12, blank=True, default="", editable=False)

    objects = PostQuerySet.as_manager()

    STORED = [
        *(f"stored_{part}" for part in PARTS),
        "card_html",
        "header_html",
        "footer_html",
        "fragments_version",
    ]
    DERIVED = [
        "body_html",
        "toc_html",
        "has_sponsored_links",
        "word_count",
        "reading_time",
        "excerpt",
    ]

    class Meta:
        ordering = ["-publish_at", "-pk"]
        get_latest_by = "publish_at"
        permissions = [
            ("publish_post", "Can publish and schedule posts"),
            ("edit_any_post", "Can edit posts by any author"),
        ]
        indexes = [models.Index(fields=["status", "-publish_at"], name="post_visible_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Save the row with what is derived from it (HTML, counts, renditions, search text,
        old addresses as redirects). Not the history: writers call save_with_history()."""
        if kwargs.get("update_fields") is not None and not kwargs["update_fields"]:
            return  # as Model.save(update_fields=[]): nothing to write
        if kwargs.get("update_fields") is None and not self._state.adding:
            # The stored blocks are written by store_parts() alone: this instance may have been
            # loaded before a part changed, and would put the old ones back.
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.STORED
            ]
        self.slug = self.slug or self._unique_slug()
        if self.kind == Kind.PAGE:
            check_page_slug(self.slug)  # every writer: the admin says so sooner (check_slug)
        self.publish_at = self.publish_at.replace(microsecond=0)  # whole seconds, as shown
        if renders(kwargs.get("update_fields"), "body") and (
            getattr(self, "_derived_from", None) != self.body
        ):
            self._render_body()
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "body", self.DERIVED
        )
        # In save_with_history() (its transaction, and its caller's savepoint where one is
        # wanted), no savepoint of its own: two round trips less a save.
        with transaction.atomic(savepoint=not getattr(self, "_defer_derived", False)):
            self._remember_old_slug()
            super().save(*args, **kwargs)
            self.update_search_vector()
            if not getattr(self, "_defer_derived", False):  # save_with_history() calls them
                Post.free_addresses([self])
                Post.store_derived([self])
                if renders(kwargs.get("update_fields"), "body") or renders(
                    kwargs.get("update_fields"), "featured_image"
                ):
                    ImageUse.record([self])

    def get_absolute_url(self):
        name = "blog:page_detail" if self.kind == Kind.PAGE else "blog:post_detail"
        return slug_url(name, self.slug)

    def page_title(self):
        """The title search engines, browser tabs and social cards show: the SEO title if set."""
        return self.seo_title or self.title

    @staticmethod
    def free_addresses(posts):
        """The current address of a post is never also a redirect: drop those from the slugs
        `posts` (saved) have now, in one query for a batch."""
        PostSlugRedirect.objects.filter(old_slug__in={post.slug for post in posts}).delete()

    @classmethod
    def store_derived(cls, posts, parts=PARTS, listings=True, fragments=True):
        """Store what `posts` (saved) show of their `parts` and their fragments, rewrite their
        listings under their tags, topics and authors: the one call for a batch of posts
        written in bulk (importers, the bench loader) or changed by a save."""
        if parts:
            store_parts(posts, parts, fragments=False)
        if fragments:
            store_fragments([post.pk for post in posts])
        if listings:
            refresh_listings([post.pk for post in posts])

    def check_slug(self, user):
        """Raise ValidationError if the slug is another post's address, or an old address of a
        post `user` may not edit: saving would take that post's redirect away from it."""
        if not self.slug:
            return  # save() makes one that is free
        if self.kind == Kind.PAGE:
            check_page_slug(self.slug)
        if Post.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"slug": f"“{self.slug}” is the address of another post; choose another slug."}
            )
        redirect = (
            PostSlugRedirect.objects.filter(old_slug=self.slug)
            .exclude(post_id=self.pk)
            .select_related("post")
            .first()
        )
        if redirect and not redirect.post.can_edit(user):
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is an old address of another post and still leads "
                    "readers there; choose another slug."
                }
            )

    def revoke_preview_links(self):
        """Make every preview link given out so far stop working."""
        Post.objects.filter(pk=self.pk).update(preview_generation=F("preview_generation") + 1)
        self.refresh_from_db(fields=["preview_generation"])

    def _render_body(self):
        """Derive the HTML, table of contents and counts; a body beyond the rendering limits
        raises ValidationError before anything is written."""
        self.use_derived(self.body, self.derive(self.body, post_slug=self.slug))

    @classmethod
    def derive(cls, body, rules=None, post_slug=""):
        """What save() derives from `body` (of the post `post_slug`): its DERIVED fields, and
        the body as plain text (for the search text), as {name: value}. Raises
        ValidationError for a body beyond the rendering limits. Given the affiliate `rules`,
        needs no database: an import runs it in other processes."""
        body_html, toc_html = rendered_or_invalid(body, "body", rules, post_slug, images=True)
        word_count = count_words(body_html)
        long_enough = word_count >= TOC_MIN_WORDS and toc_html.count("<li>") >= TOC_MIN_SECTIONS
        return {
            "body_html": body_html,
            "toc_html": toc_html if long_enough else "",
            # The body's; its FAQs and references count too, once stored (blog/fragments.py).
            "has_sponsored_links": has_sponsored_links(body_html),
            "word_count": word_count,
            "reading_time": reading_minutes(word_count),
            "excerpt": excerpt(body_html),
            "body_text": plain_text(body_html),
        }

    def use_derived(self, body, derived):
        """Take what derive(body) gave: save() does not render this body again."""
        for name in self.DERIVED:
            setattr(self, name, derived[name])
        # Library images are looked up here, not in derive(): that may run without a database.
        self.body_html = figures(self.body_html)
        self._body_text = (derived["body_html"], derived["body_text"])
        self._derived_from = body

    def related_posts(self, limit=4):
        """Published posts sharing a tag or a topic with this one, newest first: see
        blog/related.py (no query once this worker knows its tags' newest posts)."""
        from blog.related import related_posts

        return related_posts(self, limit)

    def update_search_vector(self):
        """Rebuild the full-text document from title, description, tags, body and FAQs."""
        if (
            connection.vendor != "postgresql"
            or self.pk is None
            or getattr(self, "_defer_derived", False)  # a bulk change will call again
        ):
            return
        write_search_vectors([self])

    def search_texts(self, tag_names, faqs):
        """The two texts search_document_of() adds to the row's own, from the post's tag names
        and its (question, answer_html) FAQ pairs: the tag names, and the body and FAQs as
        plain text."""
        faq_text = " ".join(f"{q} {plain_text(a)}" for q, a in faqs)
        return " ".join(tag_names), f"{self.body_text()} {faq_text}"

    @staticmethod
    def search_document_of(tags, text):
        """The document over a row, given search_texts() (title A; description and tags B;
        body and FAQs C)."""
        return (
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("description", weight="B", config=SEARCH_CONFIG)
            + SearchVector(Value(tags), weight="B", config=SEARCH_CONFIG)
            + SearchVector(Value(text), weight="C", config=SEARCH_CONFIG)
        )

    def body_text(self):
        """The body as plain text; remembered from the last render, so a batch of saves
        (which writes the search text after rendering many posts) does not derive it again."""
        html, text = getattr(self, "_body_text", (None, ""))
        if html != self.body_html:
            text = plain_text(self.body_html)
            self._body_text = (self.body_html, text)
        return text

    def featured_alt(self):
        """The featured image's alt text: this post's, else the library's."""
        if self.featured_image_id is None:
            return ""
        return self.featured_image_alt or self.featured_image.alt_text

    def _remember_old_slug(self):
        if self.pk is None:
            return
        old_slug = Post.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        if old_slug and old_slug != self.slug:
            PostSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"post": self})

    def _unique_slug(self):
        reserved = reserved_slugs() if self.kind == Kind.PAGE else ()

        def taken(slug):
            return (
                slug in reserved
                or Post.objects.filter(slug=slug).exclude(pk=self.pk).exists()
                or PostSlugRedirect.objects.filter(old_slug=slug).exclude(post_id=self.pk).exists()
            )

        return unique_slug(self.title, taken, max_length=190, fallback="post")


@receiver(m2m_changed, sender=Post.tags.through)
def _reindex_on_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Post):
        instance.update_search_vector()
