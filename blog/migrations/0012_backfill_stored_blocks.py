"""Fill the stored blocks and listings of the posts that exist, in batches.

It calls the current code (blog/models/stored.py), as a management command would: the blocks
are the output of that code, and only it knows their shape. A fresh database has no posts, so
there it does nothing. Not the fragments (blog/fragments.py): their columns come later, in
0014; until `manage.py rebuild_stored_blocks` stores them, pages render them."""

from django.db import migrations


def backfill(apps, schema_editor):
    from blog.models.stored import rebuild_all

    rebuild_all(fragments=False)


class Migration(migrations.Migration):
    dependencies = [("blog", "0011_stored_blocks_and_listings")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
