"""The inbox count in the header updates while a reading is open, and the
follow button works in place with htmx."""

import pytest
from playwright.sync_api import expect

from discussions.services import post_annotation, post_reply
from notifications.models import Follow, Notification
from tests.e2e.test_discussions import circle  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def test_a_reply_raises_the_header_count_without_a_reload(circle, open_as):  # noqa: F811
    asker, replier = circle["asker"], circle["replier"]
    page = open_as(asker, circle["url"])
    expect(page.get_by_role("link", name="Inbox, 0 unread")).to_be_visible()
    group = asker.memberships.get().group
    reading = group.assignments.get().reading
    # Committed for real (the live server's test is transactional): the fan-out
    # runs once the reply commits, as the worker would.
    thread = post_annotation(
        group=group,
        reading=reading,
        passage=reading.passages.first(),
        kind="question",
        body="Who met here?",
        author=asker,
        selector=None,
    )
    post_reply(annotation=thread, parent=None, body="Everyone did.", author=replier)
    expect(page.get_by_role("link", name="Inbox, 1 unread")).to_be_visible()
    # News about elsewhere (nothing changed on this reading) comes too.
    Notification.objects.create(
        user=asker, group=group, reading=reading, event="elsewhere", url="/", text="Elsewhere"
    )
    expect(page.get_by_role("link", name="Inbox, 2 unread")).to_be_visible()
    Notification.objects.filter(event="elsewhere").delete()
    expect(page.get_by_role("link", name="Inbox, 1 unread")).to_be_visible()
    page.get_by_role("link", name="Inbox, 1 unread").click()
    page.get_by_role("link", name="Rex Replier replied: Everyone did.").click()
    expect(page.get_by_text("Everyone did.")).to_be_visible()
    assert page.url.endswith(f"{thread.get_absolute_url()}#r-{thread.replies.get().pk}")


def test_follow_a_reading_in_place(circle, open_as):  # noqa: F811
    page = open_as(circle["replier"], circle["url"])
    page.get_by_role("button", name="Follow this reading").click()
    expect(page.get_by_role("button", name="Unfollow this reading")).to_be_visible()
    assert Follow.objects.filter(user=circle["replier"], annotation=None).exists()
    assert "follow" not in page.url  # no navigation: htmx swapped the button
