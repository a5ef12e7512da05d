from datetime import timedelta
from itertools import zip_longest

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from blog import demo_content
from blog.models import FAQ, Post, PostAuthor, Reference, Topic

# Demo authors get roles so each role's admin can be tried (after setting their password).
DEMO_ROLES = ["Editor", "Author", "Author", "Contributor"]


class Command(BaseCommand):
    help = "Load the demo authors, topics and posts. Running it again updates, never duplicates."

    @transaction.atomic
    def handle(self, *args, **options):
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
                user.groups.add(roles[role])
            else:
                for key, value in fields.items():
                    setattr(user, key, value)
            user.save()
            authors[user.username] = user

        topics = {}
        for data in demo_content.TOPICS:
            topic, _ = Topic.objects.update_or_create(slug=data["slug"], defaults=data)
            topics[topic.slug] = topic

        created_count = 0
        now = timezone.now()
        for data in demo_content.POSTS:
            post = Post.objects.filter(slug=data["slug"]).first()
            status_before = post.status if post else None
            if post is None:
                post = Post(slug=data["slug"], publish_at=now - timedelta(days=data["days_ago"]))
                created_count += 1
            for key in ("title", "description", "body", "status"):
                setattr(post, key, data[key])
            post.save()
            PostAuthor.objects.filter(post=post).delete()
            PostAuthor.objects.bulk_create(
                PostAuthor(post=post, author=authors[username], order=number)
                for number, username in enumerate(data["authors"], start=1)
            )
            post.tags.set(data["tags"], clear=True)
            post.topics.set([topics[slug] for slug in data["topics"]])
            post.faqs.all().delete()
            for number, (question, answer) in enumerate(data["faqs"], start=1):
                FAQ.objects.create(post=post, question=question, answer=answer, order=number)
            post.references.all().delete()
            Reference.objects.bulk_create(
                Reference(post=post, order=number, **reference)
                for number, reference in enumerate(data["references"], start=1)
            )
            post.record_state_change(status_before)
            post.save_revision(note="Demo content")

        total = len(demo_content.POSTS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(authors)} authors, {len(topics)} topics, {total} posts "
                f"({created_count} created, {total - created_count} updated)."
            )
        )
