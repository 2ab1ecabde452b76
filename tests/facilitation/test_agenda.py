"""A facilitator's agenda: questions in order, timed, drafts until published,
promoted from members' questions, reused from another group, and the guide."""

import pytest
from django.urls import reverse

from discussions.models import Annotation, ModerationEvent
from discussions.services import delete_post, moderate, post_reply, set_vote
from facilitation.models import AgendaItem
from facilitation.services import add_agenda_item, publish_agenda
from groups.models import Assignment
from groups.services import assign_reading, create_group
from tests.conftest import browsing_as, make_annotation, make_reading, signed_in


def agenda_url(group, reading, name="agenda", *args):
    return reverse(f"facilitation:{name}", args=[group.slug, reading.slug, *args])


def version(group, reading) -> int:
    return Assignment.objects.get(group=group, reading=reading).agenda_version


def add(client, group, reading, text, minutes=10, **extra):
    data = {
        "action": "add",
        "new-text": text,
        "new-minutes": minutes,
        "new-version": version(group, reading),
    }
    return client.post(agenda_url(group, reading, "agenda_action"), data | extra)


@pytest.mark.django_db
def test_add_reorder_and_publish(client, group, facilitator, member, assigned_reading):
    signed_in(client, facilitator)
    passage = assigned_reading.passages.get(position=2)
    add(client, group, assigned_reading, "What is a circle?", 15)
    add(client, group, assigned_reading, "Why slowly?", 5, **{"new-passage": passage.pk})
    first, second = AgendaItem.objects.all()
    assert (first.text, first.minutes, second.passage) == ("What is a circle?", 15, passage)
    page = client.get(agenda_url(group, assigned_reading)).content.decode()
    assert "2 questions, 20 minutes in all; 2 drafts" in page
    assert (
        '<label for="id_new-text">Question</label>' in page
        and '<label for="id_new-minutes">Minutes</label>' in page
    )

    client.post(
        agenda_url(group, assigned_reading, "agenda_item", second.pk),
        {"action": "up", f"item-{second.pk}-version": version(group, assigned_reading)},
    )
    assert list(AgendaItem.objects.values_list("text", flat=True)) == [
        "Why slowly?",
        "What is a circle?",
    ]

    # Members see nothing of drafts.
    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    assert "Why slowly?" not in signed_in(client, member).get(reading_url).content.decode()
    signed_in(client, facilitator).post(
        agenda_url(group, assigned_reading, "agenda_action"),
        {"action": "publish", "version": version(group, assigned_reading)},
    )
    assert all(item.published and item.thread for item in AgendaItem.objects.all())
    page = signed_in(client, member).get(reading_url).content.decode()
    assert (
        "The group&#x27;s discussion questions" in page
        or "The group's discussion questions" in page
    )
    questions = page[page.index("discussion questions") :]
    # In the facilitator's order: the one moved up first.
    assert questions.index("Why slowly?") < questions.index("What is a circle?")


@pytest.mark.django_db
def test_notes_are_for_facilitators_only(client, group, facilitator, member, assigned_reading):
    signed_in(client, facilitator)
    add(
        client,
        group,
        assigned_reading,
        "Open question",
        **{"new-notes": "Secret plan: start with Ann"},
    )
    publish_agenda(
        group=group,
        reading=assigned_reading,
        actor=facilitator,
        seen_version=version(group, assigned_reading),
    )
    assert "Secret plan" in client.get(agenda_url(group, assigned_reading)).content.decode()
    page = (
        signed_in(client, member)
        .get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
        .content.decode()
    )
    assert "Secret plan" not in page
    assert client.get(agenda_url(group, assigned_reading)).status_code == 403


