from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.importers.markdown_files import write
from blog.models import Post


class Command(BaseCommand):
    help = (
        "Write posts as Markdown files with YAML front matter (FAQs and references included) "
        "into DIR, one <slug>.md each, in the form import_posts reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument("--status", choices=[c for c, _ in Post.Status.choices])
        parser.add_argument("--author", help="Only posts by this username.")
        parser.add_argument("--tag", help="Only posts with this tag (slug).")
        parser.add_argument("--topic", help="Only posts in this topic (slug).")
        parser.add_argument("--published", action="store_true", help="Only public posts.")

    def handle(self, *args, directory, status, author, tag, topic, published, **options):
        target = Path(directory)
        if target.exists() and not target.is_dir():
            raise CommandError(f"{directory} exists and is not a folder")
        target.mkdir(parents=True, exist_ok=True)
        posts = Post.objects.published() if published else Post.objects.all()
        if status:
            posts = posts.filter(status=status)
        if author:
            posts = posts.filter(authors__username=author)
        if tag:
            posts = posts.filter(tags__slug=tag)
        if topic:
            posts = posts.filter(topics__slug=topic)
        count = 0
        for post in posts.distinct().order_by("publish_at", "pk"):
            (target / f"{post.slug}.md").write_text(write(post), encoding="utf-8")
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Exported {count} posts to {target}."))
