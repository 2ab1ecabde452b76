"""The Content-Security-Policy breaks nothing: a walk through the library, a
reading and a group's pages in Chromium meets no violation and no script error."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e
ARTICLE = Path(__file__).resolve().parents[1] / "readings" / "inputs" / "saved-article.html"
# Chromium logs a violation to the console too, but only this event is sure to
# reach Playwright, so it is reported as a console error.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture
def problems():
    return []


@pytest.fixture
def open_as(browser, live_server, problems):
    """A browser of a person's own, signed in, that notes every violation and error."""
    contexts = []

    def open_page(user):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1300, "height": 900}
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        context.add_init_script(REPORT_VIOLATIONS)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on(
            "console",
            lambda message: message.type == "error" and problems.append(message.text),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        sign_in(page, user.email, PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_library_and_a_reading_meet_the_policy(open_as, problems, staff):
    page = open_as(staff)
    page.get_by_role("link", name="Library", exact=True).click()
    page.get_by_label("File").set_input_files(ARTICLE)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported. Check how it was split")).to_be_visible()
    page.get_by_text("Left out as page furniture").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("link", name="Open the reading page").click()
    expect(page.locator(".passage--speaker_turn").first).to_be_visible()
    assert problems == []


def test_a_groups_pages_meet_the_policy(open_as, problems, organizer, group, assigned_reading):
    page = open_as(organizer)
    page.get_by_role("link", name=group.name).click()
    page.get_by_role("link", name=assigned_reading.title).first.click()

    # Ask about selected words, open the thread and reply: htmx swaps each in.
    page.locator("[data-passage-text]").first.dblclick(position={"x": 4, "y": 8})
    toolbar = page.get_by_role("toolbar", name="Discuss the selected words")
    toolbar.get_by_role("button", name="Ask a question").click()
    composer = page.locator("[data-compose-form]")
    composer.get_by_label("Your question or comment").fill("Which passage?")
    composer.get_by_role("button", name="Ask a question").click()
    page.get_by_role("link", name="Olga Organizer: Which passage?").click()
    page.get_by_label("Your reply").fill("The first one.")
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".replies")).to_contain_text("The first one.")
    page.wait_for_timeout(2500)  # the live poll asks at least once

    page.goto(f"/g/{group.slug}/r/{assigned_reading.slug}/agenda/")
    page.get_by_label("Question", exact=True).last.fill("What is worth discussing?")
    page.get_by_label("Minutes", exact=True).last.fill("10")
    page.get_by_role("button", name="Add question").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_role("button", name="Start meeting").click()
    expect(page.get_by_role("heading", name="What is worth discussing?")).to_be_visible()
    page.wait_for_timeout(2500)
    page.get_by_label("Yes, end it for everyone").check()
    page.get_by_role("button", name="End meeting").click()
    expect(page.get_by_role("heading", name="Questions covered")).to_be_visible()

    page.goto(f"/g/{group.slug}/members/")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    for path in [f"/g/{group.slug}/moderation/", f"/g/{group.slug}/import/", "/settings/"]:
        page.goto(path)
    assert problems == []
