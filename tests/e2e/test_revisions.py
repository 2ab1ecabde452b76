"""Staff upload a revised text of a published reading, review what it changes
and where each group's agenda items go, and publish it."""

import pytest
from playwright.sync_api import expect

from facilitation.models import AgendaItem
from groups.services import assign_reading, create_group
from tests.conftest import PASSWORD, make_reading, make_user
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e
REVISED = (
    b"Passage number 1 says something worth discussing.\n\n"
    b"Passage number 2 says something rather different, worth discussing.\n\n"
    b"A passage the first edition left out, restored here.\n"
)


@pytest.fixture
def staff(transactional_db):
    return make_user("admin@example.org", "Ada Admin", is_staff=True)


def test_upload_review_and_publish_a_revision(page, staff):
    reading = make_reading(title="Revised often")
    group = create_group(name="Night readers", description="", creator=staff)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=staff)
    AgendaItem.objects.create(
        group=group,
        reading=reading,
        position=1,
        text="Why this?",
        passage=reading.passages.get(position=3),
        exact="worth",
        start=32,
        end=37,
    )
    sign_in(page, staff.email, PASSWORD)
    page.goto(reading.get_absolute_url())
    revised = {"name": "revised.txt", "mimeType": "text/plain", "buffer": REVISED}
    page.get_by_label("Revised text", exact=True).set_input_files(revised)
    page.get_by_role("button", name="Upload a revised text").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
    expect(page.locator(".revision-counts")).to_have_text(
        "1 passage added, 1 removed, 1 edited, 1 unchanged."
    )
    expect(page.locator(".change--edited ins")).not_to_have_count(0)
    night = page.get_by_role("region", name="Night readers")
    expect(night).to_contain_text("0 kept, 0 moved, 1 orphaned.")
    expect(night.get_by_role("row", name="Agenda item 1")).to_contain_text("Orphaned")
    assert_accessible(page)

    page.get_by_role("button", name="Publish this revision").click()
    expect(page.get_by_text("Version 2 is published.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish this revision")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Revision history").click()
    expect(page.get_by_role("row")).to_have_count(3)
    assert_accessible(page)
