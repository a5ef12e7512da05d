from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from blog.rendering import rendered_or_invalid, renders, validate_markdown, with_derived_fields
from blog.slugs import unique_slug
from blog.uploads import UploadedImageField


class User(AbstractUser):
    """A person who can log in; anyone with posts is also a public author."""

    display_name = models.CharField(
        max_length=150, blank=True, help_text="The name readers see on posts, e.g. “Maya Okafor”."
    )
    slug = models.SlugField(
        max_length=150,
        unique=True,
        blank=True,
        help_text="The last part of the author page's address. Left blank, it is made from "
        "the display name.",
    )
    bio = models.TextField(
        blank=True, help_text="A short biography, in Markdown.", validators=[validate_markdown]
    )
    bio_html = models.TextField(blank=True, editable=False)
    avatar = UploadedImageField(
        upload_to="avatars/%Y/%m/",
        max_side=512,  # shown at 64 and 96 pixels, twice that on sharp screens
        blank=True,
        help_text="A photo or picture of you, shown beside your posts. JPEG, PNG, WebP or GIF; "
        "camera and location data are removed.",
    )
    website = models.URLField(blank=True)
    twitter = models.CharField("X/Twitter handle", max_length=50, blank=True)
    mastodon = models.CharField(
        "Mastodon handle", max_length=100, blank=True, help_text="Like @name@example.social."
    )
    github = models.CharField("GitHub username", max_length=50, blank=True)
    linkedin = models.URLField("LinkedIn profile", blank=True)
    email_notifications = models.BooleanField(
        "email notifications",
        default=True,
        help_text="Emails when a post on your byline is published, goes live as scheduled or is "
        "sent back to draft, and, for editors, when a post is submitted for review. Untick to "
        "receive none.",
    )
    # Part of the signed address of this person's calendar feed (blog/ical.py): raising it
    # makes the addresses given out so far stop working.
    calendar_feed_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ["display_name", "username"]

    def __str__(self):
        return self.name

    def has_author_profile(self):
        """Whether a post this account writes credits it when no author is given: a member of
        a writing role, or anyone who chose a display name. A superuser who runs the site,
        with neither, does not become a public author by fixing a typo in a new post."""
        from accounts.roles import ROLES

        return bool(self.display_name) or self.groups.filter(name__in=ROLES).exists()

    @property
    def name(self):
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        if renders(kwargs.get("update_fields"), "bio"):  # not on logins (last_login only)
            self.bio_html = rendered_or_invalid(self.bio, "bio")[0]
        kwargs["update_fields"] = with_derived_fields(
            kwargs.get("update_fields"), "bio", ["bio_html"]
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:author_detail", kwargs={"slug": self.slug})

    def reset_calendar_feed(self):
        """Make the calendar feed addresses given out so far stop working (blog/ical.py)."""
        type(self)._default_manager.filter(pk=self.pk).update(
            calendar_feed_version=models.F("calendar_feed_version") + 1
        )
        self.refresh_from_db(fields=["calendar_feed_version"])

    def _unique_slug(self):
        def taken(slug):
            return type(self)._default_manager.filter(slug=slug).exclude(pk=self.pk).exists()

        return unique_slug(
            self.display_name or self.username, taken, max_length=140, fallback="author"
        )
