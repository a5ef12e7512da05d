"""The image library: images uploaded once and used by any number of posts, in their bodies
(`![alt](image:42)`) and as featured images, with their renditions and where they are used.

An image is made only by `Image.objects.create_from_upload()`: the upload goes through
blog/uploads.py's one validating path and the renditions are made then (blog/images.py), and
again only when the file or the focal point changes, never per request.
"""

import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from blog.images import delete_renditions, make_renditions, srcset_of
from blog.uploads import CleanImage, UploadedImageField, clean_image

# `![alt](image:42)` or `![alt](image:42 "caption")`: how a body refers to a library image.
IMAGE_REFERENCE = re.compile(r"!\[[^\]\n]*\]\(\s*image:(\d{1,12})(?:\s+\"[^\"\n]*\")?\s*\)")
UNIT = [MinValueValidator(0.0), MaxValueValidator(1.0)]


def referenced_image_ids(markdown_text):
    """Ids of the library images a Markdown text refers to, in order of first mention."""
    return list(dict.fromkeys(int(found) for found in IMAGE_REFERENCE.findall(markdown_text or "")))


def editable_uses(user):
    """Q over ImageUse: uses in posts `user` may edit (Post.can_edit's rule as a query: their
    own posts, and once published only with the right to publish)."""
    from blog.workflow import Status

    mine = Q(post__authors=user)
    if user.has_perm("blog.edit_any_post"):
        return Q()
    if user.has_perm("blog.publish_post"):
        return mine
    return mine & Q(post__status__in=[Status.DRAFT, Status.IN_REVIEW])


class ImageQuerySet(models.QuerySet):
    def for_user(self, user):
        """The images `user` may see and use: the whole library for anyone who writes."""
        if user.has_perm("blog.view_image"):
            return self
        return self.none()

    def editable_by(self, user):
        """The images `user` may change or delete: all for editors; else their own uploads,
        except those a post they may not edit shows (changing an image changes every post
        showing it: a writer's published post, say, or another writer's)."""
        if not user.has_perm("blog.change_image"):
            return self.none()
        if user.has_perm("blog.edit_any_image"):
            return self
        return self.filter(uploaded_by=user).exclude(
            Exists(ImageUse.objects.filter(image=OuterRef("pk")).exclude(editable_uses(user)))
        )

    def used(self):
        return self.filter(Exists(ImageUse.objects.filter(image=OuterRef("pk"))))

    def unused(self):
        return self.exclude(Exists(ImageUse.objects.filter(image=OuterRef("pk"))))

    def missing_alt_text(self):
        return self.filter(alt_text="")

    def search(self, words):
        """Images whose title, alt text, caption or credit contain every word."""
        found = self
        for word in words.split():
            found = found.filter(
                Q(title__icontains=word)
                | Q(alt_text__icontains=word)
                | Q(caption__icontains=word)
                | Q(credit__icontains=word)
            )
        return found


class ImageManager(models.Manager.from_queryset(ImageQuerySet)):
    def create_from_upload(self, upload, *, user, **fields):
        """The one way an image enters the library: `upload` (an uploaded file, or any file
        object) is validated and re-encoded (blog.uploads.clean_image: a ValidationError
        naming the problem if refused), stored, and its renditions made."""
        clean = _cleaned(upload)
        title = fields.pop("title", "") or _title_from(getattr(upload, "name", ""))
        image = self.model(uploaded_by=user, title=title, **fields)
        image.full_clean(exclude=["file", "renditions"])
        with transaction.atomic():
            image.file.save(clean.name, clean, save=False)
            image.renditions = make_renditions(image)
            image.save()
        return image


def _cleaned(upload):
    return upload if isinstance(upload, CleanImage) else clean_image(upload)


def _title_from(filename):
    stem = PurePosixPath(filename or "image").stem
    return re.sub(r"[-_]+", " ", stem).strip()[:200] or "Image"


