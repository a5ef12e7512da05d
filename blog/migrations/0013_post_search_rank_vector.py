"""Search at any size (PostgreSQL; see blog/models/cards.py, SearchCards):

- the search vector's title, description and tags (weights A and B) as a column of its own,
  which results are ranked by; PostgreSQL keeps it from `search_vector`;
- GIN indexes on both over byline_search_document(vector): the vector itself, through a
  function marked costly, so that the planner finds matches with the index instead of reading
  a few kilobytes of vector per post it walks by date. The whole vector's replaces 0002's index
  on the bare column, which searches no longer use.

The column is not a model field (Django would write it, and a GeneratedField makes `check`
connect to the database): only SearchCards (blog/models/cards.py) reads it. SQLite has no
full-text vectors and gets none of this.
"""

from django.db import migrations

INDEX = "blog_post_search_rank_vector_gin"
DOCUMENT_INDEX = "blog_post_search_document_gin"
OLD_INDEX = "blog_post_search_vector_gin"  # 0002
# PL/pgSQL, so the planner cannot inline it away; COST 10000 makes testing a row with it look
# as dear as it is (detoasting the vector), where the built-in match operator costs 1.
DOCUMENT_FUNCTION = """
CREATE OR REPLACE FUNCTION byline_search_document(document tsvector) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10000
AS $$ BEGIN RETURN document; END $$
"""


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE blog_post ADD COLUMN search_rank_vector tsvector "
            "GENERATED ALWAYS AS (ts_filter(search_vector, '{a,b}')) STORED"
        )
        schema_editor.execute(DOCUMENT_FUNCTION)
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON blog_post "
            "USING GIN (byline_search_document(search_rank_vector))"
        )
        schema_editor.execute(
            f"CREATE INDEX {DOCUMENT_INDEX} ON blog_post "
            "USING GIN (byline_search_document(search_vector))"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {DOCUMENT_INDEX}")
        schema_editor.execute("DROP FUNCTION IF EXISTS byline_search_document(tsvector)")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON blog_post USING GIN (search_vector)"
        )
        schema_editor.execute("ALTER TABLE blog_post DROP COLUMN search_rank_vector")


class Migration(migrations.Migration):
    dependencies = [("blog", "0012_backfill_stored_blocks")]

    operations = [migrations.RunPython(add_column, drop_column, elidable=False)]
