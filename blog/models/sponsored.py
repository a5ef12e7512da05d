"""Sponsored content: the affiliate networks whose links are paid placements, the site's own
sponsored links served at /go/<slug>/, where posts use them, and their clicks per day.

Which links are sponsored is data (AffiliateNetwork and its rules, seeded by migration 0018
and edited by Editors): blog/affiliates.py turns the rows into the rules the renderer applies.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

# A host pattern: labels of letters, digits and hyphens, optionally "*." before (the host and
# any host under it) and ".*" after (under any top-level domain: amazon.* is amazon.de too).
HOST_PATTERN = re.compile(r"^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(\.\*)?$")


def validate_host_pattern(value):
    if not HOST_PATTERN.match(value):
        raise ValidationError(
            f"“{value}” is not a host pattern: write a host name such as amzn.to, "
            "*.hop.clickbank.net for it and every host under it, or amazon.* for every "
            "top-level domain.",
            code="host_pattern",
        )


def validate_parameter_name(value):
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise ValidationError(
            f"“{value}” is not a query parameter name: use letters, digits, _, . and -.",
            code="parameter",
        )


def validate_destination(value):
    """A destination is an absolute http(s) address: never javascript:, data: or a path."""
    URLValidator(
        schemes=["http", "https"],
        message="Enter an address starting with http:// or https://.",
    )(value)


class AffiliateNetwork(models.Model):
    """An affiliate network or programme: links matching one of its rules are sponsored."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(
        default=True, help_text="Untick to stop treating this network's links as sponsored."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = [Lower("name")]

    def __str__(self):
        return self.name


class AffiliateRule(models.Model):
    """One shape of a network's links: a host pattern, and optionally a query parameter the
    link must carry (Amazon links are sponsored only with `tag=`)."""

    network = models.ForeignKey(AffiliateNetwork, on_delete=models.CASCADE, related_name="rules")
    host = models.CharField(
        max_length=253,
        validators=[validate_host_pattern],
        help_text="amzn.to; *.hop.clickbank.net (that host and every host under it); "
        "amazon.* (every top-level domain). “www.” is ignored.",
    )
    parameter = models.CharField(
        "query parameter",
        max_length=64,
        blank=True,
        validators=[validate_parameter_name],
        help_text="Only links carrying this query parameter (e.g. tag) are sponsored. "
        "Blank: every link to these hosts.",
    )

    class Meta:
        ordering = ["host", "parameter"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "host", "parameter"], name="unique_affiliate_rule"
            )
        ]

    def __str__(self):
        return f"{self.host} with {self.parameter}=" if self.parameter else self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower().removeprefix("www.")
        self.parameter = self.parameter.strip()
        super().save(*args, **kwargs)


# First host labels that say nothing about the offer (click.linksynergy.com, go.skimresources.com).
_GENERIC_LABELS = {"click", "go", "track", "link", "links", "m", "www", "smile", "out", "r"}


def offer_word(url, network):
    """The part of an affiliate address that tells one offer from another: the vendor label of
    a ClickBank-style host (aebcbdb-fj79…hop.clickbank.net), else the last part of the path
    (amzn.to/3xYz, amazon.com/dp/B0C1), else the host."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    first = labels[0].split("-")[0]
    if len(labels) > 2 and first not in _GENERIC_LABELS and first not in network.lower():
        return first[:40]
    segments = [segment for segment in parts.path.split("/") if segment]
    return (segments[-1] if segments else host)[:40]


class SponsoredLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_destination(self, url, rules=None):
        """The sponsored link to exactly `url` (a live one first), made if there is none, for
        an address an affiliate network's rules recognise; None for any other address.

        A made link is named after its network and offer ("ClickBank: aebcbdb") and takes a
        free slug made from them. A retired link is returned as it is: retiring was someone's
        decision, which a pasted address does not undo."""
        from blog.affiliates import current_rules
        from blog.slugs import unique_slug

        url = url.strip()
        network = (rules or current_rules()).network_of(url)
        if network is None:
            return None
        links = self.model._default_manager.all()  # whatever this queryset was narrowed to
        existing = links.filter(destination=url).order_by("-active", "pk").first()
        if existing is not None:
            return existing
        name = f"{network}: {offer_word(url, network)}"
        for _attempt in range(3):
            link = self.model(
                name=name[:200],
                destination=url,
                slug=unique_slug(
                    name,
                    lambda slug: links.filter(slug=slug).exists(),
                    max_length=60,
                    fallback="offer",
                ),
            )
            try:
                link.full_clean()
            except ValidationError as invalid:
                if "slug" in invalid.error_dict and len(invalid.error_dict) == 1:
                    continue  # taken since the look-up: try the next free one
                return None  # not an address a link can have (too long, not http(s))
            try:
                with transaction.atomic():  # a savepoint: a slug taken meanwhile is retried
                    link.save()
            except IntegrityError:
                continue
            return link
        return None


class SponsoredLink(models.Model):
    """A named paid destination the site links to as /go/<slug>/: changing its destination,
    or retiring it, changes every post that uses it at once."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="Its address is /go/<slug>/. Posts link to that address, not to the destination.",
    )
    destination = models.URLField(
        max_length=2000,
        validators=[validate_destination],
        help_text="Where readers go: the affiliate or offer address (http or https).",
    )
    tracking_parameter = models.CharField(
        max_length=40,
        blank=True,
        validators=[validate_parameter_name],
        help_text="Optional, e.g. tid: readers who click in a post go to the destination with "
        "?tid=<the post's slug>, so the network's own reports say which post earned.",
    )
    notes = models.TextField(blank=True, help_text="For editors: terms, contacts, expiry.")
    active = models.BooleanField(
        default=True,
        help_text="A retired link answers 404 at its address, and posts show its text "
        "without a link.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SponsoredLinkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:go", kwargs={"slug": self.slug})

    def used_in(self):
        """The posts whose text links to this link's address."""
        from blog.models.post import Post

        return Post.objects.filter(sponsored_link_uses__slug=self.slug).distinct()


