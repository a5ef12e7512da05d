from django.core.management.base import BaseCommand

from blog.content_version import bump_content_generation
from blog.models.stored import rebuild_all


class Command(BaseCommand):
    help = (
        "Compute again, from the relational tables, what every post's pages show of its byline, "
        "tags, topics, FAQs and references, and its listings. Saves keep them right; run this "
        "after changing what they were made with: MEDIA_URL (avatar addresses) or the site's "
        "URLs (tag, topic and author links)."
    )

    def handle(self, *args, **options):
        count = rebuild_all()
        bump_content_generation()  # bulk writes send no signals: cached pages go stale here
        self.stdout.write(f"Stored blocks and listings rebuilt for {count:,} posts.")
