"""How a reading is cut into parts (readings/parts.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readings import parts as reading_parts
from readings.models import Passage
from readings.parts import PART_MIN, PART_SIZE, part_at, parts_of, split
from tests.conftest import make_reading

HEADING, PARAGRAPH = Passage.Kind.HEADING, Passage.Kind.PARAGRAPH


def outline(kinds: list[str], start: int = 1) -> list[tuple[int, str, str]]:
    return [(start + n, kind, f"Heading {n}") for n, kind in enumerate(kinds)]


@given(st.lists(st.sampled_from([HEADING, PARAGRAPH, PARAGRAPH, PARAGRAPH]), max_size=700))
def test_parts_take_every_passage_once_in_order_and_stay_small(kinds):
    rows = outline(kinds, start=7)
    parts = split(rows)
    positions = [position for position, _, _ in rows]
    covered = [p for part in parts for p in positions if part.first <= p <= part.last]
    assert covered == positions
    assert [part.number for part in parts] == list(range(1, len(parts) + 1))
    for part, following in zip(parts, parts[1:], strict=False):
        assert part.size <= PART_SIZE
        # A part ends early only where a heading begins the next one.
        if part.size < PART_SIZE:
            assert rows[following.first - 7][1] == HEADING
            assert part.size >= PART_MIN
    for part in parts:
        assert part_at(parts, part.first) == part_at(parts, part.last) == part
        opens_with_heading = rows[part.first - 7][1] == HEADING
        assert part.title == (rows[part.first - 7][2] if opens_with_heading else "")


def test_chapters_begin_parts_once_the_part_before_is_long_enough():
    kinds = ([HEADING] + [PARAGRAPH] * 9) * 3 + ([HEADING] + [PARAGRAPH] * 49) * 2
    parts = split(outline(kinds))
    # Three short chapters share the first part; each long one starts its own.
    assert [(p.first, p.last, p.title) for p in parts] == [
        (1, 30, "Heading 0"),
        (31, 80, "Heading 30"),
        (81, 130, "Heading 80"),
    ]
    assert parts[0].label == "Part 1: Heading 0"


def test_a_text_without_headings_comes_in_hundreds():
    parts = split(outline([PARAGRAPH] * 250))
    assert [(p.first, p.last, p.size, p.label) for p in parts] == [
        (1, 100, 100, "Part 1"),
        (101, 200, 100, "Part 2"),
        (201, 250, 50, "Part 3"),
    ]
    assert split([]) == []


@pytest.mark.django_db
def test_parts_follow_a_revised_text(django_assert_num_queries):
    reading = make_reading(passages=150)
    with django_assert_num_queries(1):
        assert [p.last for p in parts_of(reading)] == [100, 150]
    with django_assert_num_queries(0):  # kept in the cache under the revision
        parts_of(reading)
    reading.passages.filter(position__gt=120).delete()
    reading.revision += 1
    reading.save(update_fields=["revision"])
    assert [p.last for p in parts_of(reading)] == [100, 120]


@pytest.mark.django_db
def test_a_parts_outline_follows_a_revised_text(django_assert_num_queries):
    reading = make_reading(passages=150)
    second = parts_of(reading)[1]
    with django_assert_num_queries(1):
        rows = reading_parts.outline(reading, second)
    assert [row.position for row in rows] == list(range(101, 151))
    with django_assert_num_queries(0):  # kept in the cache under the revision
        reading_parts.outline(reading, second)
    reading.passages.filter(position=101).update(text="Rewritten")
    reading.revision += 1
    reading.save(update_fields=["revision"])
    assert reading_parts.outline(reading, second)[0].text == "Rewritten"
