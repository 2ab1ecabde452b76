"""The reading page's cached pieces: members share them, but whatever changes
what a piece shows, or who may see it, gives the next view a fresh one."""

import threading
import time
from functools import partial

import pytest
from django.test import Client
from django.urls import reverse

from discussions import pieces
from discussions.models import ModerationEvent
from discussions.pieces import draw_once
from discussions.services import edit_post, moderate, post_reply, set_vote
from groups.models import Assignment, Membership
from groups.services import assign_reading, join_group, remove_member
from tests.conftest import (
    add_member,
    browsing_as,
    form_with,
    make_annotation,
    make_user,
    signed_in,
)


@pytest.fixture
def second(group):
    other = make_user("second@example.org", "Sam Second")
    add_member(group, other)
    return other


def view(user, group, reading, query="") -> str:
    url = reverse("discussions:reading", args=[group.slug, reading.slug]) + query
    response = signed_in(Client(), user).get(url)
    assert response.status_code == 200
    return response.content.decode()


def poll(user, group, reading, since: int) -> str:
    """The live poll's answer for changes after version `since`, as `user` sees it."""
    client = signed_in(Client(), user)
    page = client.get(reverse("discussions:reading", args=[group.slug, reading.slug]))
    live_url = page.context["live_url"]
    response = client.get(live_url, HTTP_IF_NONE_MATCH=f'"{since}"')
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_private_note_is_never_served_to_another_member(group, member, second, assigned_reading):
    view(second, group, assigned_reading)  # the members' pieces are cached
    make_annotation(group, assigned_reading, member, kind="note", body="My own reminder")
    assert "My own reminder" in view(member, group, assigned_reading)
    assert "My own reminder" not in view(second, group, assigned_reading)
    assert "My own reminder" not in poll(second, group, assigned_reading, since=0)
    assert "My own reminder" in view(member, group, assigned_reading)


