"""The discussions' provider for a revised text: what it hands over, and how it
puts every annotation where the revision placed it."""

import pytest
from django.utils import timezone

from discussions.models import Annotation
from discussions.revisions import collect, move
from discussions.services import post_annotation
from groups.models import Assignment
from groups.services import assign_reading, create_group
from readings.attached import PROVIDERS, Placed
from tests.conftest import make_annotation


def revise(reading, doomed):
    """What the publishing service does around move(): the surviving passages
    first, in order; the others parked after them, deleted once move() is done."""
    survivors = [p for p in reading.passages.order_by("position") if p not in doomed]
    for n, passage in enumerate([*doomed, *survivors]):
        passage.position = 1000 + n
        passage.save(update_fields=["position"])
    for n, passage in enumerate(survivors, start=1):
        passage.position = n
        passage.save(update_fields=["position"])
    reading.revision += 1
    reading.save(update_fields=["revision"])


@pytest.mark.django_db
def test_collect_hands_over_every_thread_without_its_words_or_author(
    group, member, facilitator, assigned_reading
):
    question = make_annotation(group, assigned_reading, member, body="Secret body", words="worth")
    note = make_annotation(group, assigned_reading, member, kind="note", body="Mine")
    gone = make_annotation(group, assigned_reading, facilitator, kind="comment")
    gone.deleted = timezone.now()
    gone.save(update_fields=["deleted"])
    post_annotation(
        group=group,
        reading=assigned_reading,
        passage=assigned_reading.passages.first(),
        kind="question",
        body="On the whole reading",
        author=facilitator,
        selector=None,
        whole_reading=True,
    )
    attached = {a.key: a for a in collect(assigned_reading)}
    assert set(attached) == {f"annotation:{a.pk}" for a in (question, note, gone)}
    assert attached[f"annotation:{question.pk}"].label == f"Question {question.pk}"
    assert attached[f"annotation:{note.pk}"].label == "Private note"
    assert attached[f"annotation:{gone.pk}"].label == f"Comment {gone.pk}"
    words = attached[f"annotation:{question.pk}"]
    assert (words.group, words.exact, words.start) == ("Night readers", "worth", question.start)
    text = repr(list(attached.values()))
    assert "Secret body" not in text and "Maya" not in text
    assert any(provider.collect is collect for provider in PROVIDERS)


@pytest.mark.django_db
def test_move_keeps_moves_and_orphans_and_bumps_versions(
    group, member, facilitator, organizer, assigned_reading
):
    first, second, third = assigned_reading.passages.order_by("position")
    kept = make_annotation(group, assigned_reading, member, passage=second, words="says")
    moved = make_annotation(group, assigned_reading, member, passage=third, words="worth")
    lost = make_annotation(group, assigned_reading, member, passage=first, words="something")
    whole = post_annotation(
        group=group,
        reading=assigned_reading,
        passage=first,
        kind="question",
        body="On the whole reading",
        author=facilitator,
        selector=None,
        whole_reading=True,
    )
    # Another group reads it too, and took it off its syllabus since.
    other = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(group=other, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    theirs = make_annotation(other, assigned_reading, organizer, passage=first)
    Assignment.objects.filter(group=other).delete()
    before = {a.pk: a.version for a in Annotation.objects.all()}

    revise(assigned_reading, doomed=[first])
    move(
        assigned_reading,
        {
            f"annotation:{kept.pk}": Placed(
                "kept", second.pk, kept.start, kept.end, kept.exact, kept.prefix, kept.suffix
            ),
            f"annotation:{moved.pk}": Placed("moved", second.pk, 3, 8, "worth", "abc", "x" * 40),
            f"annotation:{lost.pk}": Placed("orphaned", second.pk, None, None, "something", "", ""),
            f"annotation:{theirs.pk}": Placed("moved", third.pk, None, None, "", "", ""),
        },
    )
    first.delete()  # as publishing does: nothing moved is lost with it

    after = {a.pk: a for a in Annotation.objects.all()}
    assert set(after) == set(before)
    assert all(after[pk].version > version for pk, version in before.items())
    assert (after[kept.pk].passage_id, after[kept.pk].start, after[kept.pk].orphaned) == (
        second.pk,
        kept.start,
        None,
    )
    got = after[moved.pk]
    assert (got.passage_id, got.start, got.end, got.exact, got.prefix) == (
        second.pk,
        3,
        8,
        "worth",
        "abc",
    )
    assert got.suffix == "x" * 32  # the context a selector keeps
    orphan = after[lost.pk]
    assert (orphan.orphaned, orphan.start, orphan.end, orphan.exact) == (2, None, None, "something")
    assert after[whole.pk].passage_id == second.pk  # the new version's first passage
    assert after[theirs.pk].passage_id == third.pk
    assert Assignment.objects.get(group=group).discussion_version == after[kept.pk].version


@pytest.mark.django_db
def test_an_orphan_keeps_its_quote_and_revision_through_the_next_revision(
    group, member, assigned_reading
):
    first, second, _ = assigned_reading.passages.order_by("position")
    orphan = make_annotation(group, assigned_reading, member, passage=first)
    Annotation.objects.filter(pk=orphan.pk).update(orphaned=2, exact="lost words")
    assigned_reading.revision = 2
    (handed,) = collect(assigned_reading)
    # Handed over as an orphan, with its old quote: only its passage is carried.
    assert (handed.orphaned, handed.start, handed.exact) == (True, None, "lost words")

    revise(assigned_reading, doomed=[first])
    move(
        assigned_reading,
        {handed.key: Placed("orphaned", second.pk, None, None, "", "", "")},
    )
    orphan.refresh_from_db()
    assert (orphan.passage_id, orphan.orphaned, orphan.exact) == (second.pk, 2, "lost words")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 1500])
def test_move_writes_in_a_few_queries_however_many_threads(
    group, member, assigned_reading, django_assert_num_queries, count
):
    first = assigned_reading.passages.first()
    Annotation.objects.bulk_create(
        Annotation(group=group, reading=assigned_reading, passage=first, kind="comment",
                   body="b", body_html="b", author=member, exact="worth", start=34, end=39)
        for _ in range(count)
    )  # fmt: skip
    placed = {
        a.key: Placed("moved", first.pk, 0, 7, "Passage", "", " n")
        for a in collect(assigned_reading)
    }
    # the first passage, the threads, the group's version (bumped, then read), and
    # one write per thousand threads
    with django_assert_num_queries(4 + (count + 999) // 1000):
        move(assigned_reading, placed)
    assert set(Annotation.objects.values_list("start", "exact", "suffix")) == {(0, "Passage", " n")}
