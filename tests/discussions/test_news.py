"""What is new since a member last looked: counted on the dashboard and the
group page, and said of each thread on the reading page (where news.js marks
it). Others' posts only, on view to the member, in their group."""

import re

import pytest

from discussions.models import Annotation, ModerationEvent
from discussions.services import delete_post, moderate, post_reply
from groups.services import assign_reading, create_group
from tests.conftest import add_member, browsing_as, make_annotation, make_user

from .test_reading import page_url

THREAD_LINK = re.compile(r'data-thread-link="(\d+)" data-posted="(\d+)" data-poster="(\d*)"')


def new_threads(html: str) -> set[int]:
    """The threads news.js marks "New" on a reading page: posted in after the
    viewer's visit before, last by someone else."""
    seen = int(re.search(r'data-seen="(\d+)"', html)[1])
    viewer = re.search(r'data-viewer="(\d+)"', html)[1]
    return {
        int(pk)
        for pk, posted, poster in THREAD_LINK.findall(html)
        if int(posted) > seen and poster != viewer
    }


def counts_on(page) -> list[str]:
    return re.findall(r"\d+ new posts?(?: \(\d+ questions?\))?", page.text)


@pytest.mark.django_db
def test_others_posts_are_counted_until_the_member_looks(
    django_app, group, member, organizer, assigned_reading
):
    question = make_annotation(group, assigned_reading, organizer)
    comment = make_annotation(group, assigned_reading, organizer, kind="comment")
    post_reply(annotation=question, parent=None, body="Also", author=organizer)
    browsing_as(django_app, member)
    dashboard = django_app.get("/")
    assert counts_on(dashboard) == ["3 new posts (1 question)"]
    assert counts_on(django_app.get(group.get_absolute_url())) == ["3 new posts (1 question)"]

    reading = dashboard.click(href=page_url(group, assigned_reading))
    assert new_threads(reading.text) == {question.pk, comment.pk}
    assert counts_on(django_app.get("/")) == []
    assert counts_on(django_app.get(group.get_absolute_url())) == []

    post_reply(annotation=question, parent=None, body="And again", author=organizer)
    assert counts_on(django_app.get("/")) == ["1 new post"]
    # The page shows what came since the visit before; opening it again moves that on.
    assert new_threads(django_app.get(page_url(group, assigned_reading)).text) == {question.pk}
    assert new_threads(django_app.get(page_url(group, assigned_reading)).text) == set()


@pytest.mark.django_db
def test_new_posts_arriving_are_new_to_the_open_page(
    client, group, member, organizer, assigned_reading
):
    client.force_login(member)
    client.get(page_url(group, assigned_reading))
    html = client.get(page_url(group, assigned_reading)).content.decode()
    seen = int(re.search(r'data-seen="(\d+)"', html)[1])
    question = make_annotation(group, assigned_reading, organizer)
    live = re.search(r'data-live-url="([^"]+)"', html)[1].replace("&amp;", "&")
    piece = client.get(live, HTTP_IF_NONE_MATCH=f'"{seen}"').content.decode()
    assert THREAD_LINK.findall(piece) == [(str(question.pk), str(seen + 1), str(organizer.pk))]


@pytest.mark.django_db
def test_own_posts_are_not_new(client, group, member, organizer, assigned_reading):
    mine = make_annotation(group, assigned_reading, member)
    theirs = make_annotation(group, assigned_reading, organizer)
    client.force_login(member)
    assert new_threads(client.get(page_url(group, assigned_reading)).content.decode()) == {
        theirs.pk
    }
    post_reply(annotation=mine, parent=None, body="Me again", author=member)
    # Replying to their thread is having read it.
    post_reply(annotation=theirs, parent=None, body="Read it", author=member)
    assert new_threads(client.get(page_url(group, assigned_reading)).content.decode()) == set()
    assert counts_on_dashboard(client) == []


def counts_on_dashboard(client) -> list[str]:
    return re.findall(r"\d+ new posts?", client.get("/").content.decode())


@pytest.mark.django_db
def test_private_notes_hidden_and_deleted_posts_of_others_are_not_new(
    client, group, member, organizer, facilitator, assigned_reading
):
    make_annotation(group, assigned_reading, organizer, kind="note")
    hidden = make_annotation(group, assigned_reading, organizer)
    moderate(post=hidden, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    deleted = make_annotation(group, assigned_reading, organizer)
    delete_post(post=deleted)
    thread = make_annotation(group, assigned_reading, member)
    client.force_login(member)
    client.get(page_url(group, assigned_reading))
    reply = post_reply(annotation=thread, parent=None, body="Hidden soon", author=organizer)
    gone = post_reply(annotation=thread, parent=None, body="Deleted soon", author=organizer)
    assert counts_on_dashboard(client) == ["2 new posts"]
    moderate(post=reply, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    gone.annotation = thread
    delete_post(post=gone)
    assert counts_on_dashboard(client) == []
    assert new_threads(client.get(page_url(group, assigned_reading)).content.decode()) == set()


@pytest.mark.django_db
def test_a_restored_post_is_new_again(
    client, group, member, organizer, facilitator, assigned_reading
):
    thread = make_annotation(group, assigned_reading, organizer)
    moderate(post=thread, group=group, actor=facilitator, action=ModerationEvent.Action.HIDDEN)
    client.force_login(member)
    assert counts_on_dashboard(client) == []
    moderate(post=thread, group=group, actor=facilitator, action=ModerationEvent.Action.RESTORED)
    assert counts_on_dashboard(client) == ["1 new post"]
    assert new_threads(client.get(page_url(group, assigned_reading)).content.decode()) == {
        thread.pk
    }


@pytest.mark.django_db
def test_posts_in_another_group_on_the_same_reading_are_not_counted(
    client, group, member, organizer, outsider, assigned_reading
):
    other = create_group(name="Elsewhere", description="", creator=outsider)
    add_member(other, make_user("other@example.org"))
    assign_reading(
        group=other, reading=assigned_reading, meeting_date=None, notes="", actor=outsider
    )
    make_annotation(other, assigned_reading, outsider)
    client.force_login(member)
    assert counts_on_dashboard(client) == []
    html = client.get(page_url(group, assigned_reading)).content.decode()
    assert new_threads(html) == set() and Annotation.objects.count() == 1
    # Looking at one group's page is not looking at the other's.
    add_member(other, member)
    assert counts_on_dashboard(client) == ["1 new post"]
