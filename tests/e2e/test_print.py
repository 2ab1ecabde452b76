"""The print edition in a browser: it passes axe-core on screen, and printed
(print media emulated) it shows no site navigation or form, each passage with
its notes beside it and kept together on a page of the paper chosen; its PDF,
made by the task worker, downloaded from the page that waited for it."""

import pytest
from playwright.sync_api import expect

from discussions.services import post_reply
from groups.models import Membership
from groups.services import assign_reading, create_group
from tests.conftest import add_member, make_annotation, make_reading, make_user
from tests.e2e.conftest import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.fixture
def printed(transactional_db):
    organizer = make_user("olga@example.org", "Olga Organizer")
    member = make_user("maya@example.org", "Maya Member")
    group = create_group(name="Night readers", description="", creator=organizer)
    add_member(group, member, Membership.Role.MEMBER)
    reading = make_reading(passages=4, title="On reading")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=organizer)
    second = reading.passages.get(position=2)
    thread = make_annotation(
        group, reading, member, body="Worth what?", passage=second, words="worth"
    )
    post_reply(annotation=thread, parent=None, body="Worth the night.", author=organizer)
    return member, f"/g/{group.slug}/r/{reading.slug}/print/", second


def test_printed_the_notes_stay_beside_their_passage(open_as, printed):
    member, url, second = printed
    page = open_as(member, url)
    expect(page.get_by_role("button", name="Download PDF")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Letter").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**paper=letter**")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Site")).to_be_hidden()
    expect(page.get_by_role("button", name="Download PDF")).to_be_hidden()
    passage = page.locator(f"#{second.anchor}")
    notes = page.get_by_role("complementary", name="Notes on passage 2")
    expect(notes).to_contain_text("Worth the night.")
    text_box, notes_box = passage.bounding_box(), notes.bounding_box()
    assert notes_box["x"] >= text_box["x"] + text_box["width"]  # beside, not below
    assert abs(notes_box["y"] - text_box["y"]) < 5
    row = passage.locator("xpath=..")
    assert row.evaluate("el => getComputedStyle(el).breakInside") == "avoid"
    edition = page.locator("article.edition")
    assert edition.evaluate("el => getComputedStyle(el).page") == "edition-letter"
    mark = passage.locator("mark.anno")
    assert mark.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"


def test_the_pdf_is_made_then_downloaded(open_as, printed):
    member, url, _ = printed
    page = open_as(member, url)
    page.get_by_label("Letter").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**paper=letter**")
    page.get_by_role("button", name="Download PDF").click()
    # The task runs at once here, as in development: the job's page offers the file.
    expect(page.get_by_role("heading", name="Your PDF is ready")).to_be_visible()
    expect(page.get_by_text("on Letter paper")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith("on-reading.pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
