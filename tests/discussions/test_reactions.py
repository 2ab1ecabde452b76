"""Reactions on posts: "I'm lost", "Let's discuss this", "Good point", "I
disagree", one of each per member per post, taken back by pressing again,
shown with counts and who reacted."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discussions.models import Annotation, Reaction, Reply
from discussions.services import delete_post, moderate, post_reply, set_reaction
from groups.models import Assignment
from groups.services import assign_reading, create_group
from tests.conftest import add_member, browsing_as, make_annotation, make_user, signed_in

LOST = Reaction.Kind.LOST


@pytest.fixture
def question(group, member, assigned_reading):
    return make_annotation(group, assigned_reading, member, body="Why this word?", words="worth")


@pytest.fixture
def reply(question, facilitator):
    return post_reply(annotation=question, parent=None, body="Because.", author=facilitator)


def url(annotation, action=""):
    base = reverse(
        "discussions:thread", args=[annotation.group.slug, annotation.reading.slug, annotation.pk]
    )
    return base + (f"{action}/" if action else "")


def button(html: str, post, kind: str) -> tuple[str, int]:
    """A reaction button as the page shows it: (aria-pressed, count)."""
    which = "a" if isinstance(post, Annotation) else "r"
    found = re.search(
        rf'id="react-{which}{post.pk}-{kind}" class="reaction" aria-pressed="(\w+)">'
        r'.*?class="reaction-count">(\d+)<',
        html,
    )
    assert found, f"no {kind} button for {post}"
    return found.group(1), int(found.group(2))


def react_form(page, post, kind: str):
    """The form of a reaction button, from the page django-webtest opened."""
    which = "a" if isinstance(post, Annotation) else "r"
    return next(f for f in page.forms.values() if f'id="react-{which}{post.pk}-{kind}"' in f.text)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, expected, reacted",
    [
        ("anonymous", "L", False),
        ("outsider", 404, False),
        ("member", "R", True),
        ("facilitator", "R", True),
        ("organizer", "R", True),
        ("staff", 404, False),
    ],
)
def test_who_may_react(role, expected, reacted, request, question):
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.post(url(question, "react"), {"kind": LOST, "on": "1"})
    if expected == "L":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    elif expected == "R":
        assert response.status_code == 302 and response["Location"] == url(question)
    else:
        assert response.status_code == expected
    assert Reaction.objects.filter(annotation=question, kind=LOST).exists() == reacted
    if role != "anonymous":
        assert client.get(url(question, "react")).status_code == 405


@pytest.mark.django_db
def test_press_then_take_back_from_the_rendered_form(django_app, question, organizer):
    app = browsing_as(django_app, organizer)
    page = app.get(url(question))
    assert button(page.text, question, LOST) == ("false", 0)
    assert "Who reacted" not in page.text
    page = react_form(page, question, LOST).submit().follow()
    assert button(page.text, question, LOST) == ("true", 1)
    assert "<li>I&#x27;m lost: Olga Organizer</li>" in page.text
    page = react_form(page, question, LOST).submit().follow()
    assert button(page.text, question, LOST) == ("false", 0)
    assert not Reaction.objects.exists()


@pytest.mark.django_db
def test_reactions_to_a_reply_are_its_own(django_app, question, reply, organizer, member):
    page = react_form(browsing_as(django_app, organizer).get(url(question)), reply, "good_point")
    page = page.submit()
    assert page.location.endswith(f"#r-{reply.pk}")
    page = browsing_as(django_app, member).get(url(question))
    assert button(page.text, reply, "good_point") == ("false", 1)
    assert button(page.text, question, "good_point") == ("false", 0)
    assert Reaction.objects.get().reply == reply


@pytest.mark.django_db
def test_htmx_answers_with_the_thread_as_it_now_is(client, question, organizer, facilitator):
    set_reaction(annotation=question, reply=None, user=facilitator, kind=LOST, on=True)
    response = signed_in(client, organizer).post(
        url(question, "react"), {"kind": LOST, "on": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<article") and "<html" not in html
    assert button(html, question, LOST) == ("true", 2)
    assert "I&#x27;m lost: Femi Facilitator, Olga Organizer" in html


@pytest.mark.django_db
def test_authors_may_react_to_their_own_post(client, question, member):
    signed_in(client, member).post(url(question, "react"), {"kind": "discuss", "on": "1"})
    assert Reaction.objects.filter(user=member, kind="discuss").count() == 1


@pytest.mark.django_db
def test_one_of_each_kind_per_member_per_post(client, question, reply, organizer):
    signed_in(client, organizer)
    for _ in range(2):  # a double click, or a form sent again, puts it on once
        client.post(url(question, "react"), {"kind": LOST, "on": "1"})
        client.post(url(question, "react"), {"kind": LOST, "on": "1", "reply": reply.pk})
    client.post(url(question, "react"), {"kind": "disagree", "on": "1"})
    assert Reaction.objects.filter(reply=None).count() == 2
    assert Reaction.objects.filter(reply=reply).count() == 1
    # The database holds the line too, on the thread and on a reply.
    for on in (None, reply):
        with pytest.raises(IntegrityError), transaction.atomic():
            Reaction.objects.create(annotation=question, reply=on, user=organizer, kind=LOST)


@pytest.mark.django_db
def test_a_reaction_changes_the_discussion_version_only_when_it_changes(question, organizer):
    assignment = Assignment.objects.get()

    def version():
        assignment.refresh_from_db()
        return assignment.discussion_version

    before = version()
    set_reaction(annotation=question, reply=None, user=organizer, kind=LOST, on=True)
    assert version() == before + 1
    set_reaction(annotation=question, reply=None, user=organizer, kind=LOST, on=True)
    set_reaction(annotation=question, reply=None, user=organizer, kind="discuss", on=False)
    assert version() == before + 1
    set_reaction(annotation=question, reply=None, user=organizer, kind=LOST, on=False)
    assert version() == before + 2


@pytest.mark.django_db
def test_the_margin_counts_the_threads_own_reactions(
    client, question, reply, organizer, facilitator, member, assigned_reading
):
    page_url = reverse("discussions:reading", args=[question.group.slug, assigned_reading.slug])
    signed_in(client, member)
    assert "I&#x27;m lost:" not in client.get(page_url).content.decode()  # now cached
    for user in (organizer, facilitator):
        set_reaction(annotation=question, reply=None, user=user, kind=LOST, on=True)
    set_reaction(annotation=question, reply=reply, user=organizer, kind="discuss", on=True)
    page = client.get(page_url).content.decode()
    assert "I&#x27;m lost: 2" in page
    assert "Let&#x27;s discuss this:" not in page  # a reply's, seen in its thread


@pytest.mark.django_db
def test_the_live_poll_brings_reactions_to_other_members(
    client, question, organizer, member, assigned_reading
):
    signed_in(client, member)
    page = client.get(
        reverse("discussions:reading", args=[question.group.slug, assigned_reading.slug])
    ).content.decode()
    live = re.search(r'data-live-url="([^"]+)" data-live-version="(\d+)"', page)
    poll, etag = live.group(1).replace("&amp;", "&"), f'"{live.group(2)}"'
    set_reaction(annotation=question, reply=None, user=organizer, kind=LOST, on=True)
    response = client.get(poll + f"&open={question.pk}", HTTP_IF_NONE_MATCH=etag)
    html = response.content.decode()
    assert response.status_code == 200 and "I&#x27;m lost: 1" in html  # the margin
    assert button(html, question, LOST) == ("false", 1)  # the open thread


# The attacker's tests: each is refused with a 4xx and changes nothing.


def refused(client, annotation, data, status):
    version = Annotation.objects.get(pk=annotation.pk).version
    response = client.post(url(annotation, "react"), data)
    assert response.status_code == status
    assert not Reaction.objects.exists()
    assert Annotation.objects.get(pk=annotation.pk).version == version


@pytest.mark.django_db
def test_another_groups_thread_is_not_found(client, question, organizer, assigned_reading):
    other = create_group(name="Day readers", description="", creator=make_user("d@example.org"))
    assign_reading(group=other, reading=assigned_reading, meeting_date=None, notes="", actor=None)
    theirs = make_annotation(other, assigned_reading, other.memberships.get().user)
    signed_in(client, organizer)
    refused(client, theirs, {"kind": LOST, "on": "1"}, 404)
    # Their thread's id under our group's address is no thread of ours either.
    ours = reverse("discussions:thread", args=[question.group.slug, assigned_reading.slug, 0])
    response = client.post(ours.replace("/t/0/", f"/t/{theirs.pk}/") + "react/", {"kind": LOST})
    assert response.status_code == 404 and not Reaction.objects.exists()


@pytest.mark.django_db
def test_a_reply_of_another_thread_is_not_found(
    client, group, question, organizer, member, assigned_reading
):
    elsewhere = make_annotation(group, assigned_reading, member, kind="comment", body="Other")
    stray = post_reply(annotation=elsewhere, parent=None, body="Stray", author=member)
    signed_in(client, organizer)
    refused(client, question, {"kind": LOST, "on": "1", "reply": stray.pk}, 404)
    refused(client, question, {"kind": LOST, "on": "1", "reply": "x"}, 404)


@pytest.mark.django_db
def test_private_notes_take_no_reactions(client, group, member, organizer, assigned_reading):
    note = make_annotation(group, assigned_reading, member, kind="note", body="Mine")
    refused(signed_in(client, organizer), note, {"kind": LOST, "on": "1"}, 404)
    # Not even from their author: there is no one else to react with.
    refused(signed_in(client, member), note, {"kind": LOST, "on": "1"}, 403)
    assert 'class="reaction"' not in client.get(url(note)).content.decode()


@pytest.mark.django_db
def test_hidden_and_deleted_posts_take_none(client, question, reply, facilitator, organizer):
    moderate(post=reply, group=question.group, actor=facilitator, action="hidden")
    signed_in(client, organizer)
    refused(client, question, {"kind": LOST, "on": "1", "reply": reply.pk}, 403)
    delete_post(post=question)  # a placeholder now: the reply hangs on it
    refused(client, question, {"kind": LOST, "on": "1"}, 403)
    page = client.get(url(question)).content.decode()
    assert 'class="reaction"' not in page


@pytest.mark.django_db
def test_a_bogus_kind_or_state_is_a_bad_request(client, question, organizer):
    signed_in(client, organizer)
    refused(client, question, {"kind": "love", "on": "1"}, 400)
    refused(client, question, {"kind": LOST, "on": "yes"}, 400)
    refused(client, question, {"kind": LOST}, 400)


@pytest.mark.django_db
def test_reactions_go_with_their_user_post_and_thread(
    question, reply, organizer, facilitator, member
):
    for user in (organizer, facilitator, member):
        set_reaction(annotation=question, reply=None, user=user, kind=LOST, on=True)
        set_reaction(annotation=question, reply=reply, user=user, kind=LOST, on=True)
    organizer.delete()
    assert Reaction.objects.count() == 4
    Reply.objects.filter(pk=reply.pk).delete()
    assert list(Reaction.objects.values_list("user", "reply")) == [
        (facilitator.pk, None),
        (member.pk, None),
    ]
    Annotation.objects.filter(pk=question.pk).delete()
    assert not Reaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reactors", [2, 12])
def test_thread_page_queries_stay_flat(
    client, group, question, reply, member, reactors, django_assert_num_queries
):
    for n in range(reactors):
        user = make_user(f"r{n}@example.org")
        add_member(group, user)
        for kind in Reaction.Kind:
            set_reaction(annotation=question, reply=None, user=user, kind=kind, on=True)
            set_reaction(annotation=question, reply=reply, user=user, kind=kind, on=True)
    signed_in(client, member)
    # session, user, the assignment with its group and role, thread, replies,
    # reactions with their users, my vote, thread tools (following), the header's
    # inbox count
    with django_assert_num_queries(9):
        html = client.get(url(question)).content.decode()
    assert button(html, reply, "disagree") == ("false", reactors)


# The property: whatever members press, in whatever order, each button counts
# the members whose reaction of its kind is on, and shows whether it is the viewer's.

PRESSES = st.lists(
    st.tuples(
        st.integers(0, 2),  # who
        st.booleans(),  # on the reply (else the thread's own post)
        st.sampled_from(Reaction.Kind.values),
        st.booleans(),  # on or off
    ),
    max_size=25,
)


@pytest.mark.django_db
def test_counts_are_the_reactions_on_whatever_is_pressed(
    group, question, reply, organizer, facilitator, member
):
    people = [organizer, facilitator, member]
    client = signed_in(Client(), member)

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(PRESSES)
    def pressing(presses):
        with transaction.atomic():
            on = set()
            for who, on_reply, kind, state in presses:
                data = {"kind": kind, "on": "1" if state else "0"}
                if on_reply:
                    data["reply"] = reply.pk
                signed_in(client, people[who]).post(url(question, "react"), data)
                (on.add if state else on.discard)((who, on_reply, kind))
            html = signed_in(client, member).get(url(question)).content.decode()
            for on_reply, post in ((False, question), (True, reply)):
                for kind in Reaction.Kind.values:
                    mine = (2, on_reply, kind) in on
                    count = sum((w, on_reply, kind) in on for w in range(3))
                    assert button(html, post, kind) == (str(mine).lower(), count)
            assert Reaction.objects.count() == len(on)
            transaction.set_rollback(True)

    pressing()
