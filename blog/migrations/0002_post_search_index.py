"""A GIN index on the stored search vector, on PostgreSQL only.

SQLite has no GIN indexes (and no full-text vectors): there the search falls back to plain
matching, so the index is simply not created. The model state is unaffected either way.
"""

from django.db import migrations

INDEX = "blog_post_search_vector_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON blog_post USING GIN (search_vector)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
