"""Participation: what each member did across a group's readings, for its
facilitators; one's own, for a member; nothing, when the group turns it off."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from discussions.models import ModerationEvent, Reaction
from discussions.services import delete_post, moderate, post_reply, set_reaction, set_vote
from groups.services import assign_reading
from tests.conftest import (
    add_member,
    browsing_as,
    make_annotation,
    make_reading,
    make_user,
    signed_in,
)

COLUMNS = ["posts", "questions", "comments", "replies", "votes", "reactions", "opened"]


def participation_url(group) -> str:
    return reverse("facilitation:participation", args=[group.slug])


def rows(html: str) -> dict:
    """The table as {member: {column: figure}}."""
    table = BeautifulSoup(html, "html.parser").find(id="member-figures")
    found = {}
    for row in table.tbody.find_all("tr"):
        cells = [td.get_text(strip=True) for td in row.find_all("td")]
        found[row.th.get_text(strip=True)] = dict(zip(COLUMNS, cells, strict=True))
    return found


@pytest.fixture
def discussed(group, assigned_reading, organizer, facilitator, member):
    """Maya, the member: a question, a comment, a reply, two votes, a reaction;
    and what must not count: a private note (with a reply and a reaction to it),
    a deleted comment, a hidden reply, a reaction to a post hidden since. She
    opened one of the group's two readings, twice."""
    reading = assigned_reading
    unopened = make_reading(passages=2, title="Unopened")
    assign_reading(group=group, reading=unopened, meeting_date=None, notes="", actor=organizer)
    asked = make_annotation(group, reading, member, body="Why?")
    make_annotation(group, reading, member, kind="comment", body="I see.")
    theirs = make_annotation(group, reading, facilitator, body="And you?")
    other = make_annotation(group, reading, organizer, body="Or this?")
    post_reply(annotation=theirs, parent=None, body="Me too.", author=member)
    set_vote(annotation=theirs, user=member, on=True)
    set_vote(annotation=other, user=member, on=True)
    set_vote(annotation=asked, user=facilitator, on=True)
    set_reaction(annotation=theirs, reply=None, user=member, kind=Reaction.Kind.LOST, on=True)

    note = make_annotation(group, reading, member, kind="note", body="Mine alone")
    post_reply(annotation=note, parent=None, body="Still mine", author=member)
    Reaction.objects.create(annotation=note, user=member, kind=Reaction.Kind.DISCUSS)
    gone = make_annotation(group, reading, member, kind="comment", body="Oops")
    delete_post(post=gone)
    rude = post_reply(annotation=theirs, parent=None, body="Rude", author=member)
    moderate(post=rude, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    hidden = make_annotation(group, reading, organizer, kind="comment", body="Hidden")
    set_reaction(annotation=hidden, reply=None, user=member, kind=Reaction.Kind.DISCUSS, on=True)
    moderate(post=hidden, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)

    reading_page = reverse("discussions:reading", args=[group.slug, reading.slug])
    for _ in range(2):
        signed_in(Client(), member).get(reading_page)
    return reading


MAYA = {
    "posts": "3",
    "questions": "1",
    "comments": "1",
    "replies": "1",
    "votes": "2",
    "reactions": "1",
    "opened": "1 of 2",
}


@pytest.mark.django_db
def test_facilitators_see_every_members_figures(client, group, facilitator, discussed):
    html = signed_in(client, facilitator).get(participation_url(group)).content.decode()
    assert rows(html) == {
        "Femi Facilitator": {
            "posts": "1",
            "questions": "1",
            "comments": "0",
            "replies": "0",
            "votes": "1",
            "reactions": "0",
            "opened": "0 of 2",
        },
        "Maya Member": MAYA,
        "Olga Organizer": {
            "posts": "1",
            "questions": "1",
            "comments": "0",
            "replies": "0",
            "votes": "0",
            "reactions": "0",
            "opened": "0 of 2",
        },
    }
    # The chart: a bar per member, Maya's three posts end to end, the longest.
    chart = BeautifulSoup(html, "html.parser").select_one("svg.chart")
    assert chart["role"] == "img" and chart["aria-labelledby"] == "chart-title chart-desc"
    names = [t.get_text() for t in chart.find_all("text")][::2]
    assert names == ["Femi Facilitator", "Maya Member", "Olga Organizer"]
    widths = [
        [float(r["width"]) for r in chart.select(f"rect.{css}")] for css in ("pq", "pc", "pr")
    ]
    assert widths == [[126.7, 126.7, 126.7], [126.7], [126.7]]  # of 380, for 3 posts


@pytest.mark.django_db
def test_a_member_sees_only_their_own_row(client, group, member, facilitator, discussed):
    signed_in(client, member)
    for query in ("", f"?user={facilitator.pk}", f"?member={facilitator.pk}&all=1"):
        html = client.get(participation_url(group) + query).content.decode()
        assert rows(html) == {"Maya Member": MAYA}
        assert "Femi Facilitator" not in html
        assert "Your participation" in html


@pytest.mark.django_db
def test_turned_off_it_is_gone_for_everyone(
    django_app, client, group, organizer, facilitator, member, discussed
):
    url = participation_url(group)
    for person in (member, facilitator, organizer):
        assert f'href="{url}"' in signed_in(client, person).get(group.get_absolute_url()).text
    edit = browsing_as(django_app, organizer).get(reverse("groups:edit", args=[group.slug]))
    form = next(f for f in edit.forms.values() if "participation_visible" in f.fields)
    assert form["participation_visible"].checked
    form["participation_visible"] = False
    form.submit().follow()
    group.refresh_from_db()
    assert group.participation_visible is False
    for person in (member, facilitator, organizer):
        signed_in(client, person)
        assert client.get(url).status_code == 404
        assert f'href="{url}"' not in client.get(group.get_absolute_url()).text


@pytest.mark.django_db
def test_another_groups_participation_is_not_found(client, group, outsider, member):
    other_member = make_user("other@example.org")
    assert signed_in(client, outsider).get(participation_url(group)).status_code == 404
    add_member(group, other_member)
    # A member of this group asking about it gets their own row, nothing else.
    assert rows(signed_in(client, other_member).get(participation_url(group)).text) == {
        "other": {**dict.fromkeys(COLUMNS, "0"), "opened": "0 of 0"}
    }


@pytest.mark.django_db
def test_queries_stay_flat_as_members_join_and_post(
    client, django_assert_num_queries, group, facilitator, assigned_reading
):
    signed_in(client, facilitator)
    for n in range(3):
        for k in range(4 * n):
            person = make_user(f"reader{n}-{k}@example.org")
            add_member(group, person)
            thread = make_annotation(group, assigned_reading, person, body="Hm?")
            post_reply(annotation=thread, parent=None, body="Yes", author=facilitator)
            set_vote(annotation=thread, user=facilitator, on=True)
        # Session and user, the group with the viewer's role; the members, and
        # each of their six figures counted by person; the count of readings;
        # the header's inbox count.
        with django_assert_num_queries(12):
            assert client.get(participation_url(group)).status_code == 200
