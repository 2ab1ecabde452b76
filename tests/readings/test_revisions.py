"""Revising a published reading: upload a new text, review what it changes and
where each group's things go, publish or discard it, read the history."""

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webtest import Upload

from facilitation.models import AgendaItem
from groups.models import Group
from readings.attached import PROVIDERS
from readings.models import Passage, Reading, Revision
from readings.services import RevisionRefused, publish_revision, upload_revision
from tests.conftest import browsing_as, form_with, make_annotation, make_reading

# make_reading's text with passage 2 edited, a passage inserted and passage 3 removed.
REVISED = (
    b"Passage number 1 says something worth discussing.\n\n"
    b"Passage number 2 says something rather different, worth discussing.\n\n"
    b"A passage the first edition left out, restored here.\n"
)


def texts(reading) -> list[str]:
    return list(reading.passages.values_list("text", flat=True))


def draft_of(reading, data=REVISED, **fields) -> Revision:
    return upload_revision(reading=reading, data=data, filename="revised.txt", **fields)


@pytest.fixture
def item(group, assigned_reading):
    """The facilitator's question on "something worth" in passage 3."""
    passage = assigned_reading.passages.get(position=3)
    start = passage.text.index("something worth")
    return AgendaItem.objects.create(
        group=group,
        reading=assigned_reading,
        position=1,
        text="A secret question of the group",
        passage=passage,
        start=start,
        end=start + len("something worth"),
        exact="something worth",
    )


@pytest.mark.django_db
def test_staff_upload_review_and_publish_through_the_pages(
    django_app, staff, group, member, assigned_reading, item
):
    second = assigned_reading.passages.get(position=2)
    question = make_annotation(
        group, assigned_reading, member, body="A private body", passage=second, words="says"
    )
    browsing_as(django_app, staff)
    page = django_app.get(reverse("readings:preview", args=[assigned_reading.slug]))
    form = form_with(page, "Upload a revised text")
    form["file"] = Upload("revised.txt", REVISED, "text/plain")
    review = form.submit().follow().follow()  # by the upload's status page

    assert "Uploaded. Check what it changes, then publish it." in review
    counts = " ".join(review.html.select_one(".revision-counts").text.split())
    assert counts == "1 passage added, 1 removed, 1 edited, 1 unchanged."
    edited = review.html.select_one(".change--edited")
    assert edited.find("ins") is not None
    assert "restored here" in review.html.select_one(".change--added").text
    # Staff see each group's things by the labels providers give, never their text.
    assert "Night readers" in review and "Agenda item 1" in review
    assert "A secret question" not in review and "A private body" not in review
    assert member.display_name not in review
    assert texts(assigned_reading)[2] == "Passage number 3 says something worth discussing."

    published = form_with(review, "Publish this revision").submit().follow()
    assert "Version 2 is published." in published
    assigned_reading.refresh_from_db()
    assert assigned_reading.revision == 2
    assert texts(assigned_reading) == REVISED.decode().strip().split("\n\n")
    # The edited passage kept its row and anchor: links and threads to it hold.
    assert assigned_reading.passages.get(position=2).pk == second.pk
    question.refresh_from_db()
    assert question.passage_id == second.pk
    # Passage 3's words are gone: the agenda item stays near, about the whole passage.
    item.refresh_from_db()
    assert item.passage.reading_id == assigned_reading.pk
    assert (item.start, item.end, item.exact) == (None, None, "")

    history = published.click("Revision history")
    rows = history.html.select("tbody tr")
    assert [row.td.text.split()[:2] for row in rows] == [["Version", "2"], ["Version", "1"]]
    changes = " ".join(rows[0].select("td")[-1].text.split())
    assert changes.startswith("1 added, 1 removed, 1 edited;")
    assert changes.endswith("0 moved, 1 orphaned")
    old = history.click("Version 1", index=0)
    assert "Passage number 3 says something worth discussing." in old
    assert "Publish this revision" not in old


@pytest.mark.django_db
def test_discard_on_the_rendered_page(django_app, staff, assigned_reading):
    revision = draft_of(assigned_reading)
    browsing_as(django_app, staff)
    page = django_app.get(revision.get_absolute_url())
    after = form_with(page, "Discard this draft").submit().follow()
    assert "The draft of version 2 was discarded." in after
    assert not Revision.objects.exists()
    assert texts(assigned_reading)[1].startswith("Passage number 2 says something worth")