@pytest.mark.django_db
def test_two_editors_never_lose_changes_silently(
    client, group, facilitator, organizer, assigned_reading
):
    signed_in(client, facilitator)
    add(client, group, assigned_reading, "Shared question")
    item = AgendaItem.objects.get()
    seen = version(group, assigned_reading)
    # The organizer saves first...
    signed_in(client, organizer).post(
        agenda_url(group, assigned_reading, "agenda_item", item.pk),
        {
            "action": "save",
            f"item-{item.pk}-text": "Organizer's wording",
            f"item-{item.pk}-minutes": 10,
            f"item-{item.pk}-version": seen,
        },
    )
    # ...then the facilitator, from the page opened before: refused, with their text kept.
    response = signed_in(client, facilitator).post(
        agenda_url(group, assigned_reading, "agenda_item", item.pk),
        {
            "action": "save",
            f"item-{item.pk}-text": "Facilitator's wording",
            f"item-{item.pk}-minutes": 12,
            f"item-{item.pk}-version": seen,
        },
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this agenda after you opened it, so nothing was saved." in page
    assert "Facilitator&#x27;s wording</textarea>" in page
    item.refresh_from_db()
    assert item.text == "Organizer's wording"


@pytest.mark.django_db
def test_promote_a_members_question_credited_to_the_asker(
    client, group, facilitator, member, organizer, assigned_reading
):
    popular = make_annotation(
        group, assigned_reading, member, body="Who kept the *minutes*?", words="worth"
    )
    make_annotation(group, assigned_reading, organizer, body="Less popular")
    set_vote(annotation=popular, user=facilitator, on=True)
    signed_in(client, facilitator)
    page = client.get(agenda_url(group, assigned_reading)).content.decode()
    asked = page[page.index("Members' open questions") :]
    assert asked.index("Who kept the minutes?") < asked.index("Less popular")
    client.post(
        agenda_url(group, assigned_reading, "agenda_action"),
        {"action": "promote", "question": popular.pk, "version": version(group, assigned_reading)},
    )
    item = AgendaItem.objects.get()
    assert (item.text, item.thread, item.promoted_from, item.exact) == (
        "Who kept the minutes?",
        popular,
        popular,
        "worth",
    )
    assert (
        "asked by Maya Member" in client.get(agenda_url(group, assigned_reading)).content.decode()
    )


@pytest.mark.django_db
def test_copy_the_agenda_from_another_group(
    client, group, facilitator, organizer, assigned_reading
):
    other = create_group(name="Other circle", description="", creator=facilitator)
    assign_reading(
        group=other, reading=assigned_reading, meeting_date=None, notes="", actor=facilitator
    )
    add_agenda_item(
        group=other, reading=assigned_reading, text="Borrowed question", minutes=7, seen_version=0
    )
    signed_in(client, facilitator)
    client.post(
        agenda_url(group, assigned_reading, "agenda_action"),
        {"action": "copy", "source": other.pk, "version": version(group, assigned_reading)},
    )
    copied = AgendaItem.objects.get(group=group)
    assert (copied.text, copied.minutes, copied.published) == ("Borrowed question", 7, None)
    # Only from groups the facilitator runs.
    stranger = create_group(name="Not theirs", description="", creator=organizer)
    response = client.post(
        agenda_url(group, assigned_reading, "agenda_action"),
        {"action": "copy", "source": stranger.pk, "version": version(group, assigned_reading)},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_discussion_guide_page_and_markdown(client, group, facilitator, assigned_reading):
    passage = assigned_reading.passages.get(position=3)
    add_agenda_item(
        group=group,
        reading=assigned_reading,
        text="First",
        minutes=10,
        passage=passage,
        seen_version=0,
    )
    add_agenda_item(
        group=group, reading=assigned_reading, text="Second", minutes=25, seen_version=1
    )
    signed_in(client, facilitator)
    page = client.get(agenda_url(group, assigned_reading, "guide")).content.decode()
    assert (
        "2 questions, 35 minutes" in page and passage.text in page and "Total: 35 minutes." in page
    )
    response = client.get(agenda_url(group, assigned_reading, "guide_markdown"))
    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert "## 1. First (10 min)\n\n> " + passage.text in text
    assert "## 2. Second (25 min)" in text and "**Total: 35 minutes.**" in text


@pytest.mark.django_db
def test_members_cannot_touch_the_agenda(client, group, member, assigned_reading):
    signed_in(client, member)
    assert add(client, group, assigned_reading, "Sneaky").status_code == 403
    assert not AgendaItem.objects.exists()


@pytest.mark.django_db
def test_facilitators_add_words_from_the_reading_page(
    django_app, client, group, facilitator, member, assigned_reading
):
    """The composer's "Add to the agenda" button posts the words to the agenda,
    not to the discussion; members neither see it nor may use its address."""
    passage = assigned_reading.passages.first()
    reading_url = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    composer_url = f"{reading_url}?discuss={passage.anchor}"
    add_url = agenda_url(group, assigned_reading, "agenda_add")
    assert "Add to the agenda" not in browsing_as(django_app, member).get(composer_url).text
    words = {"passage": passage.anchor, "body": "What is worth it?", "exact": "worth"}
    assert signed_in(client, member).post(add_url, words).status_code == 403

    page = browsing_as(django_app, facilitator).get(composer_url)
    [form] = [
        f
        for f in page.forms.values()
        if f.get("passage", default=None) and f["passage"].value == passage.anchor
    ]
    button = form.html.find("button", string="Add to the agenda")
    assert button["formaction"] == add_url
    form.action = button["formaction"]  # as a browser does for the button clicked
    form["body"] = "What is worth it?"
    form["exact"] = "worth"
    response = form.submit()
    item = AgendaItem.objects.get()
    assert response.location == agenda_url(group, assigned_reading) + f"#item-{item.pk}"
    assert not Annotation.objects.exists()
    assert (item.text, item.passage, item.exact, item.published) == (
        "What is worth it?",
        passage,
        "worth",
        None,
    )


def item_form(page, item):
    """The agenda page's form for one item, found by where it posts."""
    [form] = [f for f in page.forms.values() if f.action.endswith(f"/agenda/{item.pk}/")]
    return form


@pytest.mark.django_db
def test_move_and_remove_with_the_buttons_the_agenda_renders(
    django_app, group, facilitator, assigned_reading
):
    for n, text in enumerate(["One", "Two", "Three"]):
        add_agenda_item(group=group, reading=assigned_reading, text=text, minutes=5, seen_version=n)
    one, two, three = AgendaItem.objects.all()
    app = browsing_as(django_app, facilitator)
    url = agenda_url(group, assigned_reading)

    item_form(app.get(url), three).submit("action", value="up").follow()
    assert list(AgendaItem.objects.values_list("text", flat=True)) == ["One", "Three", "Two"]
    item_form(app.get(url), one).submit("action", value="down").follow()
    assert list(AgendaItem.objects.values_list("text", flat=True)) == ["Three", "One", "Two"]
    page = item_form(app.get(url), two).submit("action", value="delete").follow()
    assert "Question removed from the agenda." in page
    assert list(AgendaItem.objects.values_list("text", flat=True)) == ["Three", "One"]

    # A page opened before someone else's change still refuses, and changes nothing.
    stale = app.get(url)
    item_form(app.get(url), one).submit("action", value="up")
    response = item_form(stale, three).submit("action", value="delete", status=409)
    assert "Someone else changed this agenda" in response
    assert list(AgendaItem.objects.values_list("text", flat=True)) == ["One", "Three"]


@pytest.mark.django_db
def test_promoting_refuses_what_is_not_an_open_question_of_this_reading(
    django_app, group, facilitator, member, organizer, assigned_reading
):
    """The "Add to agenda" form, submitted after its question left view, or
    pointed at a note or another group's or reading's question: 404, nothing changed."""
    deleted = make_annotation(group, assigned_reading, member, body="Deleted *words*")
    hidden = make_annotation(group, assigned_reading, member, body="Hidden words")
    note = make_annotation(group, assigned_reading, member, kind="note", body="My note")
    other_group = create_group(name="Other circle", description="", creator=organizer)
    assign_reading(
        group=other_group, reading=assigned_reading, meeting_date=None, notes="", actor=organizer
    )
    elsewhere = make_annotation(other_group, assigned_reading, organizer, body="Theirs")
    other_reading = make_reading(title="Not this one")
    assign_reading(group=group, reading=other_reading, meeting_date=None, notes="", actor=organizer)
    off_reading = make_annotation(group, other_reading, member, body="Other reading")

    page = browsing_as(django_app, facilitator).get(agenda_url(group, assigned_reading))
    forms = {int(f["question"].value): f for f in page.forms.values() if "question" in f.fields}
    assert set(forms) == {deleted.pk, hidden.pk}
    delete_post(post=deleted)
    moderate(post=hidden, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    before = version(group, assigned_reading)
    for question in (deleted, hidden):
        forms[question.pk].submit("action", value="promote", status=404)
    for question in (note, elsewhere, off_reading):
        form = forms[hidden.pk]
        form["question"].force_value(question.pk)
        form.submit("action", value="promote", status=404)
    assert not AgendaItem.objects.exists()
    assert version(group, assigned_reading) == before


def form_with(page, text):
    """The page's one form whose HTML has `text` (a field's name, a button's value)."""
    [form] = [f for f in page.forms.values() if text in f.text]
    return form


def prepare_and_publish(app, group, reading, questions) -> None:
    """Add (text, minutes, passage or None) through the agenda page, then Publish."""
    url = agenda_url(group, reading)
    for text, minutes, passage in questions:
        form = form_with(app.get(url), 'name="new-text"')
        form["new-text"], form["new-minutes"] = text, minutes
        form["new-passage"] = passage.pk if passage else ""
        form.submit("action", value="add").follow()
    form_with(app.get(url), 'value="publish"').submit("action", value="publish").follow()


@pytest.mark.django_db
def test_members_see_the_published_agenda_in_the_facilitators_order_with_minutes(
    django_app, group, facilitator, member, assigned_reading
):
    passages = list(assigned_reading.passages.all())
    prepare_and_publish(
        browsing_as(django_app, facilitator),
        group,
        assigned_reading,
        [("On the third", 15, passages[2]), ("On the first", 5, passages[0])],
    )
    page = browsing_as(django_app, member).get(
        reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    )
    agenda = page.html.find("section", class_="discussion-questions")
    assert [" ".join(li.text.split()) for li in agenda.find_all("li")] == [
        "On the third 15 min in the text",
        "On the first 5 min in the text",
    ]


@pytest.mark.django_db
def test_a_question_on_the_whole_reading_is_not_shown_as_on_the_first_passage(
    django_app, group, facilitator, member, assigned_reading
):
    first, second, _ = assigned_reading.passages.all()
    app = browsing_as(django_app, facilitator)
    prepare_and_publish(
        app, group, assigned_reading, [("What is a circle?", 15, None), ("Why?", 5, second)]
    )
    form_with(app.get(agenda_url(group, assigned_reading)), "Start meeting").submit().follow()

    app = browsing_as(django_app, member)
    page = app.get(reverse("discussions:reading", args=[group.slug, assigned_reading.slug]))
    row = " ".join(page.html.find(id=f"row-{first.anchor}").text.split())
    assert "What is a circle?" not in row and "question" not in row.replace("Ask a question", "")
    agenda = page.html.find("section", class_="discussion-questions")
    assert " ".join(agenda.li.text.split()) == "What is a circle? 15 min on the whole reading"
    listed = page.html.find("details", class_="questions").find("a", string="What is a circle?")
    assert " ".join(listed.parent.text.split()).endswith("on the whole reading")

    thread = page.click("What is a circle?", index=0)
    assert "On the whole reading" in thread and "On the whole passage" not in thread
    assert first.text not in thread and f"#{first.anchor}" not in thread
    meeting = app.get(page.html.find("a", string="Join the meeting")["href"])
    responses = meeting.html.find(id="meeting-responses").text
    assert "On the whole reading" in responses and "On the whole passage" not in responses


@pytest.fixture
def noted_item(group, assigned_reading):
    return add_agenda_item(
        group=group,
        reading=assigned_reading,
        text="What does the ending owe the opening?",
        minutes=10,
        notes="Start with the quiet ones.\nKeep it to ten minutes.",
        seen_version=0,
    )


@pytest.mark.django_db
def test_the_guide_carries_the_facilitators_notes(
    django_app, group, facilitator, organizer, assigned_reading, noted_item
):
    for user in (facilitator, organizer):
        app = browsing_as(django_app, user)
        page = app.get(agenda_url(group, assigned_reading, "guide"))
        notes = page.html.select_one(".guide-items .facilitator-notes")
        assert "Start with the quiet ones." in notes.text and "Keep it to ten" in notes.text
        markdown = app.get(agenda_url(group, assigned_reading, "guide_markdown")).text
        assert "Notes: Start with the quiet ones.\nKeep it to ten minutes." in markdown


@pytest.mark.django_db
def test_no_one_else_gets_the_guide_or_its_notes(
    django_app, group, member, outsider, staff, assigned_reading, noted_item
):
    """Not members (403, however they ask), nor outsiders or staff outside the group (404)."""
    tricks = ["", "?copy=facilitator", "?role=facilitator&as=organizer", "?fmt=md", "?notes=1"]
    for user, status in ((member, 403), (outsider, 404), (staff, 404)):
        app = browsing_as(django_app, user)
        for name in ("guide", "guide_markdown"):
            for trick in tricks:
                url = agenda_url(group, assigned_reading, name) + trick
                response = app.get(url, status=status)
                assert "quiet ones" not in response.text
    # Nor anonymous visitors: they are sent to sign in.
    django_app.reset()
    response = django_app.get(agenda_url(group, assigned_reading, "guide"))
    assert response.status_code == 302 and "quiet ones" not in response.text


@pytest.mark.django_db
def test_an_agenda_question_asked_answer_first_from_the_agenda_page(
    django_app, group, facilitator, member, assigned_reading
):
    app = browsing_as(django_app, facilitator)
    url = agenda_url(group, assigned_reading)
    form = form_with(app.get(url), 'name="new-text"')
    form["new-text"], form["new-answer_first"] = "What would you have done?", True
    form.submit("action", value="add").follow()
    form = form_with(app.get(url), 'name="new-text"')
    form["new-text"] = "And the others?"
    form.submit("action", value="add").follow()
    form_with(app.get(url), 'value="publish"').submit("action", value="publish").follow()
    first, second = AgendaItem.objects.order_by("position")
    assert first.thread.answer_first and not second.thread.answer_first

    # Ticked on a published item: its thread asks for answers first from then on.
    page = app.get(url)
    form = form_with(page, f'name="item-{second.pk}-text"')
    form[f"item-{second.pk}-answer_first"] = True
    form.submit("action", value="save").follow()
    second.thread.refresh_from_db()
    assert second.thread.answer_first

    post_reply(annotation=first.thread, parent=None, body="My own view first.", author=facilitator)
    page = browsing_as(django_app, member).get(first.thread.get_absolute_url())
    assert "Answer first to see the replies (1 reply)." in page
    assert "My own view first." not in page
