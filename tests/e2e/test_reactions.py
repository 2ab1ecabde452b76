"""Reacting to a post in the browser: the button says whether it is pressed and
how many reacted, is updated in place, and keeps the keyboard's focus."""

import pytest
from playwright.sync_api import expect

from discussions.models import Reaction
from discussions.services import set_reaction
from groups.services import assign_reading, create_group
from tests.conftest import PASSWORD, add_member, make_annotation, make_reading, make_user
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def thread(transactional_db):
    asker = make_user("asker@example.org", "Ada Asker")
    reader = make_user("reader@example.org", "Rita Reader")
    group = create_group(name="Kitchen table", description="", creator=asker)
    add_member(group, reader)
    reading = make_reading(passages=2, title="Study circles")
    assign_reading(group=group, reading=reading, meeting_date=None, notes="", actor=asker)
    question = make_annotation(group, reading, asker, body="Whose kitchen?", words="worth")
    set_reaction(annotation=question, reply=None, user=asker, kind="discuss", on=True)
    return {"question": question, "reader": reader}


def test_im_lost_is_pressed_in_place_and_keeps_the_focus(page, thread):
    question = thread["question"]
    sign_in(page, thread["reader"].email, PASSWORD)
    page.goto(question.get_absolute_url())
    post = page.locator(f"#thread-{question.pk} .post").first
    lost = post.get_by_role("button", name="I'm lost")
    expect(lost).to_have_attribute("aria-pressed", "false")
    expect(lost).to_contain_text("0")

    lost.click()
    expect(lost).to_have_attribute("aria-pressed", "true")
    expect(lost).to_contain_text("1")
    expect(lost).to_be_focused()
    assert Reaction.objects.filter(user=thread["reader"], kind="lost").count() == 1

    page.keyboard.press("Space")  # pressed again from the keyboard: taken back
    expect(lost).to_have_attribute("aria-pressed", "false")
    expect(lost).to_contain_text("0")
    expect(lost).to_be_focused()
    assert not Reaction.objects.filter(user=thread["reader"]).exists()

    page.keyboard.press("Enter")
    expect(lost).to_have_attribute("aria-pressed", "true")
    post.get_by_text("Who reacted").click()
    expect(post.locator(".reactors")).to_contain_text("I'm lost: Rita Reader")
    expect(post.locator(".reactors")).to_contain_text("Let's discuss this: Ada Asker")
    assert_accessible(page)


def test_a_press_straight_after_an_update_is_still_in_place(page, thread):
    """The updated thread's buttons work the moment it is shown: a second press
    then (here from a timer of 0 ms) is not sent as a plain form post, which
    would reload the page and lose the focus."""
    question = thread["question"]
    sign_in(page, thread["reader"].email, PASSWORD)
    page.goto(question.get_absolute_url())
    lost = page.locator(f"#thread-{question.pk} .post").first.get_by_role("button", name="I'm lost")
    page.evaluate(
        """() => document.body.addEventListener("htmx:afterSwap", () => {
            setTimeout(() => document.activeElement.click(), 0);
        }, { once: true })"""
    )
    loads = []
    page.on("load", lambda _: loads.append(1))
    lost.click()  # pressed, and at once pressed again: taken back
    expect(page.locator("[data-announcer]")).to_have_text("Reaction taken back: I'm lost.")
    expect(lost).to_have_attribute("aria-pressed", "false")
    expect(lost).to_be_focused()
    assert loads == []
    assert not Reaction.objects.filter(user=thread["reader"]).exists()


def test_reacting_in_the_reading_pages_panel(page, thread):
    question = thread["question"]
    sign_in(page, thread["reader"].email, PASSWORD)
    page.goto(f"/g/{question.group.slug}/r/{question.reading.slug}/")
    expect(page.locator(".margin").first).to_contain_text("Let's discuss this: 1")
    page.get_by_role("link", name="Ada Asker: Whose kitchen?").click()
    discuss = page.locator(f"#thread-{question.pk}").get_by_role("button", name="Let's discuss")
    expect(discuss).to_have_attribute("aria-pressed", "false")
    discuss.click()
    expect(discuss).to_have_attribute("aria-pressed", "true")
    expect(discuss).to_contain_text("2")
    expect(discuss).to_be_focused()
    assert_accessible(page)
