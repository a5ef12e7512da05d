"""The site's header and footer menus, edited by Editors: links to posts, topics, tags, authors
and outside addresses, in the order the editor gave them."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, When
from django.urls import reverse

from blog.models.post import Post
from blog.workflow import Status

ALWAYS = datetime.min.replace(tzinfo=UTC)


def validate_menu_url(value):
    """An outside link is an absolute http(s) address or a mailto: address: never
    javascript:, data: or anything a browser would run."""
    scheme = urlsplit(value).scheme.lower()
    if scheme == "mailto":
        address = value.split(":", 1)[1].split("?", 1)[0]
        EmailValidator(message="Enter an email address after “mailto:”.")(address)
        return
    URLValidator(
        schemes=["http", "https"],
        message="Enter an address starting with https://, http:// or mailto:.",
    )(value)


class Menu(models.Model):
    """One of the site's menus. Until the header menu is saved, the header lists the topics;
    until the footer menu is saved, the footer links to the subscribe page and the feed."""

    class Location(models.TextChoices):
        HEADER = "header", "Header"
        FOOTER = "footer", "Footer"

    location = models.CharField(max_length=10, choices=Location.choices, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["location"]

    def __str__(self):
        return f"{self.get_location_display()} menu"


class MenuItemQuerySet(models.QuerySet):
    def for_public_menus(self):
        """Every item with what the public menu shows of its target, and `public_from`: when
        the target became (or becomes) public; None while it is not published at all. A tag
        or author is public from its first published post, as its page is."""

        def first_published(relation, scope):
            # From the posts themselves, not their listings: those are rewritten after the
            # post's row, and the menus are read again as soon as the row changes.
            return Subquery(
                Post.objects.filter(status=Status.PUBLISHED, **{relation: OuterRef(scope)})
                .order_by("publish_at")
                .values("publish_at")[:1]
            )

        return (
            self.select_related("menu", "post", "topic", "tag", "author")
            .only(
                "menu__location",
                *("kind", "label", "url", "order", "post", "topic", "tag", "author"),
                *("post__title", "post__slug", "post__kind", "topic__name", "topic__slug"),
                *("tag__name", "tag__slug", "author__display_name", "author__username"),
                *("author__first_name", "author__last_name", "author__slug"),
            )
            .annotate(
                post_public_from=Case(
                    When(post__status=Status.PUBLISHED, then=F("post__publish_at")),
                    default=None,
                ),
                tag_public_from=first_published("tags", "tag"),
                author_public_from=first_published("authors", "author"),
            )
            .order_by("menu__location", "order", "pk")
        )


class MenuItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", "Page or post"
        TOPIC = "topic", "Topic"
        TAG = "tag", "Tag"
        AUTHOR = "author", "Author"
        LINK = "link", "Outside link"

    menu = models.ForeignKey(Menu, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TOPIC)
    label = models.CharField(
        max_length=80,
        blank=True,
        help_text="Shown instead of the target's own name (its title or name; for an outside "
        "link, its host).",
    )
    # A target deleted leaves the item in the menu's form, marked gone, and off the site.
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        "blog.Topic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tag = models.ForeignKey(
        "taggit.Tag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    url = models.CharField(
        "address",
        max_length=500,
        blank=True,
        validators=[validate_menu_url],
        help_text="For an outside link: https://…, http://… or mailto:….",
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = MenuItemQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "menu item"

    TARGETS = {Kind.POST: "post", Kind.TOPIC: "topic", Kind.TAG: "tag", Kind.AUTHOR: "author"}

    def __str__(self):
        return self.label or self.target_name() or self.get_kind_display()

    def clean(self):
        """The field of its kind is filled in, and the others emptied: an item links to one
        thing. An item whose target was deleted must be given another, or deleted."""
        field = self.TARGETS.get(self.kind)
        if field is None and not self.url:
            raise ValidationError({"url": "An outside link needs an address."})
        if field is not None and getattr(self, f"{field}_id") is None:
            gone = "" if self._state.adding else f"The {field} this item linked to is gone. "
            raise ValidationError({field: f"{gone}Choose the {field} this item links to."})
        for other in self.TARGETS.values():
            if other != field:
                setattr(self, other, None)
        if field is not None:
            self.url = ""

    def target(self):
        field = self.TARGETS.get(self.kind)
        return getattr(self, field) if field else None

    def target_name(self):
        """The target's own name: a post's title, a topic's, tag's or author's name, a link's
        host (or email address); "" when the target is gone."""
        if self.kind == self.Kind.LINK:
            parts = urlsplit(self.url)
            if parts.scheme.lower() == "mailto":
                return parts.path
            return parts.hostname or self.url
        target = self.target()
        if target is None:
            return ""
        return target.title if self.kind == self.Kind.POST else target.name

    def href(self):
        if self.kind == self.Kind.LINK:
            return self.url
        if self.kind == self.Kind.TAG:
            return reverse("blog:tag_detail", kwargs={"slug": self.tag.slug})
        return self.target().get_absolute_url()

    def public_from(self):
        """When the target is (or becomes) public; None when it is gone or not published.
        Outside links and topics (whose pages exist even while empty) are public ALWAYS. The
        times come from for_public_menus()."""
        if self.kind == self.Kind.LINK:
            return ALWAYS
        if self.target() is None:
            return None
        if self.kind == self.Kind.TOPIC:
            return ALWAYS
        if self.kind == self.Kind.TAG and not self.tag.slug:
            return None  # taggit slugs "!!!" as "": such a tag has no page
        return getattr(self, f"{self.TARGETS[self.kind]}_public_from", None)