class SponsoredLinkUse(models.Model):
    """A post links to /go/<slug>/ (in its body or an FAQ answer): written when its
    fragments are (blog/fragments.py), so it is never out of step with what readers see.
    The slug is kept as written, so a link to a slug that does not exist yet is known too."""

    post = models.ForeignKey(
        "blog.Post", on_delete=models.CASCADE, related_name="sponsored_link_uses"
    )
    slug = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "slug"], name="unique_sponsored_link_use")
        ]

    def __str__(self):
        return f"post {self.post_id} links to /go/{self.slug}/"


class LinkClicks(models.Model):
    """How many times a sponsored link was followed on one day (in the site's time zone),
    from one post (or from elsewhere: no post), by people or by bots. Nothing about the
    reader is kept: no address, cookie or browser string."""

    link = models.ForeignKey(SponsoredLink, on_delete=models.CASCADE, related_name="clicks")
    # Not a constraint: a deleted post's clicks stay in the link's totals.
    post = models.ForeignKey(
        "blog.Post",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    day = models.DateField()
    bot = models.BooleanField(default=False)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "sponsored-link clicks"
        constraints = [
            # One counter per link, post, day and kind; NULLs are distinct in a unique index, so
            # clicks from no post have their own.
            models.UniqueConstraint(
                fields=["link", "post", "day", "bot"],
                condition=Q(post__isnull=False),
                name="unique_link_clicks_from_post",
            ),
            models.UniqueConstraint(
                fields=["link", "day", "bot"],
                condition=Q(post__isnull=True),
                name="unique_link_clicks_elsewhere",
            ),
        ]
        indexes = [models.Index(fields=["day", "link"], name="link_clicks_day_idx")]

    def __str__(self):
        return f"{self.link_id} on {self.day}: {self.clicks}"


DEFAULT_DISCLOSURE = (
    "This post contains affiliate links. If you buy through them, we may earn a commission, "
    "at no extra cost to you."
)


class SiteSettings(models.Model):
    """What Editors set for the whole site, one row."""

    disclosure = models.TextField(
        "sponsored-link disclosure",
        blank=True,
        default=DEFAULT_DISCLOSURE,
        max_length=1000,
        help_text="Shown before the first sponsored or affiliate link of a post, wherever the "
        "post appears (its page, RSS and Atom). Markdown (links allowed). A post can have its "
        "own. Posts with sponsored links cannot be published while this and the post's own "
        "are both blank. On a post's page, only its first sentence stands before a link in "
        "the text, with a link to the whole after it: make that sentence say the post has "
        "sponsored links.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    def clean(self):
        """Refuse a blank disclosure while published or scheduled posts with sponsored links
        show it (they have none of their own): they would disclose nothing."""
        from blog.disclosure import says_something
        from blog.models.post import Post

        text = self.disclosure.strip()
        if text and says_something(text):
            return
        posts = Post.objects.filter(status=Post.Status.PUBLISHED, has_sponsored_links=True)
        relying = [
            title
            for title, own in posts.order_by("title").values_list("title", "disclosure")
            if not (own.strip() and says_something(own.strip()))
        ]
        if relying:
            shown = ", ".join(f"“{title}”" for title in relying[:3])
            more = f" and {len(relying) - 3} more" if len(relying) > 3 else ""
            raise ValidationError(
                {
                    "disclosure": f"{len(relying)} published or scheduled post"
                    f"{'s have' if len(relying) > 1 else ' has'} sponsored links and no "
                    f"disclosure of {'their' if len(relying) > 1 else 'its'} own ({shown}{more})"
                    ": they show this one. Give them their own first."
                },
                code="disclosure_needed",
            )

    @classmethod
    def load(cls):
        return cls.objects.get_or_create(pk=1)[0]
