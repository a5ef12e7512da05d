import datetime as dt

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from blog.importers import ImportProblem, import_markdown, markdown_files
from blog.models import DemoPost, Image, Post, PostSlugRedirect, Topic

DEMO_DIR = settings.BASE_DIR / "demo"
IMAGE_FIELDS = ["featured_image", "updated_at"]


class Command(BaseCommand):
    help = (
        "Load the demo authors, topics, posts and pages (demo/site.yaml, demo/posts/*.md and "
        "demo/pages/*.md) that were never loaded here. What was loaded before, edited, "
        "renamed or deleted since, is left as it is, so running it again never duplicates or "
        "undoes anything."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        site = yaml.safe_load((DEMO_DIR / "site.yaml").read_text(encoding="utf-8"))
        self._authors(site["authors"])
        for data in site["topics"]:
            Topic.objects.get_or_create(slug=data["slug"], defaults=data)

        posts = _demo_posts()
        loaded = set(DemoPost.objects.values_list("source_id", flat=True))
        new = [(name, raw, item) for name, raw, item in posts if item.source_id not in loaded]
        now = timezone.now()
        first_load = DemoPost.objects.aggregate(first=Min("loaded_at"))["first"] or now
        report = import_markdown(
            [
                (name, item.source_id, lambda raw=raw: raw)
                for name, raw, item in new
                if not _already_here(item)
            ],
            publish_offset=first_load - dt.datetime.fromisoformat(str(site["dates_as_of"])),
        )
        if report.failed:
            raise CommandError("The demo posts could not be loaded:\n" + "\n".join(report.problems))
        DemoPost.objects.bulk_create(
            DemoPost(source_id=item.source_id, loaded_at=now) for _, _, item in new
        )
        _featured_images([item.source_id for _, _, item in new])

        pages = sum(1 for _, _, item in posts if item.kind == Post.Kind.PAGE)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(site['authors'])} authors, {len(site['topics'])} topics, "
                f"{len(posts) - pages} posts and {pages} pages ({report.created} created, "
                f"{len(posts) - report.created} already there)."
            )
        )

    def _authors(self, authors):
        User = get_user_model()
        roles = {group.name: group for group in Group.objects.all()}
        for data in authors:
            fields = {key: value for key, value in data.items() if key not in {"username", "role"}}
            user, created = User.objects.get_or_create(
                username=data["username"], defaults={"is_staff": True, **fields}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(roles[data["role"]])


def _featured_images(source_ids):
    """Give the demo posts just loaded their pictures (demo/images/<slug>.jpg, drawn by
    scripts/draw_demo_images.py) as library images, through the upload path every image
    takes; the alt text came with the post's front matter."""
    posts = Post.objects.select_for_update().filter(
        source_id__in=source_ids, featured_image__isnull=True
    )
    for post in posts.order_by("pk"):
        picture = DEMO_DIR / "images" / f"{post.slug}.jpg"
        if not picture.exists():
            continue
        upload = SimpleUploadedFile(picture.name, picture.read_bytes(), "image/jpeg")
        post.featured_image = Image.objects.create_from_upload(
            upload, user=post.authors.first(), alt_text=post.featured_image_alt
        )
        # The image alone: the body was rendered a moment ago by the import.
        post.save_with_history(note="Demo featured image", update_fields=IMAGE_FIELDS)


def _demo_posts():
    """(name, bytes, ImportedPost) for each demo file (posts, then pages: `kind: page`), read
    as the importer reads it."""
    posts = []
    paths = [*sorted((DEMO_DIR / "posts").glob("*.md")), *sorted((DEMO_DIR / "pages").glob("*.md"))]
    for path in paths:
        name, raw = f"demo/{path.parent.name}/{path.name}", path.read_bytes()
        try:
            posts.append((name, raw, markdown_files.read(name, raw)))
        except ImportProblem as problem:
            raise CommandError(f"The demo posts could not be loaded:\n{name}: {problem}") from None
    return posts


def _already_here(item):
    """A post has the file's id or address already: one loaded before this site remembered
    its demo posts (renamed since or not), or one of the site's own. It is kept as it is."""
    return (
        Post.objects.filter(Q(source_id=item.source_id) | Q(slug=item.slug)).exists()
        or PostSlugRedirect.objects.filter(old_slug=item.slug).exists()
    )
