"""Search results' snippets from passages of the body (blog/models/passages.py): the table, and
on PostgreSQL the passages of every post there is (SQLite has no full-text search and keeps
none)."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 500


def write_all_passages(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from blog.models.passages import write_passages  # the one way passages are written

    Post = apps.get_model("blog", "Post")
    bodies = Post.objects.order_by("pk").values_list("pk", "body_html")
    batch = []
    for row in bodies.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            write_passages(batch)
            batch = []
    write_passages(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0031_image_content_hash"),
    ]

    operations = [
        migrations.CreateModel(
            name="Passage",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "post",
                        "number",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("text", models.TextField()),
                ("last", models.BooleanField()),
                (
                    "post",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="blog.post",
                    ),
                ),
            ],
        ),
        migrations.RunPython(write_all_passages, migrations.RunPython.noop, elidable=True),
    ]
