"""Fill the stored blocks and listings of the posts that exist, in batches.

It calls the current code (blog/models/stored.py), as a management command would: the blocks
are the output of that code, and only it knows their shape. A fresh database has no posts, so
there it does nothing."""

from django.db import migrations

BATCH = 500


def backfill(apps, schema_editor):
    from blog.models import Post

    ids = list(apps.get_model("blog", "Post").objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        Post.store_derived(list(Post.objects.filter(pk__in=ids[start : start + BATCH]).only("pk")))


class Migration(migrations.Migration):
    dependencies = [("blog", "0011_stored_blocks_and_listings")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
