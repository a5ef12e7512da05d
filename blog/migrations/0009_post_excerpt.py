"""Posts keep the start of their text as plain text, the summary feeds and meta descriptions
use where a post has no description. Existing posts get it from the HTML they already store,
with the function saving uses."""

from django.db import migrations, models

from blog.rendering import excerpt

BATCH_SIZE = 500


def store_excerpts(apps, schema_editor):
    # In batches by primary key: no batch holds the whole table, and none reads rows it is
    # writing (SQLite does not isolate a cursor from writes on the same connection).
    Post = apps.get_model("blog", "Post")
    last_pk = 0
    while batch := list(
        Post.objects.filter(pk__gt=last_pk)
        .order_by("pk")
        .values_list("pk", "body_html")[:BATCH_SIZE]
    ):
        posts = [Post(pk=pk, excerpt=excerpt(body_html)) for pk, body_html in batch]
        Post.objects.bulk_update(posts, ["excerpt"])
        last_pk = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_table_alignment_classes"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="excerpt",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="The start of the body as plain text: the summary where there is no "
                "description.",
                max_length=300,
            ),
        ),
        migrations.RunPython(store_excerpts, migrations.RunPython.noop),
    ]
