import pytest

from readings.importers import ImportProblem
from readings.models import Passage, Reading
from readings.services import import_reading, passage_anchors

ARTICLE = b"A title\n\nFirst paragraph.\n\nSecond <b>paragraph</b> & more.\n\nFirst paragraph."


@pytest.mark.django_db
def test_import_creates_a_draft_with_ordered_passages():
    reading = import_reading(data=ARTICLE, filename="a.txt")
    assert reading.status == Reading.Status.DRAFT
    assert reading.title == "A title"
    assert reading.slug == "a-title"
    passages = list(reading.passages.all())
    assert [p.position for p in passages] == [1, 2, 3]
    assert passages[1].text == "Second <b>paragraph</b> & more."
    assert passages[1].html == "Second &lt;b&gt;paragraph&lt;/b&gt; &amp; more."


@pytest.mark.django_db
def test_overrides_and_unique_slugs():
    first = import_reading(data=ARTICLE, filename="a.txt", title="Same", author="Ann")
    second = import_reading(data=ARTICLE, filename="a.txt", title="Same")
    assert (first.slug, second.slug) == ("same", "same-2")
    assert first.author == "Ann"


@pytest.mark.django_db
def test_title_falls_back_to_the_file_name():
    reading = import_reading(
        data=b"A long first paragraph that ends with a period.", filename="my_notes.txt"
    )
    assert reading.title == "My notes"


def test_anchors_are_stable_short_and_unique():
    texts = ["Alpha.", "Beta.", "Alpha."]
    anchors = passage_anchors(texts)
    assert len(set(anchors)) == 3
    assert all(a.startswith("p-") and len(a) == 8 for a in anchors)
    # Revising the text around a passage leaves its anchor alone.
    revised = passage_anchors(["New opening.", "Beta.", "Alpha.", "Alpha."])
    assert anchors[1] == revised[1]
    assert anchors[0] == revised[2] and anchors[2] == revised[3]


@pytest.mark.django_db
def test_too_large_is_refused_and_nothing_is_created(settings):
    settings.READING_MAX_BYTES = 100
    with pytest.raises(ImportProblem, match="largest reading accepted is 1 KB"):
        import_reading(data=b"x" * 101, filename="big.txt")
    assert not Reading.objects.exists()


@pytest.mark.django_db
def test_a_failed_write_leaves_nothing_behind(monkeypatch):
    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Passage.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        import_reading(data=ARTICLE, filename="a.txt")
    assert not Reading.objects.exists()
