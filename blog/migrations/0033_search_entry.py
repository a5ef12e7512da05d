"""Search entries (blog/models/search_entries.py): what search reads of each post, out of the
wide posts table. On PostgreSQL:

- each post's entry, with its search vector moved from the posts table;
- `search_rank_vector` (the vector's title, description and tags, weights A and B, which
  results are ranked by) and the GIN indexes over byline_search_document() of both vectors, as
  migration 0013 made them on the posts table, which loses them;
- the trigger that keeps each entry's status, kind and publish time those of its post.

SQLite has no full-text search and keeps no entries.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

ENTRY = "blog_searchentry"
POST = "blog_post"
RANK_COLUMN = (
    "search_rank_vector tsvector GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED"
)
INDEXES = {  # name: vector
    "search_entry_rank_vector_gin": "search_rank_vector",
    "search_entry_document_gin": "search_vector",
}
POST_INDEXES = {  # migration 0013's
    "blog_post_search_rank_vector_gin": "search_rank_vector",
    "blog_post_search_document_gin": "search_vector",
}
# After the post's row is written: its entry's copy of what says whether readers may see it.
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION byline_search_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {ENTRY} (post_id, status, kind, publish_at)
    VALUES (NEW.id, NEW.status, NEW.kind, NEW.publish_at)
    ON CONFLICT (post_id) DO UPDATE
    SET status = EXCLUDED.status, kind = EXCLUDED.kind, publish_at = EXCLUDED.publish_at;
    RETURN NULL;
END $$
"""
TRIGGERS = [
    f"CREATE TRIGGER byline_search_entry_insert AFTER INSERT ON {POST} "
    "FOR EACH ROW EXECUTE FUNCTION byline_search_entry()",
    f"CREATE TRIGGER byline_search_entry_update AFTER UPDATE OF status, kind, publish_at "
    f"ON {POST} FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
    "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.publish_at IS DISTINCT FROM NEW.publish_at) "
    "EXECUTE FUNCTION byline_search_entry()",
]


def _gin(table, name, column):
    return f"CREATE INDEX {name} ON {table} USING GIN (byline_search_document({column}))"


def make_entries(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(
        f"INSERT INTO {ENTRY} (post_id, status, kind, publish_at, search_vector) "
        f"SELECT id, status, kind, publish_at, search_vector FROM {POST}"
    )
    run(f"ALTER TABLE {ENTRY} ADD COLUMN {RANK_COLUMN}")
    for name, column in INDEXES.items():
        run(_gin(ENTRY, name, column))
    run(TRIGGER_FUNCTION)
    for trigger in TRIGGERS:
        run(trigger)
    for name in POST_INDEXES:
        run(f"DROP INDEX IF EXISTS {name}")
    run(f"ALTER TABLE {POST} DROP COLUMN search_rank_vector")
    run(f"ANALYZE {ENTRY}")


def put_vectors_back(apps, schema_editor):
    """Back to 0032: the vectors on the posts table (its search_vector column is back by now)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    run(f"DROP TRIGGER IF EXISTS byline_search_entry_insert ON {POST}")
    run(f"DROP TRIGGER IF EXISTS byline_search_entry_update ON {POST}")
    run("DROP FUNCTION IF EXISTS byline_search_entry()")
    run(
        f"UPDATE {POST} SET search_vector = entry.search_vector FROM {ENTRY} entry "
        f"WHERE entry.post_id = {POST}.id"
    )
    run(f"ALTER TABLE {POST} ADD COLUMN {RANK_COLUMN}")
    for name, column in POST_INDEXES.items():
        run(_gin(POST, name, column))


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0032_passage"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "post",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="blog.post",
                    ),
                ),
                ("status", models.CharField(max_length=16)),
                ("kind", models.CharField(max_length=8)),
                ("publish_at", models.DateTimeField()),
                ("search_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
            options={
                "verbose_name_plural": "search entries",
                "indexes": [
                    models.Index(fields=["status", "-publish_at"], name="search_entry_visible_idx")
                ],
            },
        ),
        migrations.RunPython(make_entries, put_vectors_back),
        migrations.RemoveField(
            model_name="post",
            name="search_vector",
        ),
    ]
