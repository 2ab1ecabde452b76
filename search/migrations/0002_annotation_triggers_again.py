"""discussions 0004 changed a constraint of discussions_annotation, which makes
Django rebuild that table on SQLite, and its search triggers went with it:
they are made again here, and its index rebuilt. PostgreSQL kept its column."""

from importlib import import_module

from django.db import migrations

first = import_module("search.migrations.0001_initial")

TABLE = ("search_annotation_fts", "discussions_annotation", "body")


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    fts = TABLE[0]
    for trigger in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
    schema_editor.execute(f"DROP TABLE {fts}")
    for sql in first.sqlite_sql(*TABLE):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("discussions", "0004_annotation_orphaned"),
    ]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
