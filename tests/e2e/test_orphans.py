"""Orphans in a browser: the reading page's "From an earlier version" and the
review page pass axe-core, and a facilitator attaches an orphan to new words
by the page's labelled controls."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from discussions.models import Annotation
from groups.models import Membership
from groups.services import assign_reading, create_group
from readings.models import Passage, Reading
from tests.conftest import PASSWORD, add_member, make_annotation, make_user
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

TEXTS = [
    "Kitchen tables were where the circle met, week after week.",
    "They read aloud, and argued over every line they read.",
]


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def circle(transactional_db):
    facilitator = make_user("fay@example.org", "Fay Facilitator")
    member = make_user("mo@example.org", "Mo Member")
    group = create_group(name="Kitchen table", description="", creator=facilitator)
    add_member(group, member)
    Membership.objects.filter(user=facilitator).update(role=Membership.Role.FACILITATOR)
    reading = Reading.objects.create(
        title="Study circles", slug="study-circles", status="published", revision=2
    )
    for position, text in enumerate(TEXTS, start=1):
        Passage.objects.create(
            reading=reading, position=position, anchor=f"p-00000{position}", text=text, html=text
        )
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=facilitator)
    lost = make_annotation(group, reading, member, body="Which circle?", words="circle")
    Annotation.objects.filter(pk=lost.pk).update(orphaned=2, start=None, end=None)
    return {"facilitator": facilitator, "orphan": lost, "url": f"/g/{group.slug}/r/{reading.slug}/"}


def test_orphans_are_listed_reviewed_and_attached_again(page, circle):
    sign_in(page, circle["facilitator"].email, PASSWORD)
    page.goto(circle["url"])
    earlier = page.get_by_role("region", name="From an earlier version")
    expect(earlier).to_contain_text("Mo Member on circle")
    assert_accessible(page)

    earlier.get_by_role("link", name="Attach them to the text again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attach threads to the text again")
    assert_accessible(page)
    page.get_by_label("Passage").select_option(
        label="2. They read aloud, and argued over every line…"
    )
    page.get_by_label("The words to attach it to").fill("read")
    page.get_by_role("button", name="Attach it here").click()
    expect(page.get_by_role("alert")).to_contain_text("These words occur 2 times in that passage")
    assert_accessible(page)  # the page with its error
    page.get_by_label("Which time they occur, if more than once").fill("2")
    page.get_by_role("button", name="Attach it here").click()
    expect(page.get_by_text("The question is attached to the text again.")).to_be_visible()

    page.goto(circle["url"])
    expect(page.get_by_role("region", name="From an earlier version")).to_have_count(0)
    expect(page.locator("mark.anno")).to_have_text("read")
