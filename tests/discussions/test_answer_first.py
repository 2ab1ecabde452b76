"""Answer-first questions: a member reads the others' replies only once they
have posted their own, or a facilitator revealed them (or a meeting turned to
the question). Reply counts stay in view; reply text appears nowhere else."""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tokens import create_token
from discussions.models import Annotation
from discussions.services import ask_answer_first, post_reply, reveal_replies
from facilitation.models import AgendaItem
from facilitation.services import (
    add_agenda_item,
    end_meeting,
    publish_agenda,
    start_meeting,
    step_meeting,
)
from groups.models import Membership
from notifications.models import Notification
from notifications.services import fan_out, toggle_follow
from tests.conftest import (
    add_member,
    browsing_as,
    empty_caches,
    form_with,
    make_annotation,
    make_user,
    signed_in,
)


@pytest.fixture
def question(group, organizer, assigned_reading):
    # Asked by the organizer: the members in these tests answer it.
    return make_annotation(group, assigned_reading, organizer, body="What is it for?")


def url(question, action=""):
    base = reverse(
        "discussions:thread", args=[question.group.slug, question.reading.slug, question.pk]
    )
    return base + (f"{action}/" if action else "")


@pytest.mark.django_db
def test_a_facilitator_asks_then_a_member_answers_first(
    django_app, question, facilitator, member, organizer
):
    post_reply(annotation=question, parent=None, body="An early view.", author=organizer)
    page = browsing_as(django_app, facilitator).get(url(question))
    page = form_with(page, "Ask for answers first").submit("action").follow()
    assert "Members now answer before they see the replies." in page
    assert "Members see the replies once they have posted their own." in page
    assert "An early view." in page  # facilitators read them all along

    page = browsing_as(django_app, member).get(url(question))
    assert "Answer first to see the replies (1 reply)." in page
    assert "An early view." not in page
    reply = page.forms[next(k for k, f in page.forms.items() if "reply/" in f.action)]
    reply["body"] = "My own view."
    page = reply.submit().follow()
    assert "An early view." in page and "My own view." in page
    assert "Answer first to see" not in page


@pytest.mark.django_db
def test_revealing_shows_the_replies_to_everyone(django_app, question, facilitator, member):
    ask_answer_first(annotation=question)
    post_reply(annotation=question, parent=None, body="Facilitator's take.", author=facilitator)
    assert "Facilitator's take." not in browsing_as(django_app, member).get(url(question))
    page = browsing_as(django_app, facilitator).get(url(question))
    page = form_with(page, "Reveal the replies").submit("action").follow()
    assert "Everyone sees the replies now." in page
    assert "Ask for answers first" not in page  # what members have read stays read
    assert "Facilitator's take." in browsing_as(django_app, member).get(url(question))


@pytest.mark.django_db
def test_the_asker_reads_the_replies_to_their_own_question(
    client, group, member, facilitator, assigned_reading
):
    mine = make_annotation(group, assigned_reading, member, body="My question")
    ask_answer_first(annotation=mine)
    post_reply(annotation=mine, parent=None, body="An answer to you.", author=facilitator)
    assert "An answer to you." in signed_in(client, member).get(url(mine)).content.decode()


@pytest.mark.django_db
def test_only_facilitators_ask_or_reveal_and_only_on_questions(
    client, group, question, member, assigned_reading, facilitator
):
    signed_in(client, member)
    assert client.post(url(question, "answer-first"), {"action": "ask"}).status_code == 403
    ask_answer_first(annotation=question)
    assert client.post(url(question, "answer-first"), {"action": "reveal"}).status_code == 403
    assert client.get(url(question, "answer-first")).status_code == 405
    question.refresh_from_db()
    assert question.answer_first and question.revealed is None
    comment = make_annotation(group, assigned_reading, member, kind="comment", body="A remark")
    signed_in(client, facilitator)
    assert client.post(url(comment, "answer-first"), {"action": "ask"}).status_code == 403
    assert not Annotation.objects.get(pk=comment.pk).answer_first


