"""Writing the same columns of many rows at once, without bulk_update()'s CASE per row.

`QuerySet.bulk_update()` writes one UPDATE whose every column is a CASE with a WHEN per row.
Building and compiling those expressions cost Django more than the database took to run them:
a fifth of an import's saving time went there (three of them per batch of 100 posts). Here the
UPDATE of one row is written once and sent with each row's values (executemany, which psycopg
pipelines): the same statements on every database, one round trip, no expressions.
"""

from django.db import connections, router, transaction


def update_rows(objects, fields):
    """Write `fields` (names of concrete, non-key fields) of each of `objects` (saved
    instances of one model) to its row, as bulk_update() does: values as they are, no
    pre_save() (auto_now fields are not touched), no signals; all rows or none. One
    statement, counted once."""
    objects = sorted(objects, key=lambda obj: obj.pk)  # rows locked in one order
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    for field in columns:
        if not field.concrete or field.primary_key or field.many_to_many:
            raise ValueError(f"update_rows() writes a row's own columns, not {field.name}")
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = []
    for obj in objects:
        values = [getattr(obj, field.attname) for field in columns]
        if any(hasattr(value, "resolve_expression") for value in values):
            raise ValueError("update_rows() writes values, not expressions")
        pairs = zip(columns, values, strict=True)
        prepared = [field.get_db_prep_save(value, connection) for field, value in pairs]
        rows.append([*prepared, meta.pk.get_db_prep_save(obj.pk, connection)])
    with transaction.atomic(using=alias, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, rows)  # all of them or, should one fail, none
