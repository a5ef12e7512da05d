"""The search vector's title, description and tags (weights A and B) as a column of its own,
which search results are ranked by, with a GIN index; PostgreSQL keeps it from `search_vector`.

SQLite has no full-text vectors: there the column is always empty (a virtual column of NULL),
as `search_vector` is. The model state is the same on both.
"""

import django.contrib.postgres.search
from django.db import migrations, models

INDEX = "blog_post_search_rank_vector_gin"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE blog_post ADD COLUMN search_rank_vector tsvector "
            "GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {INDEX} ON blog_post USING GIN (search_rank_vector)")
    else:
        schema_editor.execute(
            "ALTER TABLE blog_post ADD COLUMN search_rank_vector tsvector "
            "GENERATED ALWAYS AS (NULL) VIRTUAL"
        )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE blog_post DROP COLUMN search_rank_vector")


class Migration(migrations.Migration):
    dependencies = [("blog", "0010_demo_posts_loaded")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column, elidable=False)],
            state_operations=[
                migrations.AddField(
                    model_name="post",
                    name="search_rank_vector",
                    field=models.GeneratedField(
                        db_persist=True,
                        editable=False,
                        expression=models.Func(
                            models.F("search_vector"),
                            function="ts_filter",
                            template="%(function)s(%(expressions)s, '{a,b}')",
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(null=True),
                    ),
                ),
            ],
        ),
    ]
