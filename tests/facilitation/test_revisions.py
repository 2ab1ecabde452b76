"""Agenda items carried through a revised text by facilitation's provider."""

import pytest

from facilitation.models import AgendaItem
from facilitation.services import add_agenda_item
from readings.services import publish_revision, upload_revision


def revise(reading, data: bytes):
    return publish_revision(
        revision=upload_revision(reading=reading, data=data, filename="revised.txt")
    )


@pytest.mark.django_db
def test_agenda_item_on_surviving_words_moves_with_them(group, assigned_reading):
    passage = assigned_reading.passages.get(position=1)
    item = add_agenda_item(
        group=group,
        reading=assigned_reading,
        text="Why?",
        minutes=5,
        passage=passage,
        seen_version=0,
    )
    start = passage.text.index("worth")
    AgendaItem.objects.filter(pk=item.pk).update(start=start, end=start + 5, exact="worth")
    revised = b"A new first paragraph, inserted.\n\n" + b"\n\n".join(
        p.text.replace("Passage", "The passage").encode() for p in assigned_reading.passages.all()
    )
    moved = revise(assigned_reading, revised)

    item.refresh_from_db()
    assert item.passage_id == passage.pk
    assert item.passage.text[item.start : item.end] == "worth" == item.exact
    assert moved[f"agenda:{item.pk}"].outcome == "moved"


@pytest.mark.django_db
def test_agenda_item_whose_words_are_gone_stays_on_the_nearest_passage(group, assigned_reading):
    passage = assigned_reading.passages.get(position=2)
    item = AgendaItem.objects.create(
        group=group, reading=assigned_reading, position=1, text="Why?", passage=passage,
        start=0, end=7, exact="Passage",
    )  # fmt: skip
    texts = list(assigned_reading.passages.values_list("text", flat=True))
    texts[1] = "Entirely rewritten, nothing of the old words remains here at all."
    moved = revise(assigned_reading, "\n\n".join(texts).encode())

    item.refresh_from_db()
    assert moved[f"agenda:{item.pk}"].outcome == "orphaned"
    assert item.passage.reading_id == assigned_reading.pk
    assert (item.start, item.end, item.exact) == (None, None, "")


@pytest.mark.django_db
def test_an_item_on_no_passage_is_left_alone(group, assigned_reading):
    item = add_agenda_item(
        group=group, reading=assigned_reading, text="In general?", minutes=5, seen_version=0
    )
    moved = revise(assigned_reading, b"One new paragraph, all there is now.")
    item.refresh_from_db()
    assert item.passage is None and f"agenda:{item.pk}" not in moved
