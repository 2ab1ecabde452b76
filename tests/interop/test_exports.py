"""Exports: a reading's discussion as Markdown and CSV for members; a group's
as W3C JSON-LD for organizers, imported into another group."""

import csv
import io
import json

import pytest
import webtest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from discussions.bodies import render_body
from discussions.models import Annotation, ModerationEvent, Reply
from discussions.services import delete_post, mention_links, moderate, post_reply, set_answered
from groups.models import Assignment
from groups.services import assign_reading, create_group
from tests.conftest import browsing_as, make_annotation, signed_in
from tests.interop import w3c_suite


def export(client, group, reading, fmt: str):
    name = "interop:export_md" if fmt == "md" else "interop:export_csv"
    response = client.get(reverse(name, args=[group.slug, reading.slug]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content.decode()


@pytest.fixture
def discussion(group, member, facilitator, organizer, assigned_reading):
    """A question on words with nested replies, a hidden comment, and a private note."""
    question = make_annotation(group, assigned_reading, member, body="Why *worth*?", words="worth")
    first = post_reply(annotation=question, parent=None, body="Because.", author=organizer)
    post_reply(annotation=question, parent=first, body="=SUM(A1:A9)", author=facilitator)
    rude = make_annotation(group, assigned_reading, facilitator, kind="comment", body="Rude words")
    moderate(post=rude, group=group, actor=organizer, action=ModerationEvent.Action.HIDDEN)
    make_annotation(group, assigned_reading, organizer, kind="note", body="Organizer's own note")
    return question


@pytest.mark.django_db
def test_markdown_nests_replies_and_follows_the_pages_rules(
    client, group, member, assigned_reading, discussion
):
    text = export(signed_in(client, member), group, assigned_reading, "md")
    assert text.startswith("# On the syllabus\n")
    assert "## Passage 1\n\n> Passage number 1 says something worth discussing." in text
    assert "- **Question, 0 votes** by Maya Member" in text
    assert "  On the words: “worth”" in text
    assert "  - **Reply** by Olga Organizer" in text
    assert "    - **Reply** by Femi Facilitator" in text
    assert "      =SUM(A1:A9)" in text
    assert "*hidden by a moderator*" in text
    assert "Rude words" not in text
    assert "Organizer's own note" not in text


@pytest.mark.django_db
def test_csv_has_a_row_per_post_and_defuses_formulas(
    client, group, member, organizer, assigned_reading, discussion
):
    rows = list(
        csv.DictReader(
            io.StringIO(export(signed_in(client, member), group, assigned_reading, "csv"))
        )
    )
    assert [(row["kind"], row["replying_to"]) for row in rows] == [
        ("question", ""),
        ("reply", f"a{discussion.pk}"),
        ("reply", f"r{Reply.objects.get(body='Because.').pk}"),
        ("comment", ""),
    ]
    assert rows[0]["quote"] == "worth"
    assert rows[0]["author"] == "Maya Member"
    # A spreadsheet would run this as a formula; the export keeps it as text.
    assert rows[2]["text"] == "'=SUM(A1:A9)"
    assert rows[3]["state"] == "blanked"
    assert rows[3]["text"] == "*hidden by a moderator*"
    assert rows[3]["author"] == ""
    organizer_rows = export(signed_in(client, organizer), group, assigned_reading, "csv")
    assert "Organizer's own note" in organizer_rows
    assert "Rude words" in organizer_rows


@pytest.mark.django_db
def test_every_export_marks_the_reply_that_answered_the_question(
    client, group, member, organizer, assigned_reading, discussion
):
    answer = Reply.objects.get(body="Because.")
    set_answered(annotation=discussion, answered=True, actor=member, answer=answer)
    signed_in(client, organizer)
    text = export(client, group, assigned_reading, "md")
    assert "- **Question, 0 votes, answered** by Maya Member" in text
    assert "  - **Reply, the answer** by Olga Organizer" in text
    assert "    - **Reply** by Femi Facilitator" in text
    rows = list(csv.DictReader(io.StringIO(export(client, group, assigned_reading, "csv"))))
    assert [(row["kind"], row["answered"], row["is_answer"]) for row in rows[:3]] == [
        ("question", "yes", ""),
        ("reply", "", "yes"),
        ("reply", "", "no"),
    ]
    items = group_export(client, group)["first"]["items"]
    question = next(item for item in items if item.get("motivation") == "questioning")
    marked = next(item for item in items if item["id"] == question["schema:acceptedAnswer"])
    assert marked["body"]["value"] == "Because."


@pytest.mark.django_db
def test_an_import_keeps_the_answer_and_ignores_a_mark_on_another_threads_reply(
    client, group, member, organizer, assigned_reading, discussion
):
    other_question = make_annotation(group, assigned_reading, member, body="And this?")
    post_reply(annotation=other_question, parent=None, body="Here.", author=member)
    answer = Reply.objects.get(body="Because.")
    set_answered(annotation=discussion, answered=True, actor=member, answer=answer)
    signed_in(client, organizer)
    document = group_export(client, group)
    items = document["first"]["items"]
    second = next(item for item in items if item.get("motivation") == "questioning"
                  and item["body"]["value"] == "And this?")  # fmt: skip
    # Pointed at the first question's answer, a reply of another thread.
    second["schema:acceptedAnswer"] = next(
        item["id"] for item in items if item["id"].endswith(f"/replies/{answer.pk}")
    )
    copy = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(group=copy, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    assert import_file(client, copy, document).status_code == 302
    imported = Annotation.objects.filter(group=copy, kind="question")
    answered = imported.get(body__endswith="Why *worth*?")
    assert answered.answered and answered.answer.body.endswith("Because.")
    unanswered = imported.get(body__endswith="And this?")
    assert unanswered.answered is None and unanswered.answer is None


def group_export(client, group) -> dict:
    response = client.get(reverse("interop:export_group", args=[group.slug]))
    assert response.status_code == 200
    return json.loads(response.content)


def import_file(client, group, document):
    upload = SimpleUploadedFile("export.jsonld", json.dumps(document).encode())
    return client.post(reverse("interop:import_group", args=[group.slug]), {"file": upload})


def shape(group) -> list[tuple]:
    """What an import must restore: each post's kind, passage, words and place in its thread."""
    posts = []
    for thread in Annotation.objects.filter(group=group).order_by("created", "id"):
        posts.append(
            (thread.kind, thread.passage.anchor, thread.exact, thread.start, thread.end,
             thread.deleted is not None)
        )  # fmt: skip
        for reply in thread.replies.order_by("created", "id"):
            depth, parent = 0, reply.parent
            while parent:
                depth, parent = depth + 1, parent.parent
            posts.append(("reply", thread.passage.anchor, depth, reply.deleted is not None))
    return posts


@pytest.mark.django_db
def test_a_group_export_imports_into_another_group(
    client, group, member, organizer, assigned_reading, discussion
):
    third = assigned_reading.passages.get(position=3)
    whole = make_annotation(group, assigned_reading, member, kind="comment", passage=third)
    post_reply(annotation=whole, parent=None, body="Gone soon", author=member)
    delete_post(post=whole)  # a placeholder, kept for its reply
    signed_in(client, organizer)
    document = group_export(client, group)
    assert document["total"] == 7

    other = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(
        group=other, reading=assigned_reading, meeting_date=None, notes="", actor=organizer
    )
    response = import_file(client, other, document)
    assert response.status_code == 302
    assert shape(other) == shape(group)
    imported = Annotation.objects.filter(group=other)
    assert {a.author for a in imported} == {organizer}
    question = imported.get(kind="question")
    assert question.body.startswith("*Maya Member wrote:*\n\nWhy *worth*?")
    assert imported.get(kind="note").body == "Organizer's own note"


@pytest.mark.skipif(
    not w3c_suite.SUITE.is_dir(),
    reason=f"the W3C Web Annotation test suite is absent (looked in {w3c_suite.SUITE})",
)
@pytest.mark.django_db
def test_the_group_export_is_a_valid_w3c_collection(client, group, organizer, discussion):
    document = group_export(signed_in(client, organizer), group)
    assert [
        r for r in w3c_suite.check(document, "collections/collectionMusts.test") if not r.passed
    ] == []
    for item in document["first"]["items"]:
        assert all(r.passed for r in w3c_suite.check(item, "annotations/annotationMusts.test"))


@pytest.mark.django_db
def test_a_bad_import_says_why_and_imports_nothing(
    client, group, organizer, assigned_reading, discussion
):
    signed_in(client, organizer)
    document = group_export(client, group)
    empty = create_group(name="Empty", description="", creator=organizer)
    refused = import_file(client, empty, document)
    assert refused.status_code == 400
    assert "is not on this group&#x27;s syllabus" in refused.content.decode()
    assign_reading(
        group=empty, reading=assigned_reading, meeting_date=None, notes="", actor=organizer
    )
    # The last item's words are nowhere in the reading: the items before it must not land either.
    document["first"]["items"][-1]["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "no such words"}
    ]
    refused = import_file(client, empty, document)
    assert refused.status_code == 400
    assert "do not occur in the reading" in refused.content.decode()
    assert not Annotation.objects.filter(group=empty).exists()
    assert import_file(client, empty, {"type": "Nothing"}).status_code == 400
    not_json = SimpleUploadedFile("x.jsonld", b"{oops")
    url = reverse("interop:import_group", args=[empty.slug])
    assert "not valid JSON" in client.post(url, {"file": not_json}).content.decode()


def import_by_form(django_app, organizer, group, content: bytes):
    """Upload `content` as an organizer does: from the group page's link, through
    the form the import page renders."""
    page = browsing_as(django_app, organizer).get(group.get_absolute_url())
    page = page.click("Import discussions")
    assert "A file may be up to 5.0 MB, with up to 5,000 threads and replies." in page.text
    [form] = [f for f in page.forms.values() if "file" in f.fields]
    form["file"] = webtest.Upload("export.jsonld", content)
    return form.submit(expect_errors=True)


def alert(page) -> str:
    """What the page tells the organizer went wrong, as they read it."""
    return page.html.find(role="alert").get_text(" ", strip=True)


@pytest.fixture
def exported(client, group, organizer, assigned_reading, discussion):
    """The group's export, and another group with the same reading to import it into."""
    document = group_export(signed_in(client, organizer), group)
    other = create_group(name="Day readers", description="", creator=organizer)
    assign_reading(
        group=other, reading=assigned_reading, meeting_date=None, notes="", actor=organizer
    )
    return document, other


def deepen(document: dict, levels: int) -> bytes:
    """The document with a field on its first item nested `levels` deep."""
    document["first"]["items"][0]["x"] = "["
    text = json.dumps(document)
    return text.replace('"x": "["', '"x": ' + "[" * levels + "]" * levels).encode()


DEEP = (
    "That file nests arrays and objects more than 20 deep; "
    "a group's export needs 7 levels, an annotation 4."
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        # Python's parser recurses: deep enough, this was a RecursionError and a 500.
        (lambda d: deepen(d, 100_000), DEEP),
        (lambda d: deepen(d, 17), DEEP),  # 21 with the item's own 4
        # At the size limit: refused at its 21st bracket, not parsed.
        (lambda d: b"[" * (5 * 1024 * 1024), DEEP),
        (
            lambda d: b" " * (5 * 1024 * 1024 + 1),
            "That file is larger than 5.0 MB, the most accepted here.",
        ),
        (
            lambda d: json.dumps({"type": "AnnotationPage", "items": [{}] * 5001}).encode(),
            "The file holds 5,001 annotations and replies; an import takes at most 5,000.",
        ),
    ],
)
def test_an_import_too_large_too_deep_or_with_too_many_posts_is_refused_whole(
    django_app, organizer, exported, content, message
):
    document, other = exported
    refused = import_by_form(django_app, organizer, other, content(document))
    assert refused.status_code == 400
    assert alert(refused) == "Nothing was imported. " + message
    assert not Annotation.objects.filter(group=other).exists()


@pytest.mark.django_db
def test_an_import_with_a_body_longer_than_the_forms_allow_names_it(
    django_app, organizer, exported
):
    document, other = exported
    items = document["first"]["items"]
    items[-1]["body"]["value"] = "x" * 10_001
    refused = import_by_form(django_app, organizer, other, json.dumps(document).encode())
    assert refused.status_code == 400
    assert alert(refused) == (
        f"Nothing was imported. Item {len(items)} ({items[-1]['id']}): "
        "body.value is 10,001 characters long; a post may have 10,000."
    )
    assert not Annotation.objects.filter(group=other).exists()
    items[-1]["body"]["value"] = "x" * 10_000
    response = import_by_form(django_app, organizer, other, json.dumps(document).encode())
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_import_leaves_each_post_as_posting_it_would(
    django_app, organizer, member, group, assigned_reading, exported
):
    """Counts, rendered bodies and versions (which the live poll reads) as if each
    post had been made one by one."""
    _, other = exported
    thread = Annotation.objects.get(group=group, kind="question")
    reply = post_reply(annotation=thread, parent=None, body="@Olga Organizer?", author=member)
    gone = post_reply(annotation=thread, parent=reply, body="Gone", author=member)
    post_reply(annotation=thread, parent=gone, body="Kept", author=member)
    delete_post(post=gone)  # a placeholder, kept for its reply
    document = group_export(signed_in(Client(), organizer), group)
    version = Assignment.objects.get(group=other).discussion_version
    response = import_by_form(django_app, organizer, other, json.dumps(document).encode())
    assert response.status_code == 302
    assert shape(other) == shape(group)
    mentions = mention_links(other, assigned_reading)
    mentioning = Reply.objects.get(annotation__group=other, body__endswith="@Olga Organizer?")
    assert f'href="{mentions["Olga Organizer"]}"' in mentioning.body_html
    latest = Assignment.objects.get(group=other).discussion_version
    assert latest > version
    for imported in Annotation.objects.filter(group=other):
        assert version < imported.version <= latest  # a poll from before sees it
        # New to every member but the importer, as posts made one by one would be.
        assert imported.posted == imported.last_posted == imported.version
        assert imported.last_poster == organizer
        assert all(version < reply.posted <= latest for reply in imported.replies.all())
        assert imported.reply_count == imported.replies.filter(deleted=None).count()
        posts = [imported, *imported.replies.all()]
        assert [p.body_html for p in posts] == [
            render_body(p.body, mentions=mentions) for p in posts
        ]