@pytest.mark.django_db
def test_publishing_twice_is_refused(staff_client, assigned_reading):
    revision = draft_of(assigned_reading)
    url = reverse("readings:publish_revision", args=[assigned_reading.slug, 2])
    staff_client.post(url)
    response = staff_client.post(url, follow=True)
    assert "Version 2 is already published." in response.content.decode()
    assigned_reading.refresh_from_db()
    assert assigned_reading.revision == 2
    assert Revision.objects.filter(reading=assigned_reading).count() == 2
    with pytest.raises(RevisionRefused):
        publish_revision(revision=revision)


@pytest.mark.django_db
def test_a_thread_posted_on_a_removed_passage_while_publishing_stops_it(
    monkeypatch, group, member, assigned_reading
):
    """A thread the revision did not collect (posted after it looked) is on a
    passage it removes: publishing stops, and nothing changes, that thread least."""
    from discussions.revisions import PROVIDER

    late = make_annotation(
        group, assigned_reading, member, passage=assigned_reading.passages.get(position=3)
    )
    blind = [replace(p, collect=lambda reading: []) if p is PROVIDER else p for p in PROVIDERS]
    monkeypatch.setattr("readings.services.PROVIDERS", blind)
    revision = draft_of(assigned_reading)
    before = texts(assigned_reading)

    with pytest.raises(RevisionRefused, match="Someone posted on a passage this revision removes"):
        publish_revision(revision=revision)
    assigned_reading.refresh_from_db()
    assert (assigned_reading.revision, texts(assigned_reading)) == (1, before)
    late.refresh_from_db()
    assert late.passage.position == 3
    revision.refresh_from_db()
    assert revision.is_draft


@pytest.mark.django_db
def test_a_stale_draft_cannot_be_published(staff_client, assigned_reading):
    first = draft_of(assigned_reading)
    second = draft_of(assigned_reading, data=REVISED + b"\nOne more paragraph here.\n")
    assert (first.number, second.number) == (2, 3)
    publish_revision(revision=second)
    before = texts(assigned_reading)

    page = staff_client.get(first.get_absolute_url()).content.decode()
    assert "version 3 has been published since" in page
    assert "Publish this revision" not in page
    url = reverse("readings:publish_revision", args=[assigned_reading.slug, 2])
    response = staff_client.post(url, follow=True).content.decode()
    assert "but version 3 has been published since" in response
    assigned_reading.refresh_from_db()
    assert assigned_reading.revision == 3 and texts(assigned_reading) == before


@pytest.mark.django_db
def test_another_readings_draft_number_is_not_found(staff_client, assigned_reading):
    other = make_reading(title="Another one")
    draft_of(other)
    for name in ("readings:revision", "readings:publish_revision", "readings:discard_revision"):
        url = reverse(name, args=[assigned_reading.slug, 2])
        method = staff_client.get if name == "readings:revision" else staff_client.post
        assert method(url).status_code == 404
    assert Revision.objects.get().published is None
    assert other.passages.count() == 3


REVISION_URLS = [
    ("post", "readings:revise", False),
    ("get", "readings:revisions", False),
    ("get", "readings:revision", True),
    ("post", "readings:publish_revision", True),
    ("post", "readings:discard_revision", True),
]


def url_of(name, reading, numbered):
    return reverse(name, args=[reading.slug, 2] if numbered else [reading.slug])


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name", "numbered"), REVISION_URLS)
def test_non_staff_learn_nothing(
    client, facilitator, group, assigned_reading, method, name, numbered
):
    draft_of(assigned_reading)
    client.force_login(facilitator)
    upload = {"file": SimpleUploadedFile("r.txt", REVISED)} if name == "readings:revise" else {}
    response = getattr(client, method)(url_of(name, assigned_reading, numbered), upload)
    assert response.status_code == 404
    assert Revision.objects.get().published is None
    assert Reading.objects.get(pk=assigned_reading.pk).revision == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["readings:revise", "readings:publish_revision", "readings:discard_revision"]
)
def test_writes_refuse_get(staff_client, assigned_reading, name):
    draft_of(assigned_reading)
    numbered = name != "readings:revise"
    assert staff_client.get(url_of(name, assigned_reading, numbered)).status_code == 405
    assert Revision.objects.get().published is None


