"""The full-text indexes follow every write, and the searches use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.models import Annotation
from discussions.services import edit_post, post_reply
from search.engine import ANNOTATION, searchable
from tests.conftest import make_annotation, signed_in


def finds(client, word: str) -> bool:
    return "1 match" in client.get("/search/", {"q": word, "kind": "question"}).text


@pytest.mark.django_db
def test_edits_and_deletions_reach_the_index(client, member, group, assigned_reading):
    signed_in(client, member)
    question = make_annotation(group, assigned_reading, member, body="About the harbour")
    post_reply(annotation=question, parent=None, body="And the pier", author=member)
    assert finds(client, "harbour")
    edit_post(post=question, body="About the estuary")
    assert finds(client, "estuary") and not finds(client, "harbour")
    Annotation.objects.filter(pk=question.pk).delete()  # replies go with it
    assert not finds(client, "estuary")
    if connection.vendor == "sqlite":
        # FTS5 compares its index with the tables it indexes: they must agree.
        with connection.cursor() as cursor:
            for fts in ("search_passage_fts", "search_annotation_fts", "search_reply_fts"):
                cursor.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN indexes")
def test_postgresql_matches_through_the_gin_index(member, group, assigned_reading):
    from search.engine import ranked_postgresql

    table = searchable(member)[ANNOTATION]
    with CaptureQueriesContext(connection) as queries:
        ranked_postgresql(table, ANNOTATION, ["harbour"])
    with connection.cursor() as cursor:
        # A handful of rows makes a scan cheaper, or a walk along another index
        # (which one depends on statistics earlier tests left): forbid both, to see
        # the search condition itself can be served by the GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_annotation_fts_gin" in plan, plan