@pytest.mark.django_db
def test_the_meeting_turning_to_the_question_reveals_it(
    group, assigned_reading, facilitator, member, client
):
    add_agenda_item(group=group, reading=assigned_reading, text="First?", minutes=5, seen_version=0)
    add_agenda_item(
        group=group, reading=assigned_reading, text="Second?", minutes=5, seen_version=1
    )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=2)
    first, second = (item.thread for item in AgendaItem.objects.select_related("thread"))
    for thread in (first, second):
        ask_answer_first(annotation=thread)
        post_reply(annotation=thread, parent=None, body=f"On {thread.body}", author=facilitator)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    first.refresh_from_db(), second.refresh_from_db()
    assert first.revealed and not second.revealed
    signed_in(client, member)
    assert "On First?" in client.get(meeting.get_absolute_url()).content.decode()
    step_meeting(meeting=meeting, step=1)
    second.refresh_from_db()
    assert second.revealed
    assert "On Second?" in client.get(url(second)).content.decode()


@pytest.mark.django_db
def test_the_thread_page_costs_no_more_queries_while_answers_come_first(
    client, question, member, facilitator, django_assert_num_queries
):
    post_reply(annotation=question, parent=None, body="A view.", author=facilitator)
    signed_in(client, member)
    client.get(url(question))
    # session, user, the assignment with its group and my role, thread, replies,
    # reactions, my vote, whether I follow it, my unread count
    with django_assert_num_queries(9):
        client.get(url(question))
    ask_answer_first(annotation=question)
    # Whether the member may read the replies stands in for fetching them.
    with django_assert_num_queries(9):
        assert "Answer first" in client.get(url(question)).content.decode()


# The property: whatever members and facilitators do, in whatever order, a
# member who has not replied, before the replies are revealed, finds no one
# else's reply text in anything the site gives them.

ACTORS = ("facilitator", "ana", "ben", "cy")
MEMBERS = ("ana", "ben", "cy")
step = st.tuples(st.sampled_from(ACTORS), st.sampled_from(["reply", "reveal", "ask"]))


def everything_shown_to(client, token: str, thread, live: str) -> str:
    """The thread page, the thread panel, the reading page, the API (the
    collection and each reply), both exports, search, the live poll and the
    inbox, as `client` gets them: one text."""
    group, reading = thread.group.slug, thread.reading.slug
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    pages = [
        client.get(url(thread)),
        client.get(url(thread), HTTP_HX_REQUEST="true"),
        client.get(reverse("discussions:reading", args=[group, reading])),
        client.get(f"/api/groups/{group}/readings/{reading}/annotations?page=first", **auth),
        client.get(reverse("interop:export_md", args=[group, reading])),
        client.get(reverse("interop:export_csv", args=[group, reading])),
        client.get("/search/", {"q": "lighthouse"}),
        client.get(live + f"&open={thread.pk}", HTTP_IF_NONE_MATCH='"0"'),
        client.get("/inbox/"),
        *(client.get(f"/api/annotations/{thread.pk}/replies/{pk}", **auth) for pk in thread.ids),
    ]
    return "\n".join(page.content.decode() for page in pages)


