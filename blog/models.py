import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager
from taggit.models import Tag

from blog import revisions
from blog.images import make_renditions
from blog.rendering import (
    count_words,
    has_sponsored_links,
    plain_text,
    reading_minutes,
    rendered_or_invalid,
    validate_markdown,
)
from blog.search import search_terms
from blog.uploads import UploadedImageField
from blog.workflow import PostWorkflow

# A table of contents is shown on posts at least this long with at least this many sections.
TOC_MIN_WORDS = 400
TOC_MIN_SECTIONS = 3


def renders(update_fields, source):
    """Whether a save with these update_fields writes `source` (and so must render it)."""
    return update_fields is None or source in update_fields


def with_derived_fields(update_fields, source, derived):
    """Widen a save's update_fields so fields derived from `source` are written with it."""
    if update_fields is None or source not in update_fields:
        return update_fields
    return {*update_fields, *derived}


SEARCH_CONFIG = "english"


class Topic(models.Model):
    """One of a small, fixed set of subjects, beside free-form tags."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, help_text="Shown on the topic page.")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:topic_detail", kwargs={"slug": self.slug})


class PostQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what the public may see."""
        return self.filter(status=Post.Status.PUBLISHED, publish_at__lte=timezone.now())

    def by_author(self, user):
        return self.filter(authors=user)

    def visible_to(self, user):
        """Posts `user` may know of in the admin: all for editors, otherwise the public ones
        and their own."""
        if user.has_perm("blog.edit_any_post"):
            return self
        return self.filter(Q(pk__in=self.published().values("pk")) | Q(authors=user)).distinct()

    def search(self, query):
        """Posts matching what a reader typed, best first.

        PostgreSQL ranks by the weighted full-text vector (title above description and tags
        above body and FAQs). Elsewhere every word must appear in one of those fields.
        """
        terms = search_terms(query)
        if not terms:
            return self.none()
        if connection.vendor == "postgresql":
            text = SearchQuery(" ".join(terms), search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.filter(search_vector=text)
                .annotate(rank=SearchRank(F("search_vector"), text))
                .order_by("-rank", "-publish_at", "-pk")
            )
        matches = Q()
        for term in terms:
            matches &= (
                Q(title__icontains=term)
                | Q(description__icontains=term)
                | Q(body__icontains=term)
                | Q(tags__name__icontains=term)
                | Q(faqs__question__icontains=term)
                | Q(faqs__answer__icontains=term)
            )
        return self.filter(pk__in=Post.objects.filter(matches).values("pk"))

    def latest_publish_time(self):
        return self.aggregate(latest=Max("publish_at"))["latest"]

    def with_bylines(self):
        """Prefetch the authors, in byline order."""
        authors = get_user_model().objects.order_by("postauthor__order", "postauthor__pk")
        return self.prefetch_related(models.Prefetch("authors", queryset=authors))

    def for_display(self):
        """Prefetch what a post's byline, tags and topics need."""
        return self.with_bylines().prefetch_related("tags", "topics")

    def for_post_page(self):
        """for_display(), plus the FAQs and references a post page shows."""
        return self.for_display().prefetch_related("faqs", "references")


