"""What hangs off a post (its byline, FAQs, references and old addresses) and topics."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from blog.rendering import rendered_or_invalid, renders, validate_markdown, with_derived_fields


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


class PostAuthor(models.Model):
    """An author's place in a post's byline: co-authors are ordered."""

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE)
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
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_slug} → {self.post.slug}"


class FAQ(models.Model):
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="faqs")
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
            self.answer_html = rendered_or_invalid(self.answer, "answer", post_slug=self.post.slug)[
                0
            ]
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

    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="references")
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
