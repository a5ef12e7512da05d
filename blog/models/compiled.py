"""The post page's one query, compiled once per process and database.

Building and compiling `Post.objects.published().for_post_page().filter(slug=…)` took Django
0.36 ms of a post page's 0.7 ms lookup, more than the database took to answer it, and it is the
same SQL every time but for two values: the slug and the time. So it is compiled once, with
stand-ins for those two, and run with the real ones in their places.

PostgreSQL, given the SQL as text, parsed and planned it for every page: 0.37 ms, three times
what running it took. So on PostgreSQL it is a prepared statement, prepared once on each
connection by psycopg (connection.prepared_cursor(), config/postgresql/base.py; the README
asks for session pooling behind PgBouncer).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections, router
from django.db.models.query import get_related_populators

# Stand-ins no real request has: their places among the compiled query's parameters are where
# the slug and the time go.
SLUG = "\x00slug\x00"
NOW = datetime(1970, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: tuple
    slug_at: int  # where the slug goes among the parameters
    now_at: int  # and the time
    start: int  # where the post's own columns are in a row
    end: int
    columns: list  # their attribute names
    fetch_mode: object
    converters: dict  # what Django does to a row's values (JSON decoded, and so on)
    joined: list  # what fills in the joined rows (the featured image)


_compiled = {}  # database alias → Compiled


def published_post_page(model, slug):
    """The published post at `slug` with the columns its page shows, or None."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    if alias not in _compiled:
        _compiled[alias] = _compile(model, alias)
    compiled = _compiled[alias]
    params = list(compiled.params)
    params[compiled.slug_at] = slug
    params[compiled.now_at] = connection.ops.adapt_datetimefield_value(datetime.now(UTC))
    prepared = connection.vendor == "postgresql"
    with connection.prepared_cursor() if prepared else connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    for place, (functions, expression) in compiled.converters.items():
        for function in functions:
            row[place] = function(row[place], expression, connection)
    post = model.from_db(
        alias, compiled.columns, row[compiled.start : compiled.end], fetch_mode=compiled.fetch_mode
    )
    for populator in compiled.joined:
        populator.populate(row, post)
    return post


def _compile(model, alias):
    queryset = model._default_manager.published(now=NOW).for_post_page().filter(slug=SLUG)
    compiler = queryset.query.get_compiler(alias)
    sql, params = compiler.as_sql()
    now = connections[alias].ops.adapt_datetimefield_value(NOW)
    slug_at = [place for place, value in enumerate(params) if value == SLUG]
    now_at = [place for place, value in enumerate(params) if value == now]
    if len(slug_at) != 1 or len(now_at) != 1:
        raise RuntimeError(f"the post page's query has changed shape: {sql}")
    select, klass_info = compiler.select, compiler.klass_info
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return Compiled(
        sql=sql,
        params=tuple(params),
        slug_at=slug_at[0],
        now_at=now_at[0],
        start=start,
        end=end,
        columns=[column.target.attname for column, _, _ in select[start:end]],
        fetch_mode=queryset._fetch_mode,
        converters=compiler.get_converters([column for column, _, _ in select]),
        joined=get_related_populators(klass_info, select, alias, queryset._fetch_mode),
    )