@pytest.mark.django_db
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=6))
def test_no_reply_text_reaches_a_member_who_must_answer_first(
    steps, group, organizer, facilitator, assigned_reading
):
    empty_caches()  # each example's rolled-back ids and versions come again
    with transaction.atomic():
        people = {"facilitator": facilitator}
        for name in MEMBERS:
            people[name] = make_user(f"{name}@example.org", name.title())
            add_member(group, people[name], Membership.Role.MEMBER)
            toggle_follow(user=people[name], group=group, reading=assigned_reading)
        thread = make_annotation(group, assigned_reading, organizer, body="Why the lighthouse?")
        ask_answer_first(annotation=thread)
        thread.ids, said = [], {}
        for number, (actor, action) in enumerate(steps):
            if action == "reply":
                body = f"lighthouse secret{number}x"
                reply = post_reply(annotation=thread, parent=None, body=body, author=people[actor])
                fan_out("reply_posted", {"reply_id": reply.pk})
                thread.ids.append(reply.pk)
                said[f"secret{number}x"] = actor
            elif actor == "facilitator":
                act = reveal_replies if action == "reveal" else ask_answer_first
                act(annotation=thread)
            thread.refresh_from_db()
        for name in MEMBERS:
            client = Client()
            client.force_login(people[name])
            page = client.get(reverse("discussions:reading", args=[group.slug, "on-the-syllabus"]))
            live = re.search(r'data-live-url="([^"]+)"', page.content.decode()).group(1)
            live = live.replace("&amp;", "&")
            seen = everything_shown_to(
                client, create_token(user=people[name], name="t"), thread, live
            )
            others = {word for word, author in said.items() if author != name}
            must_answer = thread.revealed is None and name not in said.values()
            if must_answer:
                assert not {word for word in others if word in seen}
                if said:
                    assert "Answer first to see the replies" in seen
            else:
                assert others <= {word for word in others if word in seen}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_reply_notification_quotes_no_reply_while_answers_come_first(
    group, assigned_reading, question, facilitator, member
):
    toggle_follow(user=member, group=group, reading=assigned_reading)
    ask_answer_first(annotation=question)
    reply = post_reply(annotation=question, parent=None, body="Hush now.", author=facilitator)
    fan_out("reply_posted", {"reply_id": reply.pk})
    told = Notification.objects.get(user=member)
    assert "Hush now." not in told.text
    assert told.text == "A new reply to a question to answer first: What is it for?"


@pytest.mark.django_db
def test_the_meeting_summary_keeps_unrevealed_responses_from_members(
    client, group, assigned_reading, facilitator, member
):
    for position, text in enumerate(("First?", "Second?")):
        add_agenda_item(
            group=group, reading=assigned_reading, text=text, minutes=5, seen_version=position
        )
    publish_agenda(group=group, reading=assigned_reading, actor=facilitator, seen_version=2)
    second = AgendaItem.objects.get(text="Second?").thread
    ask_answer_first(annotation=second)
    meeting = start_meeting(group=group, reading=assigned_reading, actor=facilitator)
    post_reply(annotation=second, parent=None, body="Said out of turn.", author=facilitator)
    end_meeting(meeting=meeting)
    summary = reverse("facilitation:summary_markdown", args=[group.slug, meeting.pk])
    for person, shown in ((member, False), (facilitator, True)):
        signed_in(client, person)
        for page in (meeting.get_absolute_url(), summary):
            assert ("Said out of turn." in client.get(page).content.decode()) is shown


@pytest.mark.django_db
def test_the_margin_keeps_the_count_but_not_who_replied_until_revealed(
    client, group, assigned_reading, question, facilitator, member
):
    ask_answer_first(annotation=question)
    post_reply(annotation=question, parent=None, body="Mine first.", author=facilitator)
    reading = reverse("discussions:reading", args=[group.slug, assigned_reading.slug])
    signed_in(client, member)
    link = re.compile(rf'data-thread-link="{question.pk}"[^>]*data-poster="(\d*)"')
    page = client.get(reading).content.decode()
    assert link.search(page).group(1) == "" and "1 reply" in page
    reveal_replies(annotation=Annotation.objects.get(pk=question.pk))
    assert link.search(client.get(reading).content.decode()).group(1) == str(facilitator.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("react", {"kind": "lost", "on": "1"}),
        ("flag", {"reason": "Rude"}),
        ("reply", {"parent": "{reply}", "body": "To the hidden one."}),
    ],
)
def test_a_reply_not_yet_readable_cannot_be_acted_on_by_its_id(
    client, question, facilitator, member, action, data
):
    ask_answer_first(annotation=question)
    hidden = post_reply(annotation=question, parent=None, body="Hidden.", author=facilitator)
    client.force_login(member)
    posted = {k: v.format(reply=hidden.pk) for k, v in data.items()}
    if action != "reply":
        posted["reply"] = str(hidden.pk)
    response = client.post(url(question, action), posted)
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.replies.count() == 1
    assert not hidden.reactions.exists() and not hidden.flags.exists()
