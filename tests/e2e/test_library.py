"""An admin brings a saved web article in, checks the split, publishes it and reads it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from readings import tasks
from readings.models import Reading, Upload
from tests.conftest import PASSWORD, make_user
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e
ARTICLE = Path(__file__).resolve().parents[1] / "readings" / "inputs" / "saved-article.html"


@pytest.fixture
def staff(transactional_db):
    return make_user("admin@example.org", "Ada Admin", is_staff=True)


def test_upload_preview_publish_and_read(page, staff):
    sign_in(page, staff.email, PASSWORD)
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_label("File").set_input_files(ARTICLE)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Kitchen tables and picket lines")
    expect(page.get_by_text("Imported. Check how it was split")).to_be_visible()
    turns = page.locator(".segment--speaker_turn")
    expect(turns).to_have_count(4)
    expect(turns.first).to_contain_text("The Lantern Review")
    expect(page.locator(".segment--caption")).to_contain_text("A study circle in Malmö, 1932.")
    page.get_by_text("Left out as page furniture").click()
    expect(page.locator(".dropped")).to_contain_text("Share this: Twitter Facebook")

    page.get_by_label("Author").fill("Theo Marsh and Ada")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Details saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("“Kitchen tables and picket lines” is published.")).to_be_visible()

    page.get_by_role("link", name="Open the reading page").click()
    expect(page.locator(".byline")).to_have_text("Theo Marsh and Ada")
    first_turn = page.locator(".passage--speaker_turn").first
    expect(first_turn.locator(".speaker")).to_have_text("The Lantern Review")
    expect(page.get_by_role("link", name="the archive")).to_have_attribute(
        "rel", "nofollow noopener"
    )

    # The permalink is hidden until hovered or reached by keyboard.
    permalink = first_turn.get_by_role("link", name="Link to this passage")
    expect(permalink).to_have_css("opacity", "0")
    permalink.focus()
    expect(permalink).to_have_css("opacity", "1")
    permalink.click()
    anchor = first_turn.get_attribute("id")
    assert page.url.endswith(f"#{anchor}")


def test_upload_shows_progress_while_the_server_works(page, staff):
    sign_in(page, staff.email, PASSWORD)
    page.goto("/library/")
    # Keep the browser on the page after submitting, as it is while a large
    # file uploads and imports; the page's own submit handler still runs.
    page.evaluate(
        """document.querySelector("[data-upload-form]")
            .addEventListener("submit", (event) => event.preventDefault())"""
    )
    status = page.locator("[data-upload-status]")
    expect(status).to_be_hidden()
    page.get_by_label("Or paste the text").fill("A title\n\nA paragraph.")
    page.get_by_role("button", name="Import").click()
    expect(status).to_be_visible()
    expect(status).to_contain_text("Sending the file.")
    expect(page.get_by_role("button", name="Import")).to_be_disabled()


def test_reading_page_fits_a_small_phone(page, staff):
    sign_in(page, staff.email, PASSWORD)
    page.goto("/library/")
    page.get_by_label("File").set_input_files(ARTICLE)
    page.get_by_role("button", name="Import").click()
    page.get_by_role("link", name="Open the reading page").click()
    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # No margin to hang the permalink in: it sits visibly in the flow.
    expect(page.locator(".permalink").first).to_have_css("position", "static")


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, staff, settings):
    settings.READING_MAX_BYTES = 1024
    sign_in(page, staff.email, PASSWORD)
    page.goto("/library/")
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.get_by_label("Title").fill("A title I typed")
    big = {"name": "long.txt", "mimeType": "text/plain", "buffer": b"x" * 2048}
    page.get_by_label("File").set_input_files(big)
    page.get_by_role("button", name="Import").click()

    message = page.get_by_label("File").evaluate("input => input.validationMessage")
    assert message == "The file is larger than 1 KB, the largest reading accepted."
    assert posts == []
    expect(page.get_by_label("Title")).to_have_value("A title I typed")


def test_the_upload_page_follows_the_import_until_the_preview(page, staff):
    # Queued, not yet taken by the worker: as with a long PDF on a busy worker.
    upload = Upload.objects.create(filename="walking.txt", data=b"On walking\n\nA walk.")
    sign_in(page, staff.email, PASSWORD)
    page.goto(upload.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Importing walking.txt…")
    assert_accessible(page)

    tasks.import_upload.call(upload.pk)  # the worker's turn
    expect(page.get_by_text("Imported. Check how it was split")).to_be_visible()
    assert page.url.endswith(Reading.objects.get().get_absolute_url())


def test_a_file_that_cannot_be_read_is_explained_and_can_be_sent_again(page, staff):
    sign_in(page, staff.email, PASSWORD)
    page.goto("/library/")
    scan = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}
    page.get_by_label("File").set_input_files(scan)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("This PDF is incomplete")
    assert_accessible(page)

    page.get_by_label("File").set_input_files(ARTICLE)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported. Check how it was split")).to_be_visible()
