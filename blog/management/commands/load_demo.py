from datetime import timedelta
from itertools import zip_longest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blog import demo_content
from blog.models import Post, PostSlugRedirect, Topic

# Demo authors get roles so each role's admin can be tried (after setting their password).
DEMO_ROLES = ["Editor", "Author", "Author", "Contributor"]


class Command(BaseCommand):
    help = (
        "Load the demo authors, topics and posts that are missing. What is already there, "
        "edited or not, is left alone, so running it again never duplicates or undoes anything."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        authors = self._authors()
        topics = {}
        for data in demo_content.TOPICS:
            topics[data["slug"]], _ = Topic.objects.get_or_create(slug=data["slug"], defaults=data)

        created = 0
        now = timezone.now()
        for data in demo_content.POSTS:
            slug = data["slug"]
            if (
                Post.objects.filter(slug=slug).exists()
                or PostSlugRedirect.objects.filter(old_slug=slug).exists()  # renamed since
            ):
                continue
            self._create_post(data, authors, topics, now - timedelta(days=data["days_ago"]))
            created += 1

        total = len(demo_content.POSTS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(authors)} authors, {len(topics)} topics, {total} posts "
                f"({created} created, {total - created} already there)."
            )
        )

    def _authors(self):
        User = get_user_model()
        roles = {group.name: group for group in Group.objects.all()}
        authors = {}
        for data, role in zip_longest(
            demo_content.AUTHORS, DEMO_ROLES[: len(demo_content.AUTHORS)], fillvalue="Contributor"
        ):
            fields = {key: value for key, value in data.items() if key != "username"}
            user, created = User.objects.get_or_create(
                username=data["username"], defaults={"is_staff": True, **fields}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(roles[role])
            authors[user.username] = user
        return authors

    def _create_post(self, data, authors, topics, publish_at):
        post = Post(
            slug=data["slug"],
            publish_at=publish_at,
            **{key: data[key] for key in ("title", "description", "body", "status")},
        )
        post.apply_content(
            {
                "tags": data["tags"],
                "topics": data["topics"],
                "authors": data["authors"],
                "faqs": [{"question": q, "answer": a} for q, a in data["faqs"]],
                "references": [
                    {"title": "", "publisher": "", "year": None, "url": "", **reference}
                    for reference in data["references"]
                ],
            }
        )
        post.save_with_history(note="Demo content")
