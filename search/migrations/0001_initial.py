"""The full-text indexes over passages, annotations and replies.

PostgreSQL: a generated column, `search_vector`, holding each text's
`to_tsvector('english', …)`, under a GIN index: the database keeps it in step
with no code on the write path, and ranking reads it instead of parsing every
matching text again (which took seconds for a common word in 100,000 posts).
The models do not name the column; search/engine.py reads it. SQLite: FTS5
tables over the same columns (external content: the text is stored once), kept
in step by triggers. A later migration that makes Django rebuild one of these
tables on SQLite drops its triggers with it: tests/search/test_index.py then
fails, and this migration's SQL must be run again after it.
"""

from django.db import migrations

# (FTS5 table, indexed table, column)
INDEXED = [
    ("search_passage_fts", "readings_passage", "text"),
    ("search_annotation_fts", "discussions_annotation", "body"),
    ("search_reply_fts", "discussions_reply", "body"),
]


def sqlite_sql(fts: str, table: str, column: str) -> list[str]:
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', content_rowid='id',"
        " tokenize='porter unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        # Only a change of the text: counters and versions change far more often.
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table}"
        f" BEGIN {delete} {insert} END",
    ]


def postgresql_sql(fts: str, table: str, column: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
        f" (to_tsvector('english'::regconfig, COALESCE({column}, ''))) STORED",
        f"CREATE INDEX {fts}_gin ON {table} USING gin (search_vector)",
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for names in INDEXED:
        for sql in {"sqlite": sqlite_sql, "postgresql": postgresql_sql}[vendor](*names):
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    for fts, table, _ in INDEXED:
        if schema_editor.connection.vendor == "sqlite":
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE {fts}")
        else:
            schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0001_initial"),
        ("discussions", "0003_whats_new"),
    ]

    operations = [migrations.RunPython(create, drop)]
