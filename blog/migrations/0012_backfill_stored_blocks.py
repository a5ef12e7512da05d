"""Fill the stored blocks and related-post candidates of the posts that exist, in batches.

It calls the current code (blog/models/stored.py), as a management command would: the blocks
are the output of that code, and only it knows their shape. A fresh database has no posts, so
there it does nothing."""

from django.db import migrations

BATCH = 500


def backfill(apps, schema_editor):
    from blog.models import Post
    from blog.models.stored import PARTS, refresh_groups, store_parts

    ids = list(apps.get_model("blog", "Post").objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        store_parts(list(Post.objects.filter(pk__in=ids[start : start + BATCH]).only("pk")), PARTS)
    # Every tag and topic in use, once each (not once per post).
    tags = apps.get_model("taggit", "Tag").objects.values_list("pk", flat=True)
    topics = apps.get_model("blog", "Topic").objects.values_list("pk", flat=True)
    refresh_groups(list(tags), list(topics))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_stored_blocks_and_related_candidates"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
