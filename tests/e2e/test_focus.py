"""After every in-place update focus rests on what it made, never on the page's
body, and the page's one status region says what happened; the live poll
neither steals focus nor passes silently."""

import pytest
from playwright.sync_api import expect

from discussions.models import Annotation, Reply
from discussions.services import post_reply
from groups.services import assign_reading, create_group
from readings.models import Passage, Reading
from tests.conftest import add_member, make_annotation, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def thread(transactional_db):
    asker = make_user("asker@example.org", "Ada Asker")
    replier = make_user("replier@example.org", "Rex Replier")
    group = create_group(name="Kitchen table", description="", creator=asker)
    add_member(group, replier)
    reading = Reading.objects.create(title="Circles", slug="circles", status="published")
    for n, text in enumerate(["Kitchen tables were where we met.", "We read aloud."], start=1):
        Passage.objects.create(reading=reading, position=n, anchor=f"p-{n}", text=text, html=text)
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=asker)
    question = make_annotation(group, reading, asker, body="Whose kitchen?")
    return {
        "asker": asker,
        "replier": replier,
        "question": question,
        "url": f"/g/{group.slug}/r/{reading.slug}/",
    }


def said(page):
    return page.locator("[data-announcer]")


def open_thread(page, question):
    page.get_by_role("link", name="Ada Asker: Whose kitchen?").click()
    panel_thread = page.locator(f"#thread-{question.pk}")
    expect(panel_thread).to_be_visible()
    return panel_thread


def test_a_question_is_focused_and_said_and_its_passage_stays_a_tab_stop(open_as, thread):
    page = open_as(thread["replier"], thread["url"])
    row = page.locator("#row-p-2")
    row.get_by_role("link", name="Ask a question").click()
    composer = row.locator("[data-compose-form]")
    composer.get_by_label("Your question or comment").fill("Aloud to whom?")
    composer.get_by_role("button", name="Ask a question").click()
    expect(said(page)).to_have_text("Question posted.")
    posted = Annotation.objects.get(body="Aloud to whom?")
    expect(page.locator(f'[data-thread-link="{posted.pk}"]')).to_be_focused()

    # The row was rendered again: its text is still a stop in the tab order.
    text = row.locator("[data-passage-text]")
    expect(text).to_have_attribute("tabindex", "0")
    row.get_by_role("link", name="Link to this passage").focus()
    page.keyboard.press("Shift+Tab")
    expect(text).to_be_focused()


def test_vote_reply_edit_delete_focus_what_they_made(open_as, thread):
    question = thread["question"]
    page = open_as(thread["replier"], thread["url"])
    panel = open_thread(page, question)

    panel.get_by_role("button", name="I have this question too").click()
    expect(said(page)).to_have_text("Vote recorded.")
    vote = page.locator(f"#vote-{question.pk}")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_be_focused()

    panel.get_by_label("Your reply").fill("My grandmother's.")
    panel.get_by_role("button", name="Post").last.click()
    expect(said(page)).to_have_text("Reply posted.")
    reply = Reply.objects.get()
    post = page.locator(f"#post-r{reply.pk}")
    expect(post).to_be_focused()
    expect(post).to_contain_text("My grandmother's.")

    post.locator("summary", has_text="Edit").click()
    post.get_by_label("Edit").fill("My great-grandmother's.")
    post.get_by_role("button", name="Save").click()
    expect(said(page)).to_have_text("Your changes are saved.")
    expect(page.locator(f"#post-r{reply.pk}")).to_be_focused()
    expect(page.locator(f"#post-r{reply.pk}")).to_contain_text("great-grandmother")

    post.locator("summary", has_text="Delete").click()
    post.get_by_label("Yes, delete it").check()
    post.get_by_role("button", name="Delete").click()
    expect(said(page)).to_have_text("Deleted.")
    # Nothing hung on the reply, so it is gone: focus is on its thread.
    expect(page.locator(f"#post-r{reply.pk}")).to_have_count(0)
    expect(page.locator(f"#thread-{question.pk}")).to_be_focused()


def test_a_report_is_focused_and_said(open_as, thread):
    question = thread["question"]
    page = open_as(thread["replier"], thread["url"])
    panel = open_thread(page, question)
    panel.locator("summary", has_text="Report").first.click()
    panel.get_by_label("What is wrong with it?").fill("Off topic")
    panel.get_by_role("button", name="Report to the moderators").click()
    expect(said(page)).to_have_text("Reported to the moderators.")
    expect(page.locator(f"#reported-post-a{question.pk}")).to_be_focused()


def test_an_empty_reply_is_refused_beside_its_field_and_said(open_as, thread):
    question = thread["question"]
    page = open_as(thread["replier"], thread["url"])
    panel = open_thread(page, question)
    panel.get_by_label("Your reply").fill("   ")  # passes "required", not the server
    panel.get_by_role("button", name="Post").last.click()
    expect(said(page)).to_have_text("Write something first.")
    field = page.locator(f"#thread-{question.pk}").get_by_label("Your reply")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    error = page.locator("#" + field.get_attribute("aria-describedby"))
    expect(error).to_have_text("Write something first.")
    assert not Reply.objects.exists()


def test_the_live_poll_keeps_focus_and_says_what_arrived(open_as, thread):
    question = thread["question"]
    page = open_as(thread["replier"], thread["url"])
    open_thread(page, question)
    vote = page.locator(f"#vote-{question.pk}")
    vote.focus()
    post_reply(annotation=question, parent=None, body="Mine, I think.", author=thread["asker"])
    expect(page.locator(f"#thread-{question.pk}")).to_contain_text("Mine, I think.")
    expect(said(page)).to_have_text("1 new post on this passage.")
    expect(vote).to_be_focused()


def test_following_keeps_focus_on_the_button(open_as, thread):
    page = open_as(thread["replier"], thread["url"])
    page.get_by_role("button", name="Follow this reading").click()
    expect(said(page)).to_have_text("You follow this reading now.")
    expect(page.get_by_role("button", name="Unfollow this reading")).to_be_focused()