class Post(PostWorkflow, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        help_text="The last part of the post's address. Left blank, it is made from the title. "
        "Changing it later keeps the old address working as a redirect.",
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
        settings.AUTH_USER_MODEL, through="PostAuthor", related_name="posts", blank=True
    )
    tags = TaggableManager(blank=True, help_text="Free-form keywords, separated by commas.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="posts")
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    featured_image = UploadedImageField(
        upload_to="featured/%Y/%m/",
        blank=True,
        width_field="featured_image_width",
        height_field="featured_image_height",
        help_text="Shown at the top of the post and on social cards; at least 1200 pixels wide "
        "is best. JPEG, PNG, WebP or GIF; camera and location data are removed.",
    )
    featured_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    featured_image_renditions = models.JSONField(default=list, blank=True, editable=False)
    featured_image_alt = models.CharField(
        "featured image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for readers who cannot see it.",
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
    has_sponsored_links = models.BooleanField(
        "contains sponsored links", default=False, editable=False
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", default=1, editable=False
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
    preview_generation = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Part of every preview link; raising it revokes the links made before.",
    )
    # Filled on PostgreSQL only (title A; description and tags B; body and FAQs C).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    DERIVED = ["body_html", "toc_html", "has_sponsored_links", "word_count", "reading_time"]

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
        self.slug = self.slug or self._unique_slug()
        self.publish_at = self.publish_at.replace(microsecond=0)  # whole seconds, as shown
        if renders(kwargs.get("update_fields"), "body"):
            self._render_body()
        self._refresh_renditions()
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "body", self.DERIVED
        )
        with transaction.atomic():
            self._remember_old_slug()
            super().save(*args, **kwargs)
            # The current address of a post is never also a redirect.
            PostSlugRedirect.objects.filter(old_slug=self.slug).delete()
            self.update_search_vector()

    def get_absolute_url(self):
        return reverse("blog:post_detail", kwargs={"slug": self.slug})

    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    is_published.boolean = True
    is_published.short_description = "public"

    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

    def check_slug(self, user):
        """Raise ValidationError if the slug is another post's address, or an old address of a
        post `user` may not edit: saving would take that post's redirect away from it."""
        if not self.slug:
            return  # save() makes one that is free
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
        self.body_html, toc_html = rendered_or_invalid(self.body, "body")
        self.has_sponsored_links = has_sponsored_links(self.body_html)
        self.word_count = count_words(self.body_html)
        self.reading_time = reading_minutes(self.word_count)
        long_enough = (
            self.word_count >= TOC_MIN_WORDS and toc_html.count("<li>") >= TOC_MIN_SECTIONS
        )
        self.toc_html = toc_html if long_enough else ""

    def save_revision(self, by=None, note=""):
        """Keep the post as it now is; a save that changed nothing keeps no new revision."""
        data = revisions.snapshot(self)
        latest = self.revisions.first()
        if latest and latest.data == data:
            return latest
        return Revision.objects.create(
            post=self, number=(latest.number + 1 if latest else 1), data=data, by=by, note=note
        )

    def record_state_change(self, from_status, by=None):
        if from_status != self.status:
            StateChange.objects.create(
                post=self,
                from_status=from_status or "",
                to_status=self.status,
                publish_at=self.publish_at,
                by=by,
            )

    def related_posts(self, limit=4):
        """Published posts sharing a tag or a topic with this one, newest first."""
        tag_ids = [tag.pk for tag in self.tags.all()]
        topic_ids = [topic.pk for topic in self.topics.all()]
        sharing = Post.objects.filter(Q(tags__in=tag_ids) | Q(topics__in=topic_ids))
        return (
            Post.objects.published()
            .exclude(pk=self.pk)
            .filter(pk__in=sharing.values("pk"))
            .only("title", "slug", "publish_at")
            .order_by("-publish_at", "-pk")[:limit]
        )

    def update_search_vector(self):
        """Rebuild the full-text document from title, description, tags, body and FAQs."""
        if (
            connection.vendor != "postgresql"
            or self.pk is None
            or getattr(self, "_defer_search_vector", False)  # a bulk change will call again
        ):
            return
        tags = " ".join(self.tags.names())
        faqs = " ".join(
            f"{q} {plain_text(a)}" for q, a in self.faqs.values_list("question", "answer_html")
        )
        Post.objects.filter(pk=self.pk).update(
            search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("description", weight="B", config=SEARCH_CONFIG)
            + SearchVector(Value(tags), weight="B", config=SEARCH_CONFIG)
            + SearchVector(
                Value(f"{plain_text(self.body_html)} {faqs}"), weight="C", config=SEARCH_CONFIG
            )
        )

    def featured_image_srcset(self):
        if not self.featured_image:
            return ""
        storage = self.featured_image.storage
        candidates = [
            f"{storage.url(r['name'])} {r['width']}w" for r in self.featured_image_renditions
        ]
        candidates.append(f"{self.featured_image.url} {self.featured_image_width}w")
        return ", ".join(candidates)

    def _refresh_renditions(self):
        if not self.featured_image:
            self.featured_image_renditions = []
            return
        stored = Post.objects.filter(pk=self.pk).values_list("featured_image", flat=True).first()
        if stored != self.featured_image.name or not self.featured_image_renditions:
            # Saving the form field first puts the upload in storage under its final name.
            if not self.featured_image._committed:
                self.featured_image.save(
                    self.featured_image.name, self.featured_image.file, save=False
                )
            self.featured_image_renditions = make_renditions(self.featured_image)

    def _remember_old_slug(self):
        if self.pk is None:
            return
        old_slug = Post.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
        if old_slug and old_slug != self.slug:
            PostSlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"post": self})

    def _unique_slug(self):
        base = slugify(self.title)[:190].strip("-") or "post"
        slug, n = base, 2
        while (
            Post.objects.filter(slug=slug).exclude(pk=self.pk).exists()
            or PostSlugRedirect.objects.filter(old_slug=slug).exclude(post_id=self.pk).exists()
        ):
            slug, n = f"{base}-{n}", n + 1
        return slug