@pytest.mark.django_db
def test_hiding_a_post_reaches_every_viewer_after_they_have_seen_it(
    group, member, second, facilitator, assigned_reading
):
    comment = make_annotation(group, assigned_reading, member, kind="comment", body="Rude words")
    for person in (member, second, facilitator):
        assert "Rude words" in view(person, group, assigned_reading)
    moderate(post=comment, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    seen_by_second = view(second, group, assigned_reading)
    assert "Rude words" not in seen_by_second
    assert "hidden by a moderator" in seen_by_second
    # The author and moderators still see it, marked hidden.
    for person in (member, facilitator):
        page = view(person, group, assigned_reading)
        assert "Rude words" in page
        assert "· hidden" in page
    moderate(post=comment, group=group, actor=facilitator, action=ModerationEvent.Action.RESTORED)
    assert "Rude words" in view(second, group, assigned_reading)


@pytest.mark.django_db
def test_edits_replies_and_votes_show_on_the_next_view(group, member, second, assigned_reading):
    question = make_annotation(group, assigned_reading, member, body="First wording")
    before = view(second, group, assigned_reading)
    assert "First wording" in before
    assert "1 reply" not in before
    edit_post(post=question, body="Second wording")
    post_reply(annotation=question, parent=None, body="An answer", author=second)
    set_vote(annotation=question, user=second, on=True)
    after = view(second, group, assigned_reading)
    assert "Second wording" in after
    assert "First wording" not in after
    # In the margin and in the questions list alike.
    assert after.count("1 has this question") == 2
    assert "1 reply" in after


@pytest.mark.django_db
def test_a_new_display_name_shows_on_the_next_view(group, member, second, assigned_reading):
    make_annotation(group, assigned_reading, member, body="Signed question")
    assert "Maya Member:" in view(second, group, assigned_reading)
    member.display_name = "Maya Renamed"
    member.save()
    page = view(second, group, assigned_reading)
    assert "Maya Renamed:" in page
    assert "Maya Member" not in page


@pytest.mark.django_db
def test_a_former_member_renamed_in_their_settings_shows_by_the_new_name(
    django_app, group, member, second, assigned_reading
):
    make_annotation(group, assigned_reading, second, body="Asked before leaving")
    membership = Membership.objects.get(group=group, user=second)
    remove_member(group=group, membership=membership, actor=second)
    since = Assignment.objects.get(group=group, reading=assigned_reading).discussion_version
    assert "Sam Second:" in view(member, group, assigned_reading)
    browsing_as(django_app, second)
    form = form_with(django_app.get(reverse("accounts:settings")), "Save name")
    form["display_name"] = "Sam Elsewhere"
    form.submit().follow()
    # No longer in the group, still the author of a thread there: the page and
    # the poll's answer both name them anew.
    page = view(member, group, assigned_reading)
    assert "Sam Elsewhere:" in page and "Sam Second" not in page
    make_annotation(group, assigned_reading, member, body="A new question")
    answer = poll(member, group, assigned_reading, since)
    assert "A new question" in answer and "Sam Second" not in answer


@pytest.mark.django_db
def test_who_joins_or_leaves_is_in_the_filter_at_once(group, member, assigned_reading):
    newcomer = make_user("nell@example.org", "Nell Newcomer")
    assert "Nell Newcomer" not in view(member, group, assigned_reading)
    join_group(group=group, user=newcomer, code=group.invite_code)
    option = f'<option value="{newcomer.pk}">Nell Newcomer</option>'
    assert option in view(member, group, assigned_reading)
    membership = Membership.objects.get(group=group, user=newcomer)
    remove_member(group=group, membership=membership, actor=newcomer)
    assert "Nell Newcomer" not in view(member, group, assigned_reading)


@pytest.mark.django_db
def test_a_removed_author_takes_their_posts_from_every_view(
    group, member, second, assigned_reading
):
    make_annotation(group, assigned_reading, second, body="Soon gone")
    make_annotation(group, assigned_reading, member, body="Staying on")
    assert "Soon gone" in view(member, group, assigned_reading)
    second.delete()  # an operator deletes the account: its posts go with it
    page = view(member, group, assigned_reading)
    assert "Soon gone" not in page
    assert "Staying on" in page


@pytest.mark.django_db
def test_a_filtered_view_neither_uses_nor_leaves_cached_pieces(
    group, member, second, assigned_reading
):
    make_annotation(group, assigned_reading, member, body="Mine indeed")
    make_annotation(group, assigned_reading, second, body="Someone else's")
    mine = view(member, group, assigned_reading, "?mine=on")
    assert "Mine indeed" in mine
    assert "Someone else&#x27;s" not in mine
    everything = view(member, group, assigned_reading)
    assert "Someone else&#x27;s" in everything
    assert "Someone else&#x27;s" not in view(member, group, assigned_reading, "?mine=on")


@pytest.mark.django_db
def test_one_moderators_note_never_reaches_another(group, facilitator, organizer, assigned_reading):
    view(organizer, group, assigned_reading)  # moderators' pieces are cached
    make_annotation(group, assigned_reading, facilitator, kind="note", body="Ask Sam later")
    assert "Ask Sam later" in view(facilitator, group, assigned_reading)
    assert "Ask Sam later" not in view(organizer, group, assigned_reading)
    # Nor does the other's cached piece hide one's own note.
    make_annotation(group, assigned_reading, organizer, kind="note", body="Bring the map")
    assert "Bring the map" in view(organizer, group, assigned_reading)
    page = view(facilitator, group, assigned_reading)
    assert "Ask Sam later" in page and "Bring the map" not in page


@pytest.mark.django_db
def test_hiding_reaches_members_after_the_reading_leaves_the_syllabus_and_returns(
    group, organizer, member, second, facilitator, assigned_reading
):
    comment = make_annotation(group, assigned_reading, member, kind="comment", body="Rude words")
    other = make_annotation(group, assigned_reading, second, kind="comment", body="Kind words")
    assert other.passage == comment.passage
    for _ in range(3):  # the other thread's version climbs past what a new count starts at
        post_reply(annotation=other, parent=None, body="Really?", author=member)
    Assignment.objects.get(group=group, reading=assigned_reading).delete()
    assign_reading(
        group=group, reading=assigned_reading, meeting_date=None, notes="", actor=organizer
    )
    assert "Rude words" in view(second, group, assigned_reading)
    moderate(post=comment, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    assert "Rude words" not in view(second, group, assigned_reading)


def test_requests_asking_at_once_wait_for_the_pieces_one_of_them_draws(monkeypatch):
    """Members arriving together ask for the same pieces, not cached yet:
    while one request draws them, another waits and is given them rather
    than draw them too. One that waits in vain, the drawing never finished,
    draws them itself, and what it drew is kept."""
    keys = ["test:one", "test:two"]
    drawn = []

    def draw(missing, where="here"):
        drawn.append((where, missing))
        if where == "nowhere":
            raise RuntimeError("this request failed while drawing")
        time.sleep(0.2)
        return {key: f"{key} drawn {where}" for key in missing}

    there = threading.Thread(target=draw_once, args=(keys, partial(draw, where="there"), 60))
    there.start()
    time.sleep(0.05)  # the other request is drawing them...
    assert draw_once(keys, draw, 60) == {key: f"{key} drawn there" for key in keys}
    there.join()
    assert drawn == [("there", keys)]  # ...and this one drew nothing

    monkeypatch.setattr(pieces, "DRAW_WAIT", 0.3)
    others = ["test:three", "test:four"]
    with pytest.raises(RuntimeError):
        draw_once(others, partial(draw, where="nowhere"), 60)  # still marked as drawing
    assert draw_once(others, draw, 60) == {key: f"{key} drawn here" for key in others}
    assert draw_once(others, draw, 60) == {key: f"{key} drawn here" for key in others}
    assert drawn[1:] == [("nowhere", others), ("here", others)]
