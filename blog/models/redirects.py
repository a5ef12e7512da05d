"""Old addresses that answer with a redirect, and the addresses that answered 404.

Both hold paths in one normalised form (normalised_path), so that the address a reader asks for,
the one an export gave and the one an editor typed meet in one exact lookup on a unique column.
"""

import re
import unicodedata
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from blog.seo import fixed_url

# Longest path kept: a longer old address is refused as a redirect, and a longer 404 is
# counted under its first PATH_MAX_LENGTH characters.
PATH_MAX_LENGTH = 500
# The WordPress addresses by number, which its home page answers: `/?p=12`, `/?page_id=2`.
WORDPRESS_QUERY = re.compile(r"(p|page_id)=([0-9]{1,18})")
SLASHES = re.compile(r"/{2,}")
# Redirects followed, target to target, when looking for a loop.
CHAIN_LIMIT = 10


def normalised_path(path, query="", *, decoded=False):
    """The form paths are stored and looked up in: percent-decoding undone (unless the path is
    `decoded` already, as a request's is), Unicode in NFC, runs of slashes as one, no trailing
    slash (so `/a/` and `/a` are one address), and of the query string only a WordPress
    `p=` or `page_id=` (`/?p=12`); other query strings are not part of the address."""
    if not decoded:
        path = unquote(path)
    path = SLASHES.sub("/", unicodedata.normalize("NFC", path))
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    wordpress = wordpress_query(query)
    return f"{path}?{wordpress}" if wordpress else path


def wordpress_query(query):
    """`p=12` or `page_id=2` when the query string is a WordPress address by number, else ""."""
    if not query or ("p=" not in query and "page_id=" not in query):
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    for name, value in pairs:
        if (match := WORDPRESS_QUERY.fullmatch(f"{name}={value}")) is not None:
            return f"{match[1]}={int(match[2])}"
    return ""


def admin_prefix():
    return fixed_url("admin:index")


def check_old_path(value):
    """The old address an editor typed, normalised; ValidationError if it is not a path on
    this site that a redirect can answer."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//"):
        raise ValidationError(
            "Give the old address as a path on this site, starting with a single “/” "
            "(e.g. /2019/05/old-post/), without https:// and the host."
        )
    parts = urlsplit(value)
    if parts.fragment or "#" in value:
        raise ValidationError("An old address cannot hold “#”: browsers never send that part.")
    if parts.query and not wordpress_query(parts.query):
        raise ValidationError(
            "Of a query string only WordPress’s ?p=ID or ?page_id=ID is part of an old address; "
            "leave other query strings out."
        )
    path = normalised_path(parts.path, parts.query)
    if len(path) > PATH_MAX_LENGTH:
        raise ValidationError(f"An old address may be at most {PATH_MAX_LENGTH} characters long.")
    if path.startswith(admin_prefix().rstrip("/")):
        raise ValidationError("Addresses of the admin cannot be redirected.")
    return path


def check_target(value):
    """A target address typed by an editor: a path on this site or an https:// address."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.netloc and "\\" not in value and " " not in value:
        return value
    raise ValidationError(
        "Give the new address as a path on this site (starting with “/”) or a full https:// "
        "address, or choose a post."
    )


class RedirectQuerySet(models.QuerySet):
    def for_path(self, path):
        """The redirect of a normalised path, with its post (one query)."""
        return self.select_related("post").filter(old_path=path).first()

    def count_hit(self, redirect):
        """One more hit: a single UPDATE … SET hits = hits + 1, exact under concurrency."""
        return self.filter(pk=redirect.pk).update(hits=F("hits") + 1, last_hit=timezone.now())


class Redirect(models.Model):
    """An old address of this site that answers with a redirect, when nothing else answers it
    (and WordPress's `/?p=ID`, which the home page would answer)."""

    class Source(models.TextChoices):
        MANUAL = "manual", "By hand"
        IMPORT = "import", "Import"

    old_path = models.CharField(
        "old address",
        max_length=PATH_MAX_LENGTH,
        unique=True,
        help_text=(
            "A path on this site, e.g. /2019/05/old-post/ or WordPress’s /?p=123. Matched "
            "exactly, with or without its last “/”. It redirects only when no page answers it."
        ),
    )
    post = models.ForeignKey(
        "blog.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redirects",
        help_text="Send readers to this post, at whatever address it has now.",
    )
    target_url = models.CharField(
        "or this address",
        max_length=1000,
        blank=True,
        help_text="Instead of a post: a path on this site (/topics/cooking/) or an https:// "
        "address.",
    )
    permanent = models.BooleanField(
        "permanent (301)",
        default=True,
        help_text="Permanent (301): search engines move the old address’s standing to the new "
        "one. Untick for a temporary redirect (302).",
    )
    source = models.CharField(max_length=10, choices=Source, default=Source.MANUAL, editable=False)
    hits = models.PositiveBigIntegerField(default=0, editable=False)
    last_hit = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                name="redirect_has_one_target",
                condition=(
                    models.Q(post__isnull=False, target_url="")
                    | models.Q(post__isnull=True) & ~models.Q(target_url="")
                ),
            )
        ]

    def __str__(self):
        return f"{self.old_path} → {self.target_display()}"

    def target_display(self):
        if self.post_id:
            return self.post.get_absolute_url()
        return self.target_url

    def location(self):
        """Where the redirect sends a reader now, or None: a post that is not public (draft,
        archived, scheduled) sends nobody anywhere, and shows as the 404 it would be."""
        if self.post_id:
            return self.post.get_absolute_url() if self.post.is_published() else None
        return self.target_url or None

    def clean(self):
        errors = {}
        try:
            self.old_path = check_old_path(self.old_path)
        except ValidationError as error:
            errors["old_path"] = error.messages
        if self.post_id and self.target_url:
            errors["target_url"] = ["Choose a post or give an address, not both."]
        elif not self.post_id:
            try:
                self.target_url = check_target(self.target_url)
            except ValidationError as error:
                errors["target_url"] = error.messages
        if not errors and self.loops():
            errors["target_url" if not self.post_id else "post"] = [
                "This would send readers round in a circle back to the old address."
            ]
        if errors:
            raise ValidationError(errors)

    def loops(self):
        """Whether following this redirect, and those its target has, comes back to its old
        address."""
        seen, target = {self.old_path}, self.target_display()
        for _ in range(CHAIN_LIMIT):
            if not target or not target.startswith("/"):
                return False  # off to another site: not ours to follow
            parts = urlsplit(target)
            path = normalised_path(parts.path, parts.query)
            if path in seen:
                return True
            seen.add(path)
            following = Redirect.objects.for_path(path)
            if following is None:
                return False
            target = following.target_display()
        return True  # a chain this long is as bad as a loop


class NotFoundPathQuerySet(models.QuerySet):
    def without_redirect(self):
        """The paths no redirect answers yet: what an editor still has to look at."""
        return self.filter(~Exists(Redirect.objects.filter(old_path=OuterRef("path"))))


class NotFoundPath(models.Model):
    """A path of this site that answered 404, and how often: what redirects are missing.
    Nothing about who asked is kept (no address, browser, referrer)."""

    path = models.CharField(max_length=PATH_MAX_LENGTH, unique=True)
    hits = models.PositiveBigIntegerField(default=1)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    objects = NotFoundPathQuerySet.as_manager()

    class Meta:
        verbose_name = "address not found (404)"
        verbose_name_plural = "addresses not found (404)"
        ordering = ["-hits", "-last_seen"]
        indexes = [models.Index(fields=["hits", "last_seen"], name="notfound_prune_order")]

    def __str__(self):
        return self.path