def public_tags():
    """Tags of published posts: a tag used only on drafts stays unknown to the public."""
    return Tag.objects.filter(post__in=Post.objects.published()).distinct()


def visible_tags(user):
    """Tags `user` may know of: all for those who manage tags, otherwise those of the posts
    they may know of (a tag used only on someone else's draft gives the draft away)."""
    if user.has_perm("taggit.change_tag"):
        return Tag.objects.all()
    return Tag.objects.filter(pk__in=Tag.objects.filter(post__in=Post.objects.visible_to(user)))


def retagged(posts, by, note):
    """After tags were renamed or deleted (no tagging signal says so): bring each post's
    search text up to date and keep a revision."""
    for post in posts:
        post.update_search_vector()
        post.save_revision(by=by, note=note)


def merge_tags(tags, name, by=None):
    """Put the tag called `name` (made if missing) on every post carrying one of `tags`, and
    delete those; each post changed keeps a revision. Returns the tag and the number of posts
    changed."""
    with transaction.atomic():
        into = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        merged = [tag for tag in tags if tag.pk != into.pk]
        posts = list(Post.objects.filter(tags__in=merged).distinct())
        for post in posts:
            post.tags.remove(*merged)
            post.tags.add(into)
            post.save_revision(by=by, note=f"Tags merged into “{into}”")
        Tag.objects.filter(pk__in=[tag.pk for tag in merged]).delete()
    return into, len(posts)


def public_authors():
    """People with a published post: other accounts (staff, new writers) stay unlisted."""
    return get_user_model().objects.filter(posts__in=Post.objects.published()).distinct()


class PostAuthor(models.Model):
    """An author's place in a post's byline: co-authors are ordered."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="postauthor"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="unique_post_author")
        ]
        verbose_name = "author"
        verbose_name_plural = "authors (in byline order)"

    def __str__(self):
        return str(self.author)


class PostSlugRedirect(models.Model):
    """An address a post used to have; it answers with a permanent redirect."""

    old_slug = models.SlugField(max_length=200, unique=True)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → {self.post.slug}"


class FAQ(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.", validators=[validate_markdown])
    answer_html = models.TextField(blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        if renders(kwargs.get("update_fields"), "answer"):
            self.answer_html = rendered_or_invalid(self.answer, "answer")[0]
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "answer", ["answer_html"]
        )
        super().save(*args, **kwargs)
        self.post.update_search_vector()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.post.update_search_vector()
        return result


class Reference(models.Model):
    """A source the post cites; only web addresses are kept as links."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1000, year__lte=2999),
                name="reference_year_plausible",
            )
        ]

    def __str__(self):
        return self.title


@receiver(m2m_changed, sender=Post.tags.through)
def _reindex_on_tag_change(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Post):
        instance.update_search_vector()


class StateChange(models.Model):
    """The audit trail: who moved which post from one state to another, and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="state_changes")
    from_status = models.CharField(max_length=16, choices=Post.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Post.Status.choices)
    publish_at = models.DateTimeField("publish time then")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        get_latest_by = "at"
        verbose_name = "state change"

    def __str__(self):
        return f"{self.post}: {self.from_status or 'new'} → {self.to_status}"

    def description(self):
        if self.to_status == Post.Status.PUBLISHED and self.publish_at > self.at:
            when = date_format(timezone.localtime(self.publish_at), "DATETIME_FORMAT")
            return f"Scheduled for {when}"
        return {
            Post.Status.DRAFT: "Back to draft" if self.from_status else "Created as draft",
            Post.Status.IN_REVIEW: "Submitted for review",
            Post.Status.PUBLISHED: "Published",
            Post.Status.ARCHIVED: "Archived",
        }[self.to_status]


class Revision(models.Model):
    """A post as it was after one save: text, tags, topics, authors, FAQs and references."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="unique_revision_number")
        ]

    def __str__(self):
        return f"{self.post} #{self.number}"


class DemoPost(models.Model):
    """A demo post `load_demo` has loaded here. Kept when the post is deleted, so the next
    load does not bring it back; the first one's time is what the demo's dates count from."""

    source_id = models.CharField(max_length=255, unique=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.source_id
