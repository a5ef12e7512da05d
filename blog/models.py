from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdownx.models import MarkdownxField
from taggit.managers import TaggableManager

from blog.rendering import count_words, has_sponsored_links, reading_minutes, render_markdown


def with_derived_fields(update_fields, source, derived):
    """Widen a save's update_fields so fields derived from `source` are written with it."""
    if update_fields is None or source not in update_fields:
        return update_fields
    return {*update_fields, *derived}


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

    def for_display(self):
        """Prefetch what a post's byline and tags need; authors come in byline order."""
        authors = get_user_model().objects.order_by("postauthor__order", "postauthor__pk")
        return self.prefetch_related(models.Prefetch("authors", queryset=authors), "tags", "topics")


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

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
    body = MarkdownxField(help_text="Markdown. Raw HTML is allowed but sanitised.")
    body_html = models.TextField(blank=True, editable=False)
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
    featured_image = models.ImageField(upload_to="featured/%Y/%m/", blank=True)
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
    has_sponsored_links = models.BooleanField(
        "contains sponsored links", default=False, editable=False
    )
    word_count = models.PositiveIntegerField(default=0, editable=False)
    reading_time = models.PositiveSmallIntegerField(
        "reading time (minutes)", default=1, editable=False
    )

    objects = PostQuerySet.as_manager()

    DERIVED = ["body_html", "has_sponsored_links", "word_count", "reading_time"]

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
        self.body_html = render_markdown(self.body)
        self.has_sponsored_links = has_sponsored_links(self.body_html)
        self.word_count = count_words(self.body_html)
        self.reading_time = reading_minutes(self.word_count)
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "body", self.DERIVED
        )
        with transaction.atomic():
            self._remember_old_slug()
            super().save(*args, **kwargs)
            # The current address of a post is never also a redirect.
            PostSlugRedirect.objects.filter(old_slug=self.slug).delete()

    def get_absolute_url(self):
        return reverse("blog:post_detail", kwargs={"slug": self.slug})

    def is_published(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    is_published.boolean = True
    is_published.short_description = "public"

    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.publish_at > timezone.now()

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
    answer = models.TextField(help_text="Markdown.")
    answer_html = models.TextField(blank=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.answer_html = render_markdown(self.answer)
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "answer", ["answer_html"]
        )
        super().save(*args, **kwargs)


class Reference(models.Model):
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