@pytest.mark.django_db
def test_writes_need_csrf(staff, assigned_reading):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    draft_of(assigned_reading)
    assert (
        client.post(url_of("readings:publish_revision", assigned_reading, True)).status_code == 403
    )
    assert Revision.objects.get().published is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.txt", b"x" * 2000, "the largest reading accepted is 1 KB"),
        ("empty.txt", b"", "The submitted file is empty."),
        ("x.exe", b"MZ", "Unknown file type"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_create_nothing(
    django_app, staff, assigned_reading, settings, name, data, message
):
    settings.READING_MAX_BYTES = 1024
    browsing_as(django_app, staff)
    page = django_app.get(reverse("readings:preview", args=[assigned_reading.slug]))
    form = form_with(page, "Upload a revised text")
    form["file"] = Upload(name, data, "text/plain")
    response = form.submit(expect_errors=True)
    assert response.status_int == 400
    errors = " ".join(e.text for e in response.html.select(".field--error .error"))
    assert message.lower() in errors.lower()
    assert not Revision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("junk.txt", b"\x00\x01\x02binary\xff" * 20, "binary"),
        ("same.txt", None, "This text is the same as version 1, the published one"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_clear_message_and_creates_nothing(
    staff_client, assigned_reading, name, data, message
):
    same = "\n\n".join(assigned_reading.passages.values_list("text", flat=True)).encode()
    response = staff_client.post(
        reverse("readings:revise", args=[assigned_reading.slug]),
        {"file": SimpleUploadedFile(name, data or same)},
        follow=True,  # to the upload's status page
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Revision.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_review_page_queries_do_not_grow_with_the_reading(
    staff_client, group, member, django_assert_num_queries, count
):
    reading = make_reading(passages=count, title="Long one")
    for passage in reading.passages.all():
        make_annotation(group, reading, member, passage=passage, words="says")
        AgendaItem.objects.create(
            group=group, reading=reading, position=passage.position, text="?", passage=passage
        )
    texts = list(reading.passages.values_list("text", flat=True))
    texts[1] = "Rewritten entirely, so what was on it is orphaned."
    draft = draft_of(reading, data="\n\n".join(texts).encode())
    # session, user, reading, draft, the current text, its passage ids, each
    # provider's things (annotations, agenda items), the header's inbox count
    with django_assert_num_queries(9):
        page = staff_client.get(draft.get_absolute_url())
    assert f"{2 * (count - 1)} kept, 0 moved, 2 orphaned." in page.content.decode()


@pytest.mark.django_db
def test_a_draft_reading_cannot_be_revised(staff_client):
    draft = make_reading(status=Reading.Status.DRAFT)
    page = staff_client.get(draft.get_absolute_url()).content.decode()
    assert "Upload a revised text" not in page
    response = staff_client.post(
        reverse("readings:revise", args=[draft.slug]),
        {"file": SimpleUploadedFile("revised.txt", REVISED)},
        follow=True,
    )
    assert "A draft is not revised: delete it and import the new text." in response.content.decode()
    assert not Revision.objects.exists()


@pytest.mark.django_db
def test_history_before_any_revision_shows_the_reading_as_imported(staff_client, assigned_reading):
    page = staff_client.get(reverse("readings:revisions", args=[assigned_reading.slug]))
    text = " ".join(page.content.decode().split())
    assert "Version 1</a> (current)" in text and "as imported" in text
    assert staff_client.get(url_of("readings:revision", assigned_reading, True)).status_code == 404


@pytest.mark.django_db
def test_command_revises_and_reports_as_json(tmp_path, group, member, assigned_reading):
    second = assigned_reading.passages.get(position=2)
    kept = make_annotation(group, assigned_reading, member, words="Passage number 1")
    edited = make_annotation(group, assigned_reading, member, passage=second, words="says")
    path = tmp_path / "revised.txt"
    path.write_bytes(REVISED)
    out = StringIO()
    call_command(
        "import_reading", str(path), "--revise", assigned_reading.slug, "--json", stdout=out
    )
    result = json.loads(out.getvalue())

    assert result["revision"] == 2 and result["slug"] == assigned_reading.slug
    assert [p["text"] for p in result["passages"]] == REVISED.decode().strip().split("\n\n")
    assert result["passages"][1]["anchor"] == second.anchor
    outcomes = {a["id"]: (a["outcome"], a["exact"]) for a in result["annotations"]}
    assert outcomes[kept.pk] == ("kept", "Passage number 1")
    assert outcomes[edited.pk] in {("kept", "says"), ("moved", "says")}
    assert len(outcomes) == 2


@pytest.mark.django_db
def test_an_orphan_stays_one_through_the_next_revision(tmp_path, group, member, assigned_reading):
    """Its words went in version 2; version 3 reports it orphaned still, with the
    quote it had, and keeps the number of the revision that took its words."""
    lost = make_annotation(group, assigned_reading, member, words="something worth")
    first, second = tmp_path / "v2.txt", tmp_path / "v3.txt"
    first.write_bytes(REVISED.replace(b"1 says something worth", b"1 offers little worth"))
    second.write_bytes(REVISED.replace(b"1 says something worth", b"1 offers nothing worth"))
    reports = []
    for path in (first, second):
        out = StringIO()
        call_command(
            "import_reading", str(path), "--revise", assigned_reading.slug, "--json", stdout=out
        )
        reports.append(json.loads(out.getvalue())["annotations"])

    expected = [{"id": lost.pk, "outcome": "orphaned", "exact": "something worth"}]
    assert reports == [expected, expected]
    lost.refresh_from_db()
    assert (lost.orphaned, lost.exact, lost.start) == (2, "something worth", None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--revise", "no-such"], "No reading with the slug 'no-such'."),
        (["--revise", "draft"], "'draft' is a draft: delete it and import the revised text"),
        (["--revise", "on-the-syllabus", "--title", "T"], "leave out --title"),
    ],
)
def test_command_refuses_with_one_line(tmp_path, assigned_reading, args, message):
    make_reading(title="Draft", status=Reading.Status.DRAFT)
    path = tmp_path / "revised.txt"
    path.write_bytes(REVISED)
    with pytest.raises(CommandError, match=message):
        call_command("import_reading", str(path), *args)
    assert not Revision.objects.exists()


@pytest.mark.django_db
def test_command_refuses_garbage_and_changes_nothing(tmp_path, assigned_reading):
    path = tmp_path / "revised.txt"
    path.write_bytes(b"\x00\xff" * 100)
    with pytest.raises(CommandError, match="revised.txt: "):
        call_command("import_reading", str(path), "--revise", assigned_reading.slug)
    assert not Revision.objects.exists()
    assert Reading.objects.get().revision == 1


PARAGRAPHS = st.lists(
    st.sampled_from(["Alpha beta.", "Gamma delta epsilon.", "Zeta eta.", "Theta iota kappa."])
    | st.text("abcdef ", min_size=1, max_size=30).map(str.strip).filter(bool),
    min_size=1,
    max_size=8,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=PARAGRAPHS, new=PARAGRAPHS)
def test_publishing_leaves_the_new_text_with_carried_passages_intact(old, new):
    Reading.objects.all().delete()
    reading = Reading.objects.create(title="R", slug="r", status=Reading.Status.PUBLISHED)
    Passage.objects.bulk_create(
        Passage(reading=reading, position=n, anchor=f"p-{n:06d}", text=t, html=t)
        for n, t in enumerate(old, start=1)
    )
    rows = list(reading.passages.all())
    # An agenda item on each passage: on its first word, or (every third) the whole of it.
    group = Group.objects.first() or Group.objects.create(name="G", slug="g")
    AgendaItem.objects.bulk_create(
        AgendaItem(
            group=group, reading=reading, position=n, text="?", passage=row,
            **({} if n % 3 == 0 else {"start": 0, "end": len(row.text.split()[0]),
                                       "exact": row.text.split()[0]}),
        )
        for n, row in enumerate(rows)
    )  # fmt: skip
    revision = Revision.objects.create(
        reading=reading,
        number=2,
        base=1,
        passages=[
            {"anchor": "", "kind": "paragraph", "speaker": "", "text": t, "html": t} for t in new
        ],
    )
    publish_revision(revision=revision)

    after = list(reading.passages.all())
    assert [p.text for p in after] == new
    assert [p.position for p in after] == list(range(1, len(new) + 1))
    assert len({p.anchor for p in after}) == len(after)
    survivors = {p.pk: p.anchor for p in after}
    for row in rows:
        if row.pk in survivors:
            assert survivors[row.pk] == row.anchor
    assert [p["anchor"] for p in Revision.objects.get(number=2).passages] == [
        p.anchor for p in after
    ]
    assert [p["text"] for p in Revision.objects.get(number=1).passages] == old
    # Every agenda item is still on the reading, quoting exactly the words it points at.
    items = list(AgendaItem.objects.filter(reading=reading).select_related("passage"))
    assert len(items) == len(rows)
    for item in items:
        assert item.passage.reading_id == reading.pk
        if item.start is not None:
            assert item.passage.text[item.start : item.end] == item.exact
