"""The full-text indexes over passages, annotations and replies.

PostgreSQL: GIN indexes on the very expression the search queries use
(`SearchVector(column, config="english")`), so the database keeps them in step
with no code on the write path. SQLite: FTS5 tables over the same columns
(external content: the text is stored once), kept in step by triggers. A later
migration that makes Django rebuild one of these tables on SQLite drops its
triggers with it: tests/search/test_index.py then fails, and this migration's
SQL must be run again after it.
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
        f"CREATE INDEX {fts}_gin ON {table} USING gin"
        f" (to_tsvector('english'::regconfig, COALESCE({column}, '')))"
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for names in INDEXED:
        for sql in {"sqlite": sqlite_sql, "postgresql": postgresql_sql}[vendor](*names):
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    for fts, _, _ in INDEXED:
        if schema_editor.connection.vendor == "sqlite":
            for trigger in ("insert", "delete", "update"):
                schema_editor.execute(f"DROP TRIGGER {fts}_{trigger}")
            schema_editor.execute(f"DROP TABLE {fts}")
        else:
            schema_editor.execute(f"DROP INDEX {fts}_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0001_initial"),
        ("discussions", "0002_annotation_whole_reading"),
    ]

    operations = [migrations.RunPython(create, drop)]
