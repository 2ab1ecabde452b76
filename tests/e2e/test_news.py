"""What is new since the last visit, in a browser: another member's threads are
labelled "New", "Next new" (the button or the N key) moves focus to each in
turn, and a thread posted while the page is open is labelled as it arrives."""

import pytest
from playwright.sync_api import expect

from discussions.models import Annotation
from groups.models import Group
from readings.models import Passage, Reading
from tests.conftest import make_annotation

from .test_discussions import circle  # noqa: F401  (a fixture)

pytestmark = pytest.mark.e2e


def thread_link(page, annotation: Annotation):
    return page.locator(f'[data-thread-link="{annotation.pk}"]')


def test_next_new_moves_focus_through_others_new_threads(circle, open_as):  # noqa: F811
    group, reading = Group.objects.get(), Reading.objects.get()
    first, second = Passage.objects.order_by("position")
    mine = make_annotation(group, reading, circle["asker"], passage=first, body="My own")
    theirs = make_annotation(group, reading, circle["replier"], passage=first, body="Why here?")
    later = make_annotation(group, reading, circle["replier"], passage=second, body="And here?")

    page = open_as(circle["asker"], circle["url"])
    expect(thread_link(page, theirs)).to_contain_text("New")
    expect(thread_link(page, later)).to_contain_text("New")
    expect(thread_link(page, mine)).not_to_contain_text("New")
    expect(page.get_by_role("status").filter(has_text="2 threads with new posts")).to_be_visible()

    page.get_by_role("button", name="Next new").click()
    expect(thread_link(page, theirs)).to_be_focused()
    page.keyboard.press("n")
    expect(thread_link(page, later)).to_be_focused()
    page.keyboard.press("n")
    expect(thread_link(page, theirs)).to_be_focused()

    # Posted while the page is open: the live poll brings it, labelled.
    arriving = make_annotation(group, reading, circle["replier"], passage=second, body="Now?")
    expect(thread_link(page, arriving)).to_contain_text("New")
    # Typing N in a field is typing, not moving.
    page.get_by_role("link", name="Ask a question").first.click()
    field = page.locator("textarea").first
    field.press("n")
    expect(field).to_be_focused()
    expect(field).to_have_value("n")