class Image(models.Model):
    file = UploadedImageField(upload_to="images/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    title = models.CharField(
        max_length=200, help_text="For finding the image in the library; readers do not see it."
    )
    alt_text = models.CharField(
        "alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for readers who cannot see it. A post may give its own "
        "alt text where it uses the image.",
    )
    caption = models.CharField(
        max_length=500, blank=True, help_text="Shown under the image where a post shows it."
    )
    credit = models.CharField(
        max_length=200, blank=True, help_text="Who made it, shown after the caption."
    )
    licence = models.CharField(
        max_length=200, blank=True, help_text="Under what terms it may be used (not shown)."
    )
    focal_x = models.FloatField("focal point (across)", default=0.5, validators=UNIT)
    focal_y = models.FloatField("focal point (down)", default=0.5, validators=UNIT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="images",
        editable=False,
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # [{"width", "height", "format", "name", "crop"}] (blog/images.py), made with the file.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    # SHA-256 of the file an import took it from (blog/importers/media.py): importing the same
    # file again finds this image instead of making a copy.
    content_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = ImageManager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        permissions = [("edit_any_image", "Can change and delete images anyone uploaded")]

    def __str__(self):
        return self.title

    @property
    def url(self):
        return self.file.url

    @property
    def thumbnail_url(self):
        """A small copy for the library's grid and pickers."""
        return self.rendition_url(320)

    def srcset(self, image_format="webp", crop=""):
        """`srcset` of this image's renditions in one format (and crop)."""
        return srcset_of(self, image_format, crop)

    def rendition(self, width, image_format="webp", crop=""):
        """The smallest rendition at least `width` wide (else the widest), or None."""
        found = [
            r for r in self.renditions if r["format"] == image_format and r.get("crop", "") == crop
        ]
        if not found:
            return None
        found.sort(key=lambda r: r["width"])
        return next((r for r in found if r["width"] >= width), found[-1])

    def rendition_url(self, width, image_format="webp", crop=""):
        found = self.rendition(width, image_format, crop)
        return self.file.storage.url(found["name"]) if found else self.url

    def can_change(self, user):
        """Whether `user` may change or delete this image: ImageQuerySet.editable_by's rule,
        asked of one image (a query only for a writer's own upload: the posts showing it)."""
        if not user.has_perm("blog.change_image"):
            return False
        if user.has_perm("blog.edit_any_image"):
            return True
        return self.uploaded_by_id == user.pk and all(
            post.can_edit(user) for post in self.usages().prefetch_related("authors")
        )

    def usages(self):
        """The posts using this image, each once, newest first."""
        from blog.models.post import Post

        return Post.objects.filter(image_uses__image=self).distinct().order_by("-pk")

    def replace_file(self, upload):
        """Put a new file in place of this one (same id, so references stay valid): validated
        as every upload is, with new renditions; the old files are deleted once committed."""
        clean = _cleaned(upload)
        old = [self.file.name, *(r["name"] for r in self.renditions)]
        storage = self.file.storage
        with transaction.atomic():
            self.file.save(clean.name, clean, save=False)
            self.renditions = make_renditions(self)
            self.save()
            transaction.on_commit(lambda: [storage.delete(name) for name in old])
        self.render_users_again()

    def set_focal_point(self, x, y):
        """Move the focal point; the crops around it are made again if it moved."""
        x, y = round(float(x), 4), round(float(y), 4)
        if (x, y) == (self.focal_x, self.focal_y):
            return
        self.focal_x, self.focal_y = x, y
        self.full_clean(exclude=["file", "renditions"])
        old = [r["name"] for r in self.renditions]
        self.renditions = make_renditions(self)
        self.save(update_fields=["focal_x", "focal_y", "renditions"])
        new = {r["name"] for r in self.renditions}
        storage = self.file.storage
        transaction.on_commit(lambda: [storage.delete(n) for n in old if n not in new])
        self.render_users_again()

    def render_users_again(self):
        """Posts show what they stored at their last save: render those using this image."""
        from blog.sponsored import render_again

        post_ids = list(self.image_uses.values_list("post_id", flat=True).distinct())
        if post_ids:
            render_again(post_ids)

    def delete(self, *args, **kwargs):
        """Refused (ValidationError naming the posts) while a post uses the image."""
        self.check_deletable()
        names = [self.file.name, *(r["name"] for r in self.renditions)]
        storage = self.file.storage
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            transaction.on_commit(lambda: delete_renditions(storage, names))
        return result

    def check_deletable(self):
        titles = list(self.usages().values_list("title", flat=True)[:6])
        if titles:
            named = ", ".join(f"“{title}”" for title in titles[:5])
            more = " and others" if len(titles) > 5 else ""
            raise ValidationError(
                f"“{self.title}” is used by {named}{more}: remove it from "
                f"{'that post' if len(titles) == 1 else 'those posts'} before deleting it.",
                code="image_in_use",
            )


class ImageUse(models.Model):
    """A post using an image: in its body or as its featured image. Written with the post."""

    class Kind(models.TextChoices):
        BODY = "body", "In the body"
        FEATURED = "featured", "Featured image"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="image_uses")
    post = models.ForeignKey("blog.Post", on_delete=models.CASCADE, related_name="image_uses")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["image", "post", "kind"], name="image_use_unique")
        ]

    def __str__(self):
        return f"{self.image_id} in {self.post_id} ({self.kind})"

    @classmethod
    def record(cls, posts):
        """Write which images `posts` (saved) use now: three queries for any number."""
        wanted = set()
        for post in posts:
            for image_id in referenced_image_ids(post.body):
                wanted.add((image_id, post.pk, cls.Kind.BODY))
            if post.featured_image_id:
                wanted.add((post.featured_image_id, post.pk, cls.Kind.FEATURED))
        pks = [post.pk for post in posts]
        existing = set(
            cls.objects.filter(post_id__in=pks).values_list("image_id", "post_id", "kind")
        )
        if existing == wanted:
            return
        stale = existing - wanted
        if stale:
            gone = Q()
            for image_id, post_id, kind in stale:
                gone |= Q(image_id=image_id, post_id=post_id, kind=kind)
            cls.objects.filter(gone).delete()
        # A reference to an image that does not exist (any more) is no use.
        known = set(
            Image.objects.filter(pk__in={i for i, _, _ in wanted - existing}).values_list(
                "pk", flat=True
            )
        )
        cls.objects.bulk_create(
            [
                cls(image_id=image_id, post_id=post_id, kind=kind)
                for image_id, post_id, kind in wanted - existing
                if image_id in known
            ],
            ignore_conflicts=True,
        )
